import type { Clock } from '../clock/clock.ts'
import { ControllableClock } from '../clock/controllable-clock.ts'
import { errors, S2Error } from '../errors/index.ts'
import {
  RecordList,
  Snapshots,
  Store,
  validateBatch,
  type SnapshotInfo,
  type AppendAck,
  type RecordBatch,
  type StreamConfigLayer,
  type StreamPosition,
  type StreamState,
} from '../store/index.ts'
import { Background } from './background.ts'
import { planSessionRead, planUnaryRead, type ReadPlan, type ReadRequest } from './read-params.ts'
import { ReadSession, type Delivered, type HeartbeatInterval } from './read-session.ts'
import { resolveReadStart } from './read-start.ts'
import type { SessionMark } from './stable-points.ts'
import { Timings } from './timing.ts'

export interface EngineOptions {
  readonly clock: Clock
  /** How long deleted basins and streams stay listed before they are purged. */
  readonly purgeDelayMs: number
  /** How long after a trim is appended it is applied to new reads. [default 0] */
  readonly trimDelayMs?: number
  /** Interval of the background work (delete-on-empty, freeing expired records). */
  readonly backgroundIntervalMs: number
  /** Interval between heartbeats of idle read sessions. */
  readonly heartbeat: HeartbeatInterval
}

/**
 * A durable log of the store's changes (src/server/persist/), so that an answer can wait until
 * what it acknowledges is on disk. Absent (null) when the emulator keeps its state in memory only.
 */
export interface Durability {
  /** The number of the latest change recorded (0 before any). */
  readonly lastChange: number
  /** Settles once change `seq` and every one before it are durable; null if they already are. Rejects if the log failed. */
  durable(seq: number): Promise<void> | null
}

/** The stream an append session writes to, fixed when the session opens. */
export interface AppendSessionTarget {
  /**
   * Appends one input, as a unary append would (same rules, same errors): its ack, or under a
   * timing profile a promise of it. Once one input has failed, later ones are refused unapplied.
   */
  append(input: AppendInput): AppendAck | Promise<AppendAck>
  /** Settles once every input appended so far is durable (null: already, or no durable log); its ack waits for it. */
  synced(): Promise<void> | null
  /** Calls `fn` if a reset or restore removes the stream; returns a function that stops watching. */
  onRemoved(fn: (error: S2Error) => void): () => void
}

/** What a reset removes: everything, a namespace, a basin (in a namespace) or a stream. */
export interface ResetScope {
  readonly namespace?: string
  readonly basin?: string
  readonly stream?: string
}

/** Where an operation is aimed: a namespace (`""` without isolation), a basin and a stream. */
export interface StreamAddress {
  readonly namespace: string
  readonly basin: string
  readonly stream: string
  /**
   * Fingerprint of the request's `s2-encryption-key`, if it sent one. Encrypted streams require it
   * on appends and reads; plaintext streams ignore it.
   */
  readonly keyId?: string | null
  /** The config of a stream the request auto-creates (cloud profile: `s2-stream-config`); default: the basin's. */
  readonly autoCreate?: StreamConfigLayer
}

/**
 * Told of every append batch (API, session or seeding) once it is stored: the cloud profile keeps
 * what each stream stored over time for its metrics API.
 */
export type AppendListener = (namespace: string, basin: string, stream: StreamState, ack: AppendAck, now: number) => void

export interface AppendInput {
  readonly records: RecordBatch
  readonly matchSeqNum: number | undefined
  readonly fencingToken: string | undefined
}

/**
 * One namespace's runtime: its clock (which follows the emulator's until the namespace moves its
 * own), the background work that runs on it, and its named snapshots.
 */
export interface Space {
  readonly name: string
  readonly clock: ControllableClock
  readonly background: Background
  readonly snapshots: Snapshots
}

/** The result of a unary read. `tail` is set only when the records came from following. */
export interface UnaryReadResult {
  readonly records: RecordList
  readonly tail: StreamPosition | null
}

/** The key an encrypted stream needs (400 if the request has none); null for plaintext streams. */
export function requireKey(stream: StreamState, address: StreamAddress): string | null {
  if (stream.cipher === null) return null
  if (address.keyId == null) throw errors.missingEncryptionKey(stream.cipher)
  return address.keyId
}

/**
 * The engine runs S2's data plane over the store: appends, reads that follow the tail, and the
 * background work, all on an injected clock.
 */
