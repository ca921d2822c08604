import type { Clock } from './clock/clock.ts'
import { ControllableClock } from './clock/controllable-clock.ts'
import { emulatorDefaults } from './defaults.ts'
import { S2EmulatorError } from './errors/index.ts'
import { ruleProblems, type FaultRuleInput } from './faults/index.ts'
import type { InitSpec } from './seed/init-file.ts'
import { persistOptionProblems } from './persist/persistence.ts'
import { newRootToken } from './cloud/root-token.ts'
import { randomSeed } from './faults/random.ts'
import { resolveTiming, timingProblems, type TimingInput, type TimingProfile } from './timing/index.ts'

/** Options of {@link startS2Emulator}; every field is optional. */
export interface S2EmulatorOptions {
  /** TCP port; 0 picks a free one. [default 0] */
  port?: number
  /** Interface to bind. Keep it on loopback unless a container needs more. [default '127.0.0.1'] */
  host?: string
  /**
   * How long a connection may stay silent before it is closed while it has not sent a whole request
   * (nothing yet, part of the HTTP/2 preface, of a request's head or of its body), or while an
   * HTTP/2 connection has no request open. Sessions (reads and S2S appends, which may stay quiet
   * for as long as the client likes) and requests being answered are never cut. [default 30000]
   */
  idleTimeoutMs?: number
  /** Connections open at once; more are closed as soon as they are accepted. [default 4096] */
  maxConnections?: number
  /** Send s2-lite's permissive CORS headers. [default true] */
  cors?: boolean
  /**
   * How long a deleted basin or stream stays listed with `deleted_at` (blocking its name with
   * 409 `*_deletion_pending`) before it is purged. s2-lite takes milliseconds for streams and up
   * to a minute for basins that had streams. [default 100]
   */
  deletionDelayMs?: number
  /**
   * How long after a trim command is appended its records leave new reads: background work
   * deletes them then, as s2-lite's stream-trim task does milliseconds after the trim is durable.
   * Read sessions already open keep delivering the records they had not reached. On a virtual
   * clock, advancing it applies the trim. [default 100]
   */
  trimDelayMs?: number
  /** Interval of background work: delete-on-empty checks and freeing expired records. [default 1000] */
  backgroundIntervalMs?: number
  /**
   * Interval between heartbeats of idle read sessions, as `[min, max]` milliseconds (each one is
   * drawn at random between them) or one fixed number. [default [5000, 15000], as s2-lite]
   */
  heartbeatMs?: number | readonly [number, number]
  /**
   * Where time comes from: `'system'` (the wall clock, which the admin API can still freeze and
   * move), `'virtual'` (frozen; it moves only when told to), or a {@link Clock} of your own.
   * [default 'system']
   */
  clock?: 'system' | 'virtual' | Clock
  /** The clock's time at start (ms since the epoch, or an ISO 8601 string). [default now] */
  startTime?: number | string
  /**
   * `'token'` gives each distinct bearer token its own account (basins, streams, faults), so tests
   * sharing one emulator never see each other; `'none'` ignores tokens, like s2-lite. [default 'none']
   */
  isolation?: 'none' | 'token'
  /** Fault rules armed from the start (see the README's fault section). [default none] */
  faults?: readonly FaultRuleInput[]
  /**
   * Entries the request journal keeps per namespace (the newest; see the README's journal
   * section); 0 turns it off. [default 1000]
   */
  journalSize?: number
  /**
   * Bytes of record content (bodies, header names and values) the journal keeps per append entry
   * (an S2S session's: across its inputs), so tests can check what was appended; past it, later
   * records are not kept and the last one is cut short. 0 keeps none (entries still count the
   * records). [default 65536]
   */
  journalRecordBytes?: number
  /**
   * Bytes of record content the journal keeps per namespace, across its entries; past it, the
   * oldest entries lose their records (the entries stay). [default 16777216 (16 MiB)]
   */
  journalNamespaceBytes?: number
  /** Seed of the generator that fault probabilities and latency ranges draw from. [default random, reported by the admin API] */
  faultSeed?: number
  /**
   * Basins and streams to ensure before the first request: the path of an s2-lite init file, or the
   * spec as an object (see the README's seeding section). [default none]
   */
  init?: string | InitSpec
  /** Records to append at start, after `init`: paths of `.json` (array) or `.ndjson` files. [default none] */
  records?: string | readonly string[]
  /**
   * A snapshot file (written by `snapshots.export` or `--persist`) to load at start: the emulator
   * starts with its state. With `persistDir`, used only while that directory holds no state yet.
   * [default none]
   */
  snapshotFile?: string
  /**
   * A directory keeping the state across restarts, like s2-lite's `--local-root`: every change is
   * appended to a log there, and an append (or any change) is acknowledged only once it is on
   * disk, so a crash loses nothing acknowledged; the whole state is written to `<dir>/state.s2snap`
   * now and then and by `stop()` (docs/persist-log.md). [default none: memory only]
   */
  persistDir?: string
  /**
   * The only directory the admin API may read and write snapshot files in by path (export and
   * import by path on the emulator's machine). Without it, snapshot files move only as bytes
   * (the client's `export`/`import`, or download/upload), so no web page can make the emulator
   * touch a file. [default none]
   */
  snapshotDir?: string
  /**
   * A token the admin API requires (`Authorization: Bearer <token>`), for an emulator reachable by
   * others (a shared CI service, a container with a published port). The S2 API is not affected.
   * [default none]
   */
  adminToken?: string
  /**
   * With `persistDir`: how long the first change of a group waits for more before the group is
   * written (and fsynced) with one call, as s2-lite's flush interval; answers wait for it. 0
   * writes at the next turn of the event loop. [default 5]
   */
  persistFlushIntervalMs?: number
  /**
   * With `persistDir`: fsync each group before acknowledging it, so acknowledged changes survive a
   * crash of the machine; false acknowledges once the OS has the bytes, which survives a crash of
   * the emulator's process only. [default true]
   */
  persistFsync?: boolean
  /**
   * Whose behaviour to reproduce: `'lite'` (s2-lite's exactly: tokens are ignored; access tokens,
   * metrics and locations answer 501) or `'cloud'` (the s2.dev service's where it differs: access
   * tokens issued and enforced with 401/403, the metrics API, locations, the service's defaults).
   * See the README's profile table. [default 'lite']
   */
  profile?: 'lite' | 'cloud'
  /**
   * Cloud profile: the root token, which may do everything (in `default`, or with isolation in its
   * own namespace). Printed by the CLI as `S2_ACCESS_TOKEN`. [default a new random one]
   */
  rootToken?: string
  /**
   * How long S2's work takes: `'instant'` (at once), `'lite'` (s2-lite in memory: an append is
   * acknowledged, and visible to reads, at its next 5 ms flush), `'cloud'` (s2.dev's latencies per
   * storage class), or a spec with delays, jitter and a seed (see the README's timing section).
   * Namespaces follow it until they set their own. [default 'instant']
   */
  timing?: TimingInput
}

