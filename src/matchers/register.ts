import { s2Matchers } from './matchers.ts'
import { checkAwaited } from './track.ts'

/** The parts of a runner the matchers are registered with. */
export interface S2MatcherRunner {
  /** The runner's `expect` (vitest's, jest's, `@jest/globals`'). */
  readonly expect: { extend(matchers: never): void }
  /**
   * The runner's `afterEach`, for runners that do not track async assertions themselves (jest):
   * after each test it fails one that left a matcher running without `await`. Vitest tracks them.
   */
  readonly afterEach?: (fn: () => Promise<void>) => void
}

/**
 * Registers the matchers with a runner's `expect`. The entry points `s2-emulator/matchers/vitest`
 * and `s2-emulator/matchers/jest` do it for you; call it yourself with another `expect` (jest with
 * `injectGlobals: false`: `registerS2Matchers({ expect, afterEach })` from `@jest/globals`).
 */
export function registerS2Matchers(runner: S2MatcherRunner): void {
  runner.expect.extend(s2Matchers as never)
  runner.afterEach?.(checkAwaited)
}
