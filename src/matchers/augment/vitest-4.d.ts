// Types of `s2-emulator/matchers/vitest-4`: the matchers on vitest 3.2 to 4.x, whose `Matchers`
// interface has one type parameter (vitest 5 has two: use `s2-emulator/matchers/vitest` there).
// Hand-written, not compiled: this repository has vitest 5, against which it would not merge.
import type { S2AsymmetricMatchers, S2Matchers } from 's2-emulator/matchers'

declare module 'vitest' {
  interface Matchers<T = any> extends S2Matchers {}
  interface AsymmetricMatchersContaining extends S2AsymmetricMatchers {}
}
