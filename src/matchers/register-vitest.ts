/**
 * Registers the matchers with vitest's `expect`, types aside: what `s2-emulator/matchers/vitest`
 * and `.../vitest-4` do at run time, and what the fixtures of `s2-emulator/vitest` import, so
 * their types stay the user's choice of vitest version.
 */
import { expect } from 'vitest'
import { registerS2Matchers } from './register.ts'

registerS2Matchers({ expect })