export class Engine {
  readonly store: Store
  /** The emulator's clock; each namespace's clock runs on it. */
  readonly clock: Clock
  /** Named snapshots of the whole store. */
  readonly snapshots: Snapshots
  /** Set while a durable log records the store's changes (persist/). */
  durability: Durability | null = null
  /** Set by the cloud profile; null (nothing to call) in the lite profile. */
  onAppend: AppendListener | null = null
  readonly #heartbeat: HeartbeatInterval
  readonly #backgroundIntervalMs: number
  readonly #watchers = new Map<StreamState, Set<() => void>>()
  readonly #spaces = new Map<string, Space>()
  #running = false
  /** Timing profiles: the emulator's and each namespace's (none: appends are acknowledged at once). */
  readonly timing: Timings

  constructor(options: EngineOptions) {
    this.clock = options.clock
    this.#heartbeat = options.heartbeat
    this.#backgroundIntervalMs = options.backgroundIntervalMs
    this.store = new Store(
      (namespace) => ({
        streamChanged: (stream) => this.#notify(stream),
        wakeAt: (at) => this.space(namespace).background.wakeAt(at),
      }),
      { purgeDelayMs: options.purgeDelayMs, trimDelayMs: options.trimDelayMs ?? 0 },
    )
    this.snapshots = new Snapshots(this.store, null)
    this.timing = new Timings({
      clockOf: (namespace) => this.space(namespace).clock,
      watch: this.#watch,
      notify: (stream) => this.#notify(stream),
    })
  }

