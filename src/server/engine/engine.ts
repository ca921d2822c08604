import type { Clock } from '../clock/clock.ts'
import { errors, type S2Error } from '../errors/index.ts'
import {
  Snapshots,
  Store,
  validateBatch,
  type SnapshotInfo,
  type AppendAck,
  type AppendRecord,
  type StoredRecord,
  type StreamPosition,
  type StreamState,
} from '../store/index.ts'
import { Background } from './background.ts'
import { planSessionRead, planUnaryRead, type ReadPlan, type ReadRequest } from './read-params.ts'
import { ReadSession, type Delivered, type HeartbeatInterval } from './read-session.ts'
import { resolveReadStart } from './read-start.ts'

export interface EngineOptions {
  readonly clock: Clock
  /** How long deleted basins and streams stay listed before they are purged. */
  readonly purgeDelayMs: number
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
  /** Appends one input, as a unary append would (same rules, same errors). */
  append(input: AppendInput): AppendAck
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
}

export interface AppendInput {
  readonly records: readonly AppendRecord[]
  readonly matchSeqNum: number | undefined
  readonly fencingToken: string | undefined
}

/** The result of a unary read. `tail` is set only when the records came from following. */
export interface UnaryReadResult {
  readonly records: readonly StoredRecord[]
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
  readonly clock: Clock
  readonly background: Background
  readonly snapshots: Snapshots
  /** Set while a durable log records the store's changes (persist/). */
  durability: Durability | null = null
  readonly #heartbeat: HeartbeatInterval
  readonly #watchers = new Map<StreamState, Set<() => void>>()

  constructor(options: EngineOptions) {
    this.clock = options.clock
    this.#heartbeat = options.heartbeat
    this.store = new Store(
      {
        streamChanged: (stream) => this.#notify(stream),
        wakeAt: (at) => this.background.wakeAt(at),
      },
      { purgeDelayMs: options.purgeDelayMs },
    )
    this.background = new Background(this.store, this.clock, options.backgroundIntervalMs)
    this.snapshots = new Snapshots(this.store)
  }

  /**
   * Removes state at once, as if it never existed: everything, a namespace, a basin or a stream.
   * Sessions reading what was removed end with an error saying so.
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

  /** Puts a named snapshot back, then runs the background work that may have fallen due. */
  restore(name: string): SnapshotInfo {
    const info = this.snapshots.restore(name)
    this.background.run()
    return info
  }

  start(): void {
    this.background.start()
  }

  stop(): void {
    this.background.stop()
  }

  append(address: StreamAddress, input: AppendInput): AppendAck {
    const batch = validateBatch(input.records, input.matchSeqNum, input.fencingToken)
    const now = this.clock.now()
    const account = this.store.account(address.namespace)
    const stream = account.streamForAppend(address.basin, address.stream, now)
    return account.append(stream, batch, now, requireKey(stream, address))
  }

  /**
   * Checks that an append session may start (the stream exists or is auto-created, and the key is
   * there if it is encrypted); errors here are plain HTTP responses, not terminal frames.
   */
  openAppendSession(address: StreamAddress): AppendSessionTarget {
    const account = this.store.account(address.namespace)
    const stream = account.streamForAppend(address.basin, address.stream, this.clock.now())
    const keyId = requireKey(stream, address)
    return {
      append: (input) => {
        const batch = validateBatch(input.records, input.matchSeqNum, input.fencingToken)
        if (stream.removed) throw stream.removed
        return account.append(stream, batch, this.clock.now(), keyId)
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
    return account.streamForRead(address.basin, address.stream, this.clock.now()).tail()
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
    const session = this.#open(address, planUnaryRead(request))
    const abort = (): void => session.close()
    signal?.addEventListener('abort', abort)
    try {
      for (let event = await session.next(); event !== null; event = await session.next()) {
        if (event.type === 'batch') return { records: event.records, tail: event.tail }
      }
      return { records: [], tail: null }
    } finally {
      session.close()
      signal?.removeEventListener('abort', abort)
    }
  }

  #open(address: StreamAddress, plan: ReadPlan, delivered?: Delivered): ReadSession {
    const stream = this.store.account(address.namespace).streamForRead(address.basin, address.stream, this.clock.now())
    const keyId = requireKey(stream, address)
    const start = resolveReadStart(stream, plan)
    return new ReadSession(stream, start, plan, this.clock, this.#watch, this.#heartbeat, delivered, keyId)
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
