import { describe, expect, it } from 'vitest'
import { environmentOptions } from './environment-options.ts'

describe('environmentOptions', () => {
  it('defaults to a namespace per test', () => {
    expect(environmentOptions({})).toEqual({ scope: 'test' })
    expect(environmentOptions({ s2Emulator: { scope: 'file', faultSeed: 7 } })).toEqual({ scope: 'file', faultSeed: 7 })
    expect(environmentOptions({ s2Emulator: { cassettes: { dir: 'recorded' } } })).toEqual({ scope: 'test', cassettes: { dir: 'recorded' } })
  })

  it('lists every problem at once', () => {
    expect(() => environmentOptions({ s2Emulator: { scope: 'suite', faultSeed: 1.5, seed: 1 } })).toThrow(
      expect.objectContaining({
        code: 'S2EMU_BAD_OPTIONS',
        message:
          "[s2-emulator] testEnvironmentOptions.s2Emulator: scope is \"suite\"; use 'test' or 'file'; faultSeed is 1.5; use an integer; unknown option seed; the options are scope, faultSeed and cassettes",
      }),
    )
    expect(() => environmentOptions({ s2Emulator: 'file' })).toThrow(/must be an object/)
    expect(() => environmentOptions({ s2Emulator: { scope: 'file', cassettes: { mode: 'rewind' } } })).toThrow(
      expect.objectContaining({
        message:
          "[s2-emulator] testEnvironmentOptions.s2Emulator: cassettes are per test; they need scope 'test', not 'file'; " +
          'cassettes.mode is "rewind"; use one of record, replay, record-missing, passthrough',
      }),
    )
  })
})
