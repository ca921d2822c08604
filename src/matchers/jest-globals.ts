/** `setupFilesAfterEnv: ['s2-emulator/matchers/jest-globals']`: the same as `s2-emulator/matchers/jest` at run time; typed for `import { expect } from '@jest/globals'` (`augment/jest-globals.d.ts`). */
import './jest.ts'
