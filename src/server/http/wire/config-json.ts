import type {
  BasinConfig,
  BasinConfigPatch,
  Cipher,
  RetentionPolicy,
  StorageClass,
  StreamConfig,
  StreamConfigLayer,
  StreamConfigPatch,
  TimestampingMode,
} from '../../store/index.ts'
import type { JsonValue } from '../../errors/index.ts'
import { bool, join, jsonError, object, once, optional, repeatsKeys, u64, variant } from './json-decode.ts'

/** JSON shapes of stream and basin configuration (s2-lite `api/src/v1/config.rs`). */

const STORAGE_CLASSES = ['standard', 'express'] as const satisfies readonly StorageClass[]
const MODES = ['client-prefer', 'client-require', 'arrival'] as const satisfies readonly TimestampingMode[]
const CIPHERS = ['aegis-256', 'aes-256-gcm'] as const satisfies readonly Cipher[]

const storageClass = (value: unknown, path: string): StorageClass => variant(value, path, STORAGE_CLASSES)
const mode = (value: unknown, path: string): TimestampingMode => variant(value, path, MODES)
export const cipher = (value: unknown, path: string): Cipher => variant(value, path, CIPHERS)

/** `{"age": secs}` or `{"infinite": {}}`: externally tagged. */
function retention(value: unknown, path: string): RetentionPolicy {
  const obj = object(value, path, 'enum RetentionPolicy')
  const keys = Object.keys(obj)
  if (keys.length !== 1 || repeatsKeys(obj)) {
    throw jsonError(path, 'expected exactly one of `age` or `infinite` in retention_policy')
  }
  if (keys[0] === 'age') return { kind: 'age', ageSecs: u64(obj.age, join(path, 'age')) }
  if (keys[0] === 'infinite') {
    if (obj.infinite !== null) object(obj.infinite, join(path, 'infinite'), 'struct InfiniteRetention')
    return { kind: 'infinite' }
  }
  throw jsonError(path, `unknown variant \`${keys[0]}\`, expected \`age\` or \`infinite\``)
}

/** A stream config as given on create or ensure: every field optional; unknown fields ignored. */
export function decodeStreamConfig(value: unknown, path: string): StreamConfigLayer {
  const obj = object(value, path, 'struct StreamConfig')
  const layer: { -readonly [K in keyof StreamConfig]?: StreamConfig[K] } = {}
  const sc = optional(obj, 'storage_class', path, storageClass)
  if (sc) layer.storageClass = sc
  const rp = optional(obj, 'retention_policy', path, retention)
  if (rp) layer.retention = rp
  const ts = optional(obj, 'timestamping', path, (v, p) => object(v, p, 'struct TimestampingConfig'))
  if (ts) {
    const tsPath = join(path, 'timestamping')
    const m = optional(ts, 'mode', tsPath, mode)
    if (m) layer.timestampingMode = m
    const uncapped = optional(ts, 'uncapped', tsPath, bool)
    if (uncapped !== null && uncapped !== undefined) layer.timestampingUncapped = uncapped
  }
  const doe = optional(obj, 'delete_on_empty', path, (v, p) => object(v, p, 'struct DeleteOnEmptyConfig'))
  if (doe) {
    // Inside the object the field defaults to 0: an explicit "disabled" that overrides basin defaults.
    layer.deleteOnEmptyMinAgeSecs = optional(doe, 'min_age_secs', join(path, 'delete_on_empty'), u64) ?? 0
  }
  return layer
}

/** A stream reconfiguration: per field absent (keep), null (reset) or a value. */
export function decodeStreamPatch(value: unknown, path: string): StreamConfigPatch {
  const obj = object(value, path, 'struct StreamReconfiguration')
  const patch: { -readonly [K in keyof StreamConfigPatch]: StreamConfigPatch[K] } = {}
  patch.storageClass = optional(obj, 'storage_class', path, storageClass)
  patch.retention = optional(obj, 'retention_policy', path, retention)
  patch.timestamping = optional(obj, 'timestamping', path, (v, p) => {
    const ts = object(v, p, 'struct TimestampingReconfiguration')
    return { mode: optional(ts, 'mode', p, mode), uncapped: optional(ts, 'uncapped', p, bool) }
  })
  patch.deleteOnEmpty = optional(obj, 'delete_on_empty', path, (v, p) => {
    const doe = object(v, p, 'struct DeleteOnEmptyReconfiguration')
    return { minAgeSecs: optional(doe, 'min_age_secs', p, u64) }
  })
  return patch
}

