import { parseDuration } from '../duration.ts'
import { S2Error } from '../errors/index.ts'
import {
  basinNameProblem,
  DEFAULT_BASIN_CONFIG,
  streamNameProblem,
  type Account,
  type BasinConfig,
  type Cipher,
  type ProvisionResult,
  type RetentionPolicy,
  type StorageClass,
  type StreamConfig,
  type StreamConfigLayer,
  type TimestampingMode,
} from '../store/index.ts'

/**
 * s2-lite's init file (`--init-file`, `S2LITE_INIT_FILE`; s2-lite `resource-spec/src/lib.rs`,
 * `lite/src/init.rs`): basins and streams to ensure at start. Durations are humantime strings
 * (`"7days"`, `"1w"`, `"2h 30m"`); unknown fields are rejected everywhere but at the top level.
 */
export interface InitSpec {
  readonly basins?: readonly InitBasinSpec[]
  /**
   * Emulator extension: the bearer token whose namespace (account) to create them in, for
   * `isolation: 'token'` [default '', the namespace of requests without a token]. Ignored without
   * isolation, and by s2-lite (top-level fields are free). A namespace handle's `init` applies the
   * spec in its own namespace.
   */
  readonly namespace?: string
}

export interface InitBasinSpec {
  readonly name: string
  readonly config?: InitBasinConfigSpec | null
  readonly streams?: readonly InitStreamSpec[]
}

export interface InitStreamSpec {
  readonly name: string
  readonly config?: InitStreamConfigSpec | null
}

export interface InitBasinConfigSpec {
  readonly default_stream_config?: InitStreamConfigSpec | null
  readonly stream_cipher?: Cipher | null
  readonly create_stream_on_append?: boolean | null
  readonly create_stream_on_read?: boolean | null
}

export interface InitStreamConfigSpec {
  readonly storage_class?: StorageClass | null
  /** `"infinite"`, or a humantime age such as `"7days"` or `"1w"` (at least one second). */
  readonly retention_policy?: string | null
  readonly timestamping?: { readonly mode?: TimestampingMode | null; readonly uncapped?: boolean | null } | null
  /** `min_age` is a humantime duration; `"0s"` disables delete-on-empty explicitly. */
  readonly delete_on_empty?: { readonly min_age?: string | null } | null
}

/** An init spec checked and turned into store configs, ready to apply. */
export interface InitPlan {
  readonly namespace: string
  readonly basins: readonly {
    readonly name: string
    readonly config: BasinConfig
    readonly streams: readonly { readonly name: string; readonly layer: StreamConfigLayer }[]
  }[]
}

/** What applying a spec did to each basin and stream. */
export interface InitResult {
  /** The name of the namespace it was applied in (`default` without isolation). */
  readonly namespace: string
  readonly basins: {
    readonly name: string
    readonly result: ProvisionResult
    readonly streams: { readonly name: string; readonly result: ProvisionResult }[]
  }[]
}

/** An invalid spec: every problem, each starting with the path of the bad field. */
export class InitSpecError extends Error {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(problems.join('; '))
    this.name = 'InitSpecError'
    this.problems = problems
  }
}

type Fields = Record<string, unknown>

const STORAGE_CLASSES = ['standard', 'express'] as const
const MODES = ['client-prefer', 'client-require', 'arrival'] as const
const CIPHERS = ['aegis-256', 'aes-256-gcm'] as const

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : JSON.stringify(value)

/** Collects problems while walking a spec; each reader returns undefined when the value is bad. */
class Reader {
  readonly problems: string[] = []

  fail(path: string, problem: string): undefined {
    this.problems.push(`${path}: ${problem}`)
    return undefined
  }

