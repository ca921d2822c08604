// Types of `s2-emulator/matchers/jest-globals`: the matchers on the `expect` of `@jest/globals`
// (the `expect` package, jest 29 and 30).
import type { S2AsymmetricMatchers, S2Matchers } from 's2-emulator/matchers'

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> extends S2Matchers {}
  interface AsymmetricMatchers extends S2AsymmetricMatchers {}
}