export interface ResolvedOptions {
  readonly isolation: 'none' | 'token'
  readonly port: number
  readonly host: string
  readonly idleTimeoutMs: number
  readonly maxConnections: number
  readonly cors: boolean
  readonly deletionDelayMs: number
  readonly trimDelayMs: number
  readonly backgroundIntervalMs: number
  readonly heartbeat: { readonly minMs: number; readonly maxMs: number }
  readonly clock: Clock | ControllableClock
  readonly faultSeed: number | undefined
  readonly faults: readonly FaultRuleInput[]
  readonly journalSize: number
  readonly journalRecordBytes: number
  readonly journalNamespaceBytes: number
  readonly snapshotDir: string | null
  readonly adminToken: string | null
  readonly persistFlushIntervalMs: number
  readonly persistFsync: boolean
  readonly profile: 'lite' | 'cloud'
  /** The cloud profile's root token; null in the lite profile. */
  readonly rootToken: string | null
  /** The emulator's timing profile; null for `instant` with nothing set. */
  readonly timing: TimingProfile | null
}

export { emulatorDefaults }

const isDuration = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0

/** Validates options once, listing every problem, and returns them resolved and frozen. */
export function resolveOptions(input: S2EmulatorOptions = {}): ResolvedOptions {
  const o = { ...emulatorDefaults, clock: 'system' as const, isolation: 'none' as const, ...input }
  const problems: string[] = []
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    problems.push(`port must be an integer from 0 to 65535 (got ${String(o.port)})`)
  }
  if (typeof o.host !== 'string' || o.host === '') problems.push('host must be a non-empty string')
  if (typeof o.cors !== 'boolean') problems.push('cors must be true or false')
  if (!isDuration(o.idleTimeoutMs) || o.idleTimeoutMs < 1 || o.idleTimeoutMs > 2 ** 31 - 1) {
    problems.push(`idleTimeoutMs must be a number of milliseconds from 1 to 2147483647 (got ${String(o.idleTimeoutMs)})`)
  }
  if (!Number.isSafeInteger(o.maxConnections) || o.maxConnections < 1) {
    problems.push(`maxConnections must be an integer >= 1 (got ${String(o.maxConnections)})`)
  }
  if (!isDuration(o.deletionDelayMs)) problems.push('deletionDelayMs must be a number of milliseconds >= 0')
  if (!isDuration(o.trimDelayMs)) problems.push('trimDelayMs must be a number of milliseconds >= 0')
  if (!isDuration(o.backgroundIntervalMs) || o.backgroundIntervalMs < 1) {
    problems.push('backgroundIntervalMs must be a number of milliseconds >= 1')
  }
  const [minMs, maxMs] = typeof o.heartbeatMs === 'number' ? [o.heartbeatMs, o.heartbeatMs] : o.heartbeatMs
  if (!isDuration(minMs) || !isDuration(maxMs) || minMs < 1 || minMs > maxMs) {
    problems.push('heartbeatMs must be a number of milliseconds >= 1, or [min, max] with 1 <= min <= max')
  }
  if (o.faultSeed !== undefined && !(Number.isInteger(o.faultSeed) && o.faultSeed >= 0 && o.faultSeed <= 0xffffffff)) {
    problems.push('faultSeed must be an integer from 0 to 4294967295')
  }
  const faults = o.faults ?? []
  if (!Array.isArray(faults)) problems.push('faults must be an array of fault rules')
  else {
    const ids = new Set<string>()
    faults.forEach((rule, i) => {
      problems.push(...ruleProblems(rule).map((p) => `faults[${i}].${p}`))
      const id = (rule as { id?: unknown })?.id
      if (typeof id === 'string' && ids.has(id)) problems.push(`faults[${i}].id: "${id}" is used by an earlier rule`)
      if (typeof id === 'string') ids.add(id)
    })
  }
  if (!Number.isSafeInteger(o.journalSize) || o.journalSize < 0) {
    problems.push(`journalSize must be an integer >= 0 (got ${String(o.journalSize)})`)
  }
  for (const name of ['journalRecordBytes', 'journalNamespaceBytes'] as const) {
    if (!Number.isSafeInteger(o[name]) || o[name] < 0) problems.push(`${name} must be an integer >= 0 (got ${String(o[name])})`)
  }
  problems.push(...persistOptionProblems(o))
  if (o.snapshotDir !== undefined && (typeof o.snapshotDir !== 'string' || o.snapshotDir === '')) problems.push('snapshotDir must be a non-empty path')
  if (o.adminToken !== undefined && (typeof o.adminToken !== 'string' || !/^[\x21-\x7e]{1,512}$/.test(o.adminToken))) {
    problems.push('adminToken must be 1 to 512 printable ASCII characters without spaces')
  }
  problems.push(...persistOptionProblems({ ...o, flushIntervalMs: o.persistFlushIntervalMs, fsync: o.persistFsync }))
  if (o.timing !== undefined) problems.push(...timingProblems(o.timing).map((p) => (p.startsWith('timing') ? p : `timing.${p}`)))
  if (o.isolation !== 'none' && o.isolation !== 'token') problems.push(`isolation must be 'none' or 'token' (got ${String(o.isolation)})`)
  const profile = o.profile ?? 'lite'
  if (profile !== 'lite' && profile !== 'cloud') problems.push(`profile must be 'lite' or 'cloud' (got ${String(profile)})`)
  if (o.rootToken !== undefined && (typeof o.rootToken !== 'string' || !/^[\x21-\x7e]{1,512}$/.test(o.rootToken))) {
    problems.push('rootToken must be 1 to 512 printable ASCII characters without spaces (it is sent as a bearer token)')
  }
  if (o.rootToken !== undefined && profile !== 'cloud') problems.push("rootToken needs profile: 'cloud' (the lite profile ignores tokens, as s2-lite)")
  let start: number | undefined
  if (o.startTime !== undefined) {
    start = typeof o.startTime === 'string' ? Date.parse(o.startTime) : o.startTime
    if (!Number.isFinite(start) || (start as number) < 0 || (start as number) > 8.64e15) {
      problems.push('startTime must be milliseconds since the epoch (from 0 to 8.64e15) or an ISO 8601 time')
    }
  }
  const clockIsObject = typeof o.clock === 'object' && o.clock !== null && typeof o.clock.now === 'function'
  if (o.clock !== 'system' && o.clock !== 'virtual' && !clockIsObject) {
    problems.push("clock must be 'system', 'virtual' or an object with now() and setTimer()")
  }
  if (clockIsObject && start !== undefined) problems.push('startTime cannot be combined with a clock object of your own')
  if (problems.length > 0) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `invalid options: ${problems.join('; ')}`)
  return Object.freeze({
    isolation: o.isolation,
    port: o.port,
    host: o.host,
    idleTimeoutMs: o.idleTimeoutMs,
    maxConnections: o.maxConnections,
    cors: o.cors,
    deletionDelayMs: o.deletionDelayMs,
    trimDelayMs: o.trimDelayMs,
    backgroundIntervalMs: o.backgroundIntervalMs,
    heartbeat: Object.freeze({ minMs, maxMs }),
    clock: typeof o.clock === 'string' ? new ControllableClock(o.clock, start) : o.clock,
    faultSeed: o.faultSeed,
    faults,
    journalSize: o.journalSize,
    journalRecordBytes: o.journalRecordBytes,
    journalNamespaceBytes: o.journalNamespaceBytes,
    snapshotDir: o.snapshotDir ?? null,
    adminToken: o.adminToken ?? null,
    persistFlushIntervalMs: o.persistFlushIntervalMs,
    persistFsync: o.persistFsync,
    profile,
    rootToken: profile === 'cloud' ? (o.rootToken ?? newRootToken()) : null,
    timing: o.timing === undefined ? null : resolveTiming(o.timing, randomSeed()),
  })
}
