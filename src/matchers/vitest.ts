/**
 * `import 's2-emulator/matchers/vitest'` (in a setup file, or a test file): registers the
 * matchers with vitest's `expect` and types them for vitest 5. (Vitest 3.2 to 4.x: import
 * `s2-emulator/matchers/vitest-4`, the same at run time, typed for those versions.)
 */
import './register-vitest.ts'
import type { S2AsymmetricMatchers, S2Matchers } from './types.ts'

declare module 'vitest' {
  // Vitest 5's parameters, exactly: an augmentation merges only if they are the same (TS2428).
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends S2Matchers {}
  interface AsymmetricMatchersContaining extends S2AsymmetricMatchers {}
}
