/**
 * The preset's `setupFilesAfterEnv`: registers the matchers with jest's global `expect`, as
 * `s2-emulator/matchers/jest` does. With `injectGlobals: false` there is no global `expect` to
 * extend, so it leaves them to the test files (`registerS2Matchers({ expect, afterEach })` with
 * those of `@jest/globals`) rather than fail every file of a project that uses the preset.
 */
import { registerS2Matchers, type S2MatcherRunner } from '../matchers/register.ts'

const runner = globalThis as Partial<S2MatcherRunner>
if (typeof runner.expect?.extend === 'function') {
  registerS2Matchers({ expect: runner.expect, ...(typeof runner.afterEach === 'function' ? { afterEach: runner.afterEach } : {}) })
}