  /** A namespace's runtime, made on first use (cheap: a clock that follows the emulator's, and an idle scheduler). */
  space(namespace: string): Space {
    let space = this.#spaces.get(namespace)
    if (space === undefined) {
      const clock = new ControllableClock('system', undefined, this.clock)
      const background = new Background(() => this.store.existing(namespace), clock, this.#backgroundIntervalMs)
      space = { name: namespace, clock, background, snapshots: new Snapshots(this.store, namespace) }
      this.#spaces.set(namespace, space)
      if (this.#running) background.start()
    }
    return space
  }

  /** The namespace's runtime if it has one. */
  existingSpace(namespace: string): Space | undefined {
    return this.#spaces.get(namespace)
  }

  /** The time in a namespace, on its clock. */
  now(namespace: string): number {
    return this.space(namespace).clock.now()
  }

  /**
   * Removes state at once, as if it never existed: everything, a namespace, a basin or a stream.
   * Sessions reading what was removed end with an error saying so. Namespaces keep their clocks
   * and snapshots (see {@link drop}).
   */
  reset(scope: ResetScope = {}): void {
    const { namespace, basin, stream } = scope
    if (basin === undefined) {
      this.store.reset(namespace)
      return
    }
    const account = this.store.existing(namespace ?? '')
    if (stream === undefined) account?.resetBasin(basin)
    else account?.resetStream(basin, stream)
  }

  /** Forgets a namespace: its data, its clock, its pending background work and its snapshots. */
  drop(namespace: string): void {
    this.store.reset(namespace)
    this.timing.drop(namespace)
    const space = this.#spaces.get(namespace)
    if (space === undefined) return
    space.background.stop()
    this.#spaces.delete(namespace)
  }

  /** Puts a named snapshot of the whole store back, then runs the background work that may have fallen due. */
  restore(name: string): SnapshotInfo {
    const info = this.snapshots.restore(name)
    for (const space of this.#spaces.values()) space.background.run()
    return info
  }

  /** Puts a namespace's named snapshot back, then runs its background work that may have fallen due. */
  restoreNamespace(namespace: string, name: string): SnapshotInfo {
    const space = this.space(namespace)
    const info = space.snapshots.restore(name)
    space.background.run()
    return info
  }

  start(): void {
    this.#running = true
    for (const space of this.#spaces.values()) space.background.start()
  }

  stop(): void {
    this.timing.flushAll()
    this.#running = false
    for (const space of this.#spaces.values()) space.background.stop()
  }

  /** Appends a batch: its ack, or while a timing profile holds appends, a promise of it. */
  append(address: StreamAddress, input: AppendInput): AppendAck | Promise<AppendAck> {
    const batch = validateBatch(input.records, input.matchSeqNum, input.fencingToken)
    const now = this.now(address.namespace)
    const account = this.store.account(address.namespace)
    const stream = account.streamForAppend(address.basin, address.stream, now, address.autoCreate)
    const keyId = requireKey(stream, address)
    const commit = (stableAt?: number): AppendAck => {
      const ack = account.append(stream, batch, now, keyId, stableAt)
      this.onAppend?.(address.namespace, address.basin, stream, ack, now)
      return ack
    }
    const timing = this.timing.active ? this.timing.of(address.namespace) : null
    return timing === null ? commit() : timing.append(address, stream, commit)
  }

  /**
   * Checks that an append session may start (the stream exists or is auto-created, and the key is
   * there if it is encrypted); errors here are plain HTTP responses, not terminal frames.
   */
  openAppendSession(address: StreamAddress): AppendSessionTarget {
    const account = this.store.account(address.namespace)
    const clock = this.space(address.namespace).clock
    const stream = account.streamForAppend(address.basin, address.stream, clock.now(), address.autoCreate)
    const keyId = requireKey(stream, address)
    const session: SessionMark = { failed: false }
    return {
      append: (input) => {
        if (session.failed) throw new S2Error('other', 'an earlier append of this session failed') // never sent: that failure ends it
        const batch = validateBatch(input.records, input.matchSeqNum, input.fencingToken)
        if (stream.removed) throw stream.removed
        const now = clock.now()
        const commit = (stableAt?: number): AppendAck => {
          const ack = account.append(stream, batch, now, keyId, stableAt)
          this.onAppend?.(address.namespace, address.basin, stream, ack, now)
          return ack
        }
        const timing = this.timing.active ? this.timing.of(address.namespace) : null
        return timing === null ? commit() : timing.append(address, stream, commit, session)
      },
      synced: () => {
        const log = this.durability
        return log === null ? null : log.durable(log.lastChange)
      },
      onRemoved: (fn) => this.#watch(stream, () => stream.removed && fn(stream.removed)),
    }
  }

  checkTail(address: StreamAddress): StreamPosition {
    const account = this.store.account(address.namespace)
    return account.streamForRead(address.basin, address.stream, this.now(address.namespace), address.autoCreate).tail()
  }

  /**
   * Opens a streaming read (SSE, S2S). Errors before the first event (404, 409, 416) throw here.
   * `resumeAfter` continues an earlier read: it starts after that sequence number, with its counts.
   */
  openSession(address: StreamAddress, request: ReadRequest, resumeAfter?: { seqNum: number } & Delivered): ReadSession {
    const plan = planSessionRead(request)
    return this.#open(
      address,
      resumeAfter ? { ...plan, start: { kind: 'seqNum', value: resumeAfter.seqNum + 1 } } : plan,
      resumeAfter,
    )
  }

  /** A unary read: the first batch, waiting up to `wait` for one when the read starts at the tail. */
  async readOnce(address: StreamAddress, request: ReadRequest, signal?: AbortSignal): Promise<UnaryReadResult> {
    const session = this.#open(address, planUnaryRead(request), undefined, false)
    const timing = this.timing.active ? this.timing.of(address.namespace) : null
    if (timing !== null) {
      // Its start was resolved on arrival; it collects and answers after its latency.
      const ms = timing.readDelay(address, session.stream)
      if (ms > 0) await timing.sleep(ms)
    }
    const abort = (): void => session.close()
    signal?.addEventListener('abort', abort)
    try {
      for (let event = await session.next(); event !== null; event = await session.next()) {
        if (event.type === 'batch') return { records: event.records, tail: event.tail }
      }
      return { records: RecordList.EMPTY, tail: null }
    } finally {
      session.close()
      signal?.removeEventListener('abort', abort)
    }
  }

  #open(address: StreamAddress, plan: ReadPlan, delivered?: Delivered, paced = true): ReadSession {
    const clock = this.space(address.namespace).clock
    const now = clock.now()
    const stream = this.store.account(address.namespace).streamForRead(address.basin, address.stream, now, address.autoCreate)
    const keyId = requireKey(stream, address)
    // Trimmed records are gone for a read that opens now; trims applied later do not take the
    // records it has yet to deliver (s2-lite deletes in the background, behind open sessions).
    const start = Math.max(resolveReadStart(stream, plan, now), stream.readableFrom(now))
    const timing = paced && this.timing.active ? this.timing.of(address.namespace) : null
    const pacing = timing === null ? null : timing.pacing(address, stream)
    return new ReadSession(stream, start, plan, clock, this.#watch, this.#heartbeat, delivered, keyId, pacing)
  }

  readonly #watch = (stream: StreamState, onChange: () => void): (() => void) => {
    let set = this.#watchers.get(stream)
    if (!set) {
      set = new Set()
      this.#watchers.set(stream, set)
    }
    set.add(onChange)
    return () => {
      const current = this.#watchers.get(stream)
      if (!current?.delete(onChange)) return
      if (current.size === 0) this.#watchers.delete(stream)
    }
  }

  #notify(stream: StreamState): void {
    const set = this.#watchers.get(stream)
    if (!set) return
    for (const onChange of [...set]) onChange()
  }
}