/** A plain bool with a serde default: absent is false, null is an error. */
function plainBool(obj: Record<string, unknown>, key: string, path: string): boolean | undefined {
  if (!Object.hasOwn(obj, key)) return undefined
  once(obj, key, path)
  return bool(obj[key], join(path, key))
}

export function decodeBasinConfig(value: unknown, path: string): BasinConfig {
  const obj = object(value, path, 'struct BasinConfig')
  return {
    defaultStreamConfig: optional(obj, 'default_stream_config', path, decodeStreamConfig) ?? {},
    streamCipher: optional(obj, 'stream_cipher', path, cipher) ?? null,
    createStreamOnAppend: plainBool(obj, 'create_stream_on_append', path) ?? false,
    createStreamOnRead: plainBool(obj, 'create_stream_on_read', path) ?? false,
  }
}

export function decodeBasinPatch(value: unknown, path: string): BasinConfigPatch {
  const obj = object(value, path, 'struct BasinReconfiguration')
  const patch: { -readonly [K in keyof BasinConfigPatch]: BasinConfigPatch[K] } = {}
  patch.defaultStreamConfig = optional(obj, 'default_stream_config', path, decodeStreamPatch)
  patch.streamCipher = optional(obj, 'stream_cipher', path, cipher)
  const append = plainBool(obj, 'create_stream_on_append', path)
  if (append !== undefined) patch.createStreamOnAppend = append
  const read = plainBool(obj, 'create_stream_on_read', path)
  if (read !== undefined) patch.createStreamOnRead = read
  return patch
}

// ---- encoding ----

function encodeRetention(policy: RetentionPolicy): JsonValue {
  return policy.kind === 'infinite' ? { infinite: {} } : { age: policy.ageSecs }
}

/** A resolved stream config: all four fields present. */
export function encodeStreamConfig(config: StreamConfig): JsonValue {
  return {
    storage_class: config.storageClass,
    retention_policy: encodeRetention(config.retention),
    timestamping: { mode: config.timestampingMode, uncapped: config.timestampingUncapped },
    delete_on_empty: { min_age_secs: config.deleteOnEmptyMinAgeSecs },
  }
}

/**
 * A basin's default layer: unset fields are null, a wholly unset layer is null. With
 * `storageClass` (the cloud profile's `express`), an unset storage class shows that default, as
 * the service shows it.
 */
function encodeLayer(layer: StreamConfigLayer, storageClass?: StorageClass): JsonValue {
  if (storageClass !== undefined && layer.storageClass === undefined) layer = { ...layer, storageClass }
  if (Object.keys(layer).length === 0) return null
  const hasTimestamping = layer.timestampingMode !== undefined || layer.timestampingUncapped !== undefined
  return {
    storage_class: layer.storageClass ?? null,
    retention_policy: layer.retention ? encodeRetention(layer.retention) : null,
    timestamping: hasTimestamping
      ? { mode: layer.timestampingMode ?? null, uncapped: layer.timestampingUncapped ?? null }
      : null,
    delete_on_empty:
      layer.deleteOnEmptyMinAgeSecs === undefined ? null : { min_age_secs: layer.deleteOnEmptyMinAgeSecs },
  }
}

export function encodeBasinConfig(config: BasinConfig, defaultStorageClass?: StorageClass): JsonValue {
  return {
    default_stream_config: encodeLayer(config.defaultStreamConfig, defaultStorageClass),
    stream_cipher: config.streamCipher,
    create_stream_on_append: config.createStreamOnAppend,
    create_stream_on_read: config.createStreamOnRead,
  }
}

/** Canonical text of a config as the request gave it, for idempotency keys. */
export function canonicalLayer(layer: StreamConfigLayer): string {
  return JSON.stringify(encodeLayer(layer))
}

export function canonicalBasinConfig(config: BasinConfig): string {
  return JSON.stringify(encodeBasinConfig(config))
}
