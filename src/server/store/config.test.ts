import { describe, expect, it } from 'vitest'
import { S2Error } from '../errors/index.ts'
import {
  DEFAULT_BASIN_CONFIG,
  DEFAULT_STREAM_CONFIG,
  patchBasinConfig,
  patchLayer,
  resolveStreamConfig,
  retentionMs,
  sameBasinConfig,
  sameLayer,
  sameStreamConfig,
  validateLayer,
  validatePatch,
  type BasinConfig,
  type StreamConfig,
  type StreamConfigLayer,
} from './config.ts'

const FULL: StreamConfig = {
  storageClass: 'standard',
  retention: { kind: 'age', ageSecs: 60 },
  timestampingMode: 'arrival',
  timestampingUncapped: true,
  deleteOnEmptyMinAgeSecs: 30,
}

const BASIN_DEFAULTS: StreamConfigLayer = {
  storageClass: 'standard',
  retention: { kind: 'infinite' },
  deleteOnEmptyMinAgeSecs: 600,
}

function expectInvalid(fn: () => void, message: string): void {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(S2Error)
  expect(caught).toMatchObject({ code: 'invalid', status: 422, message })
}

describe('stream config resolution', () => {
  it("has s2-lite's system defaults: express, 7 days, client-prefer, capped, delete-on-empty off", () => {
    expect(resolveStreamConfig({}, {})).toEqual({
      storageClass: 'express',
      retention: { kind: 'age', ageSecs: 604_800 },
      timestampingMode: 'client-prefer',
      timestampingUncapped: false,
      deleteOnEmptyMinAgeSecs: 0,
    })
    expect(resolveStreamConfig({}, {})).toEqual(DEFAULT_STREAM_CONFIG)
  })

  it('takes each field from the stream, else the basin default, else the system default', () => {
    expect(resolveStreamConfig({ timestampingMode: 'client-require' }, BASIN_DEFAULTS)).toEqual({
      storageClass: 'standard',
      retention: { kind: 'infinite' },
      timestampingMode: 'client-require',
      timestampingUncapped: false,
      deleteOnEmptyMinAgeSecs: 600,
    })
    expect(resolveStreamConfig(FULL, BASIN_DEFAULTS)).toEqual(FULL)
  })

  it('keeps an explicit zero or false over a basin default', () => {
    const resolved = resolveStreamConfig(
      { deleteOnEmptyMinAgeSecs: 0, timestampingUncapped: false },
      { deleteOnEmptyMinAgeSecs: 600, timestampingUncapped: true },
    )
    expect(resolved.deleteOnEmptyMinAgeSecs).toBe(0)
    expect(resolved.timestampingUncapped).toBe(false)
  })

  it('gives retention in milliseconds, and Infinity for infinite', () => {
    expect(retentionMs(resolveStreamConfig({ retention: { kind: 'age', ageSecs: 90 } }, {}))).toBe(90_000)
    expect(retentionMs(resolveStreamConfig({ retention: { kind: 'infinite' } }, {}))).toBe(Infinity)
    expect(retentionMs(DEFAULT_STREAM_CONFIG)).toBe(7 * 24 * 3600 * 1000)
  })

  it('rejects a retention age of 0 with 422 invalid, in a layer and in a patch', () => {
    const message = 'age must be greater than 0 seconds'
    expectInvalid(() => validateLayer({ retention: { kind: 'age', ageSecs: 0 } }), message)
    expectInvalid(() => validatePatch({ retention: { kind: 'age', ageSecs: 0 } }), message)
    expect(() => validateLayer({ retention: { kind: 'age', ageSecs: 1 } })).not.toThrow()
    expect(() => validatePatch({ retention: null })).not.toThrow()
  })
})

describe('patching a layer', () => {
  it('keeps absent fields, sets given ones and unsets nulls', () => {
    const patched = patchLayer(FULL, { storageClass: null, retention: { kind: 'infinite' } })
    expect(patched).toEqual({
      retention: { kind: 'infinite' },
      timestampingMode: 'arrival',
      timestampingUncapped: true,
      deleteOnEmptyMinAgeSecs: 30,
    })
    expect('storageClass' in patched).toBe(false)
  })

  it('resets both timestamping fields with a null timestamping, and each one with its own null', () => {
    const cleared = patchLayer(FULL, { timestamping: null })
    expect('timestampingMode' in cleared || 'timestampingUncapped' in cleared).toBe(false)
    const modeOnly = patchLayer(FULL, { timestamping: { mode: null } })
    expect('timestampingMode' in modeOnly).toBe(false)
    expect(modeOnly.timestampingUncapped).toBe(true)
    expect(patchLayer(FULL, { timestamping: { uncapped: false } }).timestampingUncapped).toBe(false)
  })

  it('changes nothing with an empty patch or empty sub-objects', () => {
    expect(patchLayer(FULL, {})).toEqual(FULL)
    expect(patchLayer(FULL, { timestamping: {}, deleteOnEmpty: {} })).toEqual(FULL)
  })

  it('resets delete_on_empty with a null, and keeps an explicit 0 as a value', () => {
    const reset = patchLayer(FULL, { deleteOnEmpty: null })
    expect('deleteOnEmptyMinAgeSecs' in reset).toBe(false)
    const zero = patchLayer(FULL, { deleteOnEmpty: { minAgeSecs: 0 } })
    expect(zero.deleteOnEmptyMinAgeSecs).toBe(0)
    expect(resolveStreamConfig(reset, BASIN_DEFAULTS).deleteOnEmptyMinAgeSecs).toBe(600)
    expect(resolveStreamConfig(zero, BASIN_DEFAULTS).deleteOnEmptyMinAgeSecs).toBe(0)
  })

  it('does not change the layer it patches', () => {
    const layer: StreamConfigLayer = { storageClass: 'standard', deleteOnEmptyMinAgeSecs: 5 }
    patchLayer(layer, { storageClass: null, deleteOnEmpty: { minAgeSecs: 9 } })
    expect(layer).toEqual({ storageClass: 'standard', deleteOnEmptyMinAgeSecs: 5 })
  })

  it('turned back into a stream config, nulls for every field yield exactly the basin defaults', () => {
    const patch = { storageClass: null, retention: null, timestamping: null, deleteOnEmpty: null } as const
    expect(resolveStreamConfig(patchLayer(FULL, patch), BASIN_DEFAULTS)).toEqual(resolveStreamConfig({}, BASIN_DEFAULTS))
  })
})

