/**
 * `setupFilesAfterEnv: ['s2-emulator/matchers/jest']`: registers the matchers with jest's global
 * `expect`, and after each test fails one that left a matcher running without `await`. Types:
 * `augment/jest.d.ts` (the global `jest.Matchers`, with `@types/jest`), or
 * `s2-emulator/matchers/jest-globals` for `import { expect } from '@jest/globals'`.
 */
import { registerS2Matchers, type S2MatcherRunner } from './register.ts'

const runner = globalThis as Partial<S2MatcherRunner>
if (typeof runner.expect?.extend !== 'function') {
  throw new Error(
    "[s2-emulator] s2-emulator/matchers/jest registers the matchers with jest's global expect, and there is none here: list it in setupFilesAfterEnv of a jest config, or (with injectGlobals: false) call registerS2Matchers({ expect, afterEach }) from s2-emulator/matchers with those of @jest/globals.",
  )
}
registerS2Matchers({ expect: runner.expect, ...(typeof runner.afterEach === 'function' ? { afterEach: runner.afterEach } : {}) })
