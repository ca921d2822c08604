import { describe, expect, it } from 'vitest'
import { emulatorTargetFromEnv, realTargetFromEnv, targetKind } from './target.ts'

describe('targetKind', () => {
  it('takes the option, else S2_EMULATOR_TARGET, else the emulator', () => {
    expect(targetKind('real', { S2_EMULATOR_TARGET: 'emulator' })).toBe('real')
    expect(targetKind(undefined, { S2_EMULATOR_TARGET: 'real' })).toBe('real')
    expect(targetKind(undefined, { S2_EMULATOR_TARGET: '' })).toBe('emulator')
    expect(targetKind(undefined, {})).toBe('emulator')
  })

  it('rejects another value, naming the allowed ones', () => {
    expect(() => targetKind(undefined, { S2_EMULATOR_TARGET: 's2.dev' })).toThrow(/S2_EMULATOR_TARGET is "s2.dev"; use "emulator" \(the default\) or "real"/)
  })
})

describe('realTargetFromEnv', () => {
  it('reads the variables the SDKs read, with s2.dev endpoints by default', () => {
    expect(realTargetFromEnv({ S2_ACCESS_TOKEN: 't' })).toEqual({
      kind: 'real',
      accountEndpoint: 'https://a.s2.dev',
      basinEndpoint: 'https://{basin}.b.s2.dev',
      accessToken: 't',
    })
    expect(realTargetFromEnv({ S2_ACCESS_TOKEN: 't', S2_ACCOUNT_ENDPOINT: 'http://127.0.0.1:8080', S2_BASIN_ENDPOINT: 'http://127.0.0.1:8080' })).toMatchObject({
      accountEndpoint: 'http://127.0.0.1:8080',
      basinEndpoint: 'http://127.0.0.1:8080',
    })
  })

  it('requires an access token', () => {
    expect(() => realTargetFromEnv({ S2_ACCOUNT_ENDPOINT: 'http://127.0.0.1:8080' })).toThrow(
      expect.objectContaining({ code: 'S2EMU_BAD_OPTIONS', message: expect.stringContaining('S2_ACCESS_TOKEN is not set') }),
    )
  })
})

describe('emulatorTargetFromEnv', () => {
  it('names the emulator of S2_EMULATOR_URL, without a trailing slash, with its admin token', () => {
    expect(emulatorTargetFromEnv({ S2_EMULATOR_URL: 'http://127.0.0.1:4243/', S2_EMULATOR_ADMIN_TOKEN: 'secret' })).toEqual({
      kind: 'emulator',
      url: 'http://127.0.0.1:4243',
      adminToken: 'secret',
    })
    expect(emulatorTargetFromEnv({})).toBeUndefined()
  })
})