  /** An object whose keys are all in `allowed` (serde's `deny_unknown_fields`). */
  object(value: unknown, path: string, allowed: readonly string[] | null): Fields | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `expected an object, got ${describe(value)}`)
    }
    const fields = value as Fields
    if (allowed) {
      for (const key of Object.keys(fields)) {
        if (!allowed.includes(key)) {
          this.fail(join(path, key), `unknown field, expected one of ${allowed.map((k) => `\`${k}\``).join(', ')}`)
        }
      }
    }
    return fields
  }

  /** A field that may be absent or null (both mean unset). */
  optional<T>(fields: Fields, key: string, path: string, read: (value: unknown, path: string) => T | undefined): T | undefined {
    const value = fields[key]
    return value === undefined || value === null ? undefined : read(value, join(path, key))
  }

  string(value: unknown, path: string): string | undefined {
    return typeof value === 'string' ? value : this.fail(path, `expected a string, got ${describe(value)}`)
  }

  bool(value: unknown, path: string): boolean | undefined {
    return typeof value === 'boolean' ? value : this.fail(path, `expected true or false, got ${describe(value)}`)
  }

  variant<T extends string>(value: unknown, path: string, variants: readonly T[]): T | undefined {
    if (typeof value === 'string' && (variants as readonly string[]).includes(value)) return value as T
    return this.fail(path, `expected one of ${variants.map((v) => `"${v}"`).join(', ')}, got ${describe(value)}`)
  }

  /** A humantime duration in whole seconds (fractions of a second are dropped, as s2-lite does). */
  durationSecs(value: unknown, path: string): number | undefined {
    const text = this.string(value, path)
    if (text === undefined) return undefined
    if (/^\s*\d+(\.\d+)?\s*$/.test(text)) {
      return this.fail(path, `invalid duration "${text}": a time unit is needed, like "30s", "1day" or "1w"`)
    }
    const ms = parseDuration(text)
    if (typeof ms !== 'number') return this.fail(path, `invalid duration: ${ms.error}`)
    return Math.floor(ms / 1000)
  }

  array(value: unknown, path: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(path, `expected an array, got ${describe(value)}`)
  }
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

function retention(r: Reader, value: unknown, path: string): RetentionPolicy | undefined {
  const text = r.string(value, path)
  if (text === undefined) return undefined
  if (text.trim().toLowerCase() === 'infinite') return { kind: 'infinite' }
  const secs = r.durationSecs(text, path)
  if (secs === undefined) return undefined
  if (secs === 0) return r.fail(path, `age must be greater than 0 seconds (got "${text}")`)
  return { kind: 'age', ageSecs: secs }
}

function streamLayer(r: Reader, value: unknown, path: string): StreamConfigLayer | undefined {
  const fields = r.object(value, path, ['storage_class', 'retention_policy', 'timestamping', 'delete_on_empty'])
  if (!fields) return undefined
  const layer: { -readonly [K in keyof StreamConfig]?: StreamConfig[K] } = {}
  const storageClass = r.optional(fields, 'storage_class', path, (v, p) => r.variant(v, p, STORAGE_CLASSES))
  if (storageClass !== undefined) layer.storageClass = storageClass
  const policy = r.optional(fields, 'retention_policy', path, (v, p) => retention(r, v, p))
  if (policy !== undefined) layer.retention = policy
  r.optional(fields, 'timestamping', path, (v, p) => {
    const ts = r.object(v, p, ['mode', 'uncapped'])
    if (!ts) return undefined
    const mode = r.optional(ts, 'mode', p, (m, mp) => r.variant(m, mp, MODES))
    if (mode !== undefined) layer.timestampingMode = mode
    const uncapped = r.optional(ts, 'uncapped', p, (u, up) => r.bool(u, up))
    if (uncapped !== undefined) layer.timestampingUncapped = uncapped
    return ts
  })
  r.optional(fields, 'delete_on_empty', path, (v, p) => {
    const doe = r.object(v, p, ['min_age'])
    if (!doe) return undefined
    // Unlike the REST API's `min_age_secs`, an absent `min_age` leaves the field unset.
    const minAge = r.optional(doe, 'min_age', p, (m, mp) => r.durationSecs(m, mp))
    if (minAge !== undefined) layer.deleteOnEmptyMinAgeSecs = minAge
    return doe
  })
  return layer
}

function basinConfig(r: Reader, value: unknown, path: string): BasinConfig | undefined {
  const fields = r.object(value, path, ['default_stream_config', 'stream_cipher', 'create_stream_on_append', 'create_stream_on_read'])
  if (!fields) return undefined
  return {
    defaultStreamConfig: r.optional(fields, 'default_stream_config', path, (v, p) => streamLayer(r, v, p)) ?? {},
    streamCipher: r.optional(fields, 'stream_cipher', path, (v, p) => r.variant(v, p, CIPHERS)) ?? null,
    createStreamOnAppend: r.optional(fields, 'create_stream_on_append', path, (v, p) => r.bool(v, p)) ?? false,
    createStreamOnRead: r.optional(fields, 'create_stream_on_read', path, (v, p) => r.bool(v, p)) ?? false,
  }
}

function requiredName(r: Reader, fields: Fields, path: string): string | undefined {
  if (!Object.hasOwn(fields, 'name')) return r.fail(join(path, 'name'), 'missing field')
  return r.string(fields.name, join(path, 'name'))
}

/**
 * Checks an init spec (the parsed JSON of an init file) and turns it into store configs. Throws an
 * {@link InitSpecError} listing every problem, each naming its field, e.g.
 * `basins[1].streams[0].config.retention_policy: ...`.
 */
export function parseInitSpec(value: unknown): InitPlan {
  const r = new Reader()
  const top = r.object(value, '(top level)', null)
  if (!top) throw new InitSpecError(r.problems)
  const namespace = r.optional(top, 'namespace', '', (v, p) => r.string(v, p)) ?? ''
  const basinList = top.basins === undefined ? [] : (r.array(top.basins, 'basins') ?? [])
  const basins: InitPlan['basins'][number][] = []
  const seenBasins = new Map<string, number>()
  basinList.forEach((entry, i) => {
    const path = join('basins', i)
    const fields = r.object(entry, path, ['name', 'config', 'streams'])
    if (!fields) return
    const name = requiredName(r, fields, path)
    if (name !== undefined) {
      const problem = basinNameProblem(name)
      const first = seenBasins.get(name)
      if (problem) r.fail(join(path, 'name'), `invalid basin name "${name}": ${problem}`)
      else if (first !== undefined) r.fail(join(path, 'name'), `duplicate basin name "${name}" (also basins[${first}])`)
      else seenBasins.set(name, i)
    }
    const config = r.optional(fields, 'config', path, (v, p) => basinConfig(r, v, p)) ?? DEFAULT_BASIN_CONFIG
    const streamList = fields.streams === undefined ? [] : (r.array(fields.streams, join(path, 'streams')) ?? [])
    const streams: { name: string; layer: StreamConfigLayer }[] = []
    const seenStreams = new Map<string, number>()
    streamList.forEach((streamEntry, j) => {
      const streamPath = join(join(path, 'streams'), j)
      const streamFields = r.object(streamEntry, streamPath, ['name', 'config'])
      if (!streamFields) return
      const streamName = requiredName(r, streamFields, streamPath)
      const layer = r.optional(streamFields, 'config', streamPath, (v, p) => streamLayer(r, v, p)) ?? {}
      if (streamName === undefined) return
      const problem = streamNameProblem(streamName)
      const first = seenStreams.get(streamName)
      if (problem) r.fail(join(streamPath, 'name'), `invalid stream name "${streamName}": ${problem}`)
      else if (first !== undefined) {
        r.fail(join(streamPath, 'name'), `duplicate stream name "${streamName}" in basin "${name}" (also ${path}.streams[${first}])`)
      } else seenStreams.set(streamName, j)
      streams.push({ name: streamName, layer })
    })
    if (name !== undefined) basins.push({ name, config, streams })
  })
  if (r.problems.length > 0) throw new InitSpecError(r.problems)
  return { namespace, basins }
}

/**
 * Ensures each basin (its config replaced by the spec's, omitted fields back to defaults), then
 * each of its streams, as s2-lite's init does; applying the same spec again changes nothing. A
 * store error (a basin or stream being deleted) is rethrown with the path of the resource.
 */
export function applyInitPlan(account: Account, plan: InitPlan, now: number, namespace: string): InitResult {
  const result: InitResult = { namespace, basins: [] }
  plan.basins.forEach((basin, i) => {
    const at = (path: string, run: () => ProvisionResult): ProvisionResult => {
      try {
        return run()
      } catch (error) {
        if (!(error instanceof S2Error)) throw error
        throw new S2Error(error.code, `${path}: ${error.message}`, error.status, { code: error.code, message: `${path}: ${error.message}` })
      }
    }
    const basinResult = at(`basins[${i}]`, () => account.ensureBasin(basin.name, basin.config, now).result)
    const streams = basin.streams.map((stream, j) => ({
      name: stream.name,
      result: at(`basins[${i}].streams[${j}]`, () => account.ensureStream(basin.name, stream.name, stream.layer, now).result),
    }))
    result.basins.push({ name: basin.name, result: basinResult, streams })
  })
  return result
}
