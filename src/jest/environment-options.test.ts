import { describe, expect, it } from 'vitest'
import { environmentOptions } from './environment-options.ts'

describe('environmentOptions', () => {
  it('defaults to a namespace per test', () => {
    expect(environmentOptions({})).toEqual({ scope: 'test' })
    expect(environmentOptions({ s2Emulator: { scope: 'file', faultSeed: 7 } })).toEqual({ scope: 'file', faultSeed: 7 })
  })

  it('lists every problem at once', () => {
    expect(() => environmentOptions({ s2Emulator: { scope: 'suite', faultSeed: 1.5, seed: 1 } })).toThrow(
      expect.objectContaining({
        code: 'S2EMU_BAD_OPTIONS',
        message:
          "[s2-emulator] testEnvironmentOptions.s2Emulator: scope is \"suite\"; use 'test' or 'file'; faultSeed is 1.5; use an integer; unknown option seed; the options are scope and faultSeed",
      }),
    )
    expect(() => environmentOptions({ s2Emulator: 'file' })).toThrow(/must be an object/)
  })
})
