/**
 * `import 's2-emulator/matchers/vitest-4'`: registers the matchers with vitest's `expect`, as
 * `s2-emulator/matchers/vitest` does; its types (`augment/vitest-4.d.ts`) are those of vitest
 * 3.2 to 4.x, whose `Matchers` takes one type parameter.
 */
import { expect } from 'vitest'
import { registerS2Matchers } from './register.ts'

registerS2Matchers({ expect })
