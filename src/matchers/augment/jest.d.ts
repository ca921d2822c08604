// Types of `s2-emulator/matchers/jest`: the matchers on jest's global `expect`, as `@types/jest`
// declares it (jest 29 and 30). For `import { expect } from '@jest/globals'`, use
// `s2-emulator/matchers/jest-globals`.
import type { S2AsymmetricMatchers, S2Matchers } from 's2-emulator/matchers'

declare global {
  namespace jest {
    interface Matchers<R, T = {}> extends S2Matchers {}
    interface Expect extends S2AsymmetricMatchers {}
    interface InverseAsymmetricMatchers extends S2AsymmetricMatchers {}
  }
}
