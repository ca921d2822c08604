import { errors } from '../errors/index.ts'

/**
 * Stream and basin configuration, as S2 resolves, patches and compares it
 * (s2-lite `common/src/config.rs`). Wire (JSON) shapes live in the protocol layer.
 */

export type StorageClass = 'standard' | 'express'
export type TimestampingMode = 'client-prefer' | 'client-require' | 'arrival'
export type Cipher = 'aegis-256' | 'aes-256-gcm'
export type RetentionPolicy = { readonly kind: 'age'; readonly ageSecs: number } | { readonly kind: 'infinite' }

/** A fully resolved stream configuration, as stored with each stream. */
export interface StreamConfig {
  readonly storageClass: StorageClass
  readonly retention: RetentionPolicy
  readonly timestampingMode: TimestampingMode
  readonly timestampingUncapped: boolean
  /** 0 means delete-on-empty is disabled. */
  readonly deleteOnEmptyMinAgeSecs: number
}

/** A partial layer: an absent field is unset and falls through to the next layer. */
export type StreamConfigLayer = { readonly [K in keyof StreamConfig]?: StreamConfig[K] }

/**
 * A reconfiguration: per field, absent = keep, null = reset (to the layer below), value = set.
 * `timestamping` and `deleteOnEmpty` group their fields the way the wire does, so that
 * `{"timestamping": null}` resets both timestamping fields at once.
 */
export interface StreamConfigPatch {
  readonly storageClass?: StorageClass | null
  readonly retention?: RetentionPolicy | null
  readonly timestamping?: {
    readonly mode?: TimestampingMode | null
    readonly uncapped?: boolean | null
  } | null
  readonly deleteOnEmpty?: { readonly minAgeSecs?: number | null } | null
}

export interface BasinConfig {
  readonly defaultStreamConfig: StreamConfigLayer
  readonly streamCipher: Cipher | null
  readonly createStreamOnAppend: boolean
  readonly createStreamOnRead: boolean
}

export interface BasinConfigPatch {
  readonly defaultStreamConfig?: StreamConfigPatch | null
  readonly streamCipher?: Cipher | null
  readonly createStreamOnAppend?: boolean
  readonly createStreamOnRead?: boolean
}

export const DEFAULT_STREAM_CONFIG: StreamConfig = Object.freeze({
  storageClass: 'express',
  retention: Object.freeze({ kind: 'age', ageSecs: 7 * 24 * 3600 }),
  timestampingMode: 'client-prefer',
  timestampingUncapped: false,
  deleteOnEmptyMinAgeSecs: 0,
})

export const DEFAULT_BASIN_CONFIG: BasinConfig = Object.freeze({
  defaultStreamConfig: Object.freeze({}),
  streamCipher: null,
  createStreamOnAppend: false,
  createStreamOnRead: false,
})

const STREAM_FIELDS = [
  'storageClass',
  'retention',
  'timestampingMode',
  'timestampingUncapped',
  'deleteOnEmptyMinAgeSecs',
] as const satisfies readonly (keyof StreamConfig)[]

/** Throws 422 for values S2 rejects semantically. */
export function validateLayer(layer: StreamConfigLayer): void {
  if (layer.retention?.kind === 'age' && layer.retention.ageSecs === 0) {
    throw errors.invalid('age must be greater than 0 seconds')
  }
}

/** Stream value, else basin default, else system default: how a stream's config is fixed at creation. */
export function resolveStreamConfig(layer: StreamConfigLayer, basinDefaults: StreamConfigLayer): StreamConfig {
  return {
    storageClass: layer.storageClass ?? basinDefaults.storageClass ?? DEFAULT_STREAM_CONFIG.storageClass,
    retention: layer.retention ?? basinDefaults.retention ?? DEFAULT_STREAM_CONFIG.retention,
    timestampingMode:
      layer.timestampingMode ?? basinDefaults.timestampingMode ?? DEFAULT_STREAM_CONFIG.timestampingMode,
    timestampingUncapped:
      layer.timestampingUncapped ?? basinDefaults.timestampingUncapped ?? DEFAULT_STREAM_CONFIG.timestampingUncapped,
    deleteOnEmptyMinAgeSecs:
      layer.deleteOnEmptyMinAgeSecs ??
      basinDefaults.deleteOnEmptyMinAgeSecs ??
      DEFAULT_STREAM_CONFIG.deleteOnEmptyMinAgeSecs,
  }
}

/** Applies a patch to a layer: null unsets a field, absent keeps it. */
export function patchLayer(layer: StreamConfigLayer, patch: StreamConfigPatch): StreamConfigLayer {
  const next: { -readonly [K in keyof StreamConfig]?: StreamConfig[K] } = { ...layer }
  const apply = <K extends keyof StreamConfig>(key: K, value: StreamConfig[K] | null | undefined): void => {
    if (value === undefined) return
    if (value === null) delete next[key]
    else next[key] = value
  }
  apply('storageClass', patch.storageClass)
  apply('retention', patch.retention)
  if (patch.timestamping === null) {
    delete next.timestampingMode
    delete next.timestampingUncapped
  } else if (patch.timestamping !== undefined) {
    apply('timestampingMode', patch.timestamping.mode)
    apply('timestampingUncapped', patch.timestamping.uncapped)
  }
  if (patch.deleteOnEmpty === null) delete next.deleteOnEmptyMinAgeSecs
  else if (patch.deleteOnEmpty !== undefined) apply('deleteOnEmptyMinAgeSecs', patch.deleteOnEmpty.minAgeSecs)
  return next
}

/** Throws 422 if the values a patch sets are not allowed. */
export function validatePatch(patch: StreamConfigPatch): void {
  if (patch.retention) validateLayer({ retention: patch.retention })
}

export function patchBasinConfig(config: BasinConfig, patch: BasinConfigPatch): BasinConfig {
  return {
    defaultStreamConfig:
      patch.defaultStreamConfig === null
        ? {}
        : patch.defaultStreamConfig === undefined
          ? config.defaultStreamConfig
          : patchLayer(config.defaultStreamConfig, patch.defaultStreamConfig),
    streamCipher: patch.streamCipher === undefined ? config.streamCipher : patch.streamCipher,
    createStreamOnAppend: patch.createStreamOnAppend ?? config.createStreamOnAppend,
    createStreamOnRead: patch.createStreamOnRead ?? config.createStreamOnRead,
  }
}

function sameRetention(a: RetentionPolicy | undefined, b: RetentionPolicy | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.kind === 'infinite' || b.kind === 'infinite') return a.kind === b.kind
  return a.ageSecs === b.ageSecs
}

/** Equality of layers, keeping an explicit value distinct from an unset one. */
export function sameLayer(a: StreamConfigLayer, b: StreamConfigLayer): boolean {
  return STREAM_FIELDS.every((key) =>
    key === 'retention' ? sameRetention(a.retention, b.retention) : a[key] === b[key],
  )
}

export function sameStreamConfig(a: StreamConfig, b: StreamConfig): boolean {
  return sameLayer(a, b)
}

export function sameBasinConfig(a: BasinConfig, b: BasinConfig): boolean {
  return (
    sameLayer(a.defaultStreamConfig, b.defaultStreamConfig) &&
    a.streamCipher === b.streamCipher &&
    a.createStreamOnAppend === b.createStreamOnAppend &&
    a.createStreamOnRead === b.createStreamOnRead
  )
}

/** Retention in milliseconds, or Infinity. */
export function retentionMs(config: StreamConfig): number {
  return config.retention.kind === 'infinite' ? Infinity : config.retention.ageSecs * 1000
}