describe('patching a basin config', () => {
  const basin: BasinConfig = {
    defaultStreamConfig: { storageClass: 'standard', deleteOnEmptyMinAgeSecs: 10 },
    streamCipher: 'aegis-256',
    createStreamOnAppend: true,
    createStreamOnRead: false,
  }

  it('keeps everything with an empty patch', () => {
    expect(patchBasinConfig(basin, {})).toEqual(basin)
  })

  it('clears the whole default layer with null and patches it field by field with an object', () => {
    expect(patchBasinConfig(basin, { defaultStreamConfig: null }).defaultStreamConfig).toEqual({})
    expect(
      patchBasinConfig(basin, { defaultStreamConfig: { storageClass: null, retention: { kind: 'infinite' } } })
        .defaultStreamConfig,
    ).toEqual({ deleteOnEmptyMinAgeSecs: 10, retention: { kind: 'infinite' } })
  })

  it('clears the cipher with null and sets the flags when given', () => {
    const patched = patchBasinConfig(basin, { streamCipher: null, createStreamOnAppend: false, createStreamOnRead: true })
    expect(patched).toEqual({
      defaultStreamConfig: basin.defaultStreamConfig,
      streamCipher: null,
      createStreamOnAppend: false,
      createStreamOnRead: true,
    })
  })
})

describe('config equality', () => {
  it('tells an explicit value from an unset one, including an explicit zero', () => {
    expect(sameLayer({ deleteOnEmptyMinAgeSecs: 0 }, {})).toBe(false)
    expect(sameLayer({ deleteOnEmptyMinAgeSecs: 0 }, { deleteOnEmptyMinAgeSecs: 0 })).toBe(true)
    expect(sameLayer({ timestampingUncapped: false }, {})).toBe(false)
    expect(sameLayer({ retention: { kind: 'infinite' } }, {})).toBe(false)
    expect(sameLayer({}, {})).toBe(true)
  })

  it('compares retention policies by kind and age, not by identity', () => {
    expect(sameLayer({ retention: { kind: 'age', ageSecs: 60 } }, { retention: { kind: 'age', ageSecs: 60 } })).toBe(true)
    expect(sameLayer({ retention: { kind: 'age', ageSecs: 60 } }, { retention: { kind: 'age', ageSecs: 61 } })).toBe(false)
    expect(sameLayer({ retention: { kind: 'infinite' } }, { retention: { kind: 'infinite' } })).toBe(true)
    expect(sameLayer({ retention: { kind: 'infinite' } }, { retention: { kind: 'age', ageSecs: 60 } })).toBe(false)
  })

  it('compares resolved stream configs field by field', () => {
    expect(sameStreamConfig(FULL, { ...FULL })).toBe(true)
    for (const change of [
      { storageClass: 'express' },
      { retention: { kind: 'age', ageSecs: 61 } },
      { timestampingMode: 'client-prefer' },
      { timestampingUncapped: false },
      { deleteOnEmptyMinAgeSecs: 0 },
    ] as const) {
      expect(sameStreamConfig(FULL, { ...FULL, ...change })).toBe(false)
    }
  })

  it('compares basin configs including their default layer, cipher and flags', () => {
    expect(sameBasinConfig(DEFAULT_BASIN_CONFIG, { ...DEFAULT_BASIN_CONFIG })).toBe(true)
    expect(sameBasinConfig(DEFAULT_BASIN_CONFIG, { ...DEFAULT_BASIN_CONFIG, defaultStreamConfig: { deleteOnEmptyMinAgeSecs: 0 } })).toBe(false)
    expect(sameBasinConfig(DEFAULT_BASIN_CONFIG, { ...DEFAULT_BASIN_CONFIG, streamCipher: 'aes-256-gcm' })).toBe(false)
    expect(sameBasinConfig(DEFAULT_BASIN_CONFIG, { ...DEFAULT_BASIN_CONFIG, createStreamOnAppend: true })).toBe(false)
    expect(sameBasinConfig(DEFAULT_BASIN_CONFIG, { ...DEFAULT_BASIN_CONFIG, createStreamOnRead: true })).toBe(false)
  })
})
