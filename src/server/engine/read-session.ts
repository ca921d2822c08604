import type { Clock, Timer } from '../clock/clock.ts'
import { errors } from '../errors/index.ts'
import {
  MAX_BATCH_METERED_BYTES,
  MAX_BATCH_RECORDS,
  type Collected,
  type ReadCursor,
  type RecordList,
  type StreamPosition,
  type StreamState,
} from '../store/index.ts'
import type { ReadPlan } from './read-params.ts'

export type ReadEvent =
  | {
      readonly type: 'batch'
      readonly records: RecordList
      /** The records' metered bytes. */
      readonly bytes: number
      /** Present on batches delivered while following; absent on catch-up batches. */
      readonly tail: StreamPosition | null
    }
  | { readonly type: 'heartbeat'; readonly tail: StreamPosition }

export interface HeartbeatInterval {
  readonly minMs: number
  readonly maxMs: number
}

/**
 * Records and metered bytes a read has delivered. A resumed read (SSE `Last-Event-ID`) starts from
 * the counts it had, so its limits shrink by what was already consumed.
 */
export interface Delivered {
  readonly count: number
  readonly bytes: number
}

/**
 * The delays a timing profile puts on a session: before its first event, and before each batch
 * it delivers while following (after the records became stable).
 */
export interface SessionPacing {
  firstMs(): number
  deliverMs(): number
  /** A timer for these delays (on the namespace's clock, counted by its timing). */
  setTimer(ms: number, fn: () => void): Timer
}

/** How a session learns that its stream changed. */
export type Watch = (stream: StreamState, onChange: () => void) => () => void

/**
 * One read of one stream, shared by every transport (s2-lite §6.4): catch-up batches from
 * storage, then, if the read may follow, a heartbeat at the tail, live batches with the tail,
 * heartbeats while idle, and an end when a limit is reached or `wait` runs out.
 */
export class ReadSession implements ReadCursor {
  readonly #stream: StreamState
  readonly #plan: ReadPlan
  readonly #clock: Clock
  readonly #watch: Watch
  readonly #heartbeat: HeartbeatInterval
  #next: number
  #phase: 'catchup' | 'follow' | 'done' = 'catchup'
  #deadline: number | null = null
  #nextHeartbeat = 0
  /** Ends a pause of the pacing (see {@link close}). */
  #wakeUp: (() => void) | null = null
  /** Ends the idle wait in progress: a change of the stream, its timer or {@link close}. */
  #waiter: (() => void) | null = null
  /** When the wait #poll asked for ends at the latest (the next heartbeat or the deadline), and when it asked. */
  #waitUntil = 0
  #waitFrom = 0
  /**
   * The session's watch of its stream, from its first idle wait until it is done: a change wakes
   * the wait in progress, if any, so a live batch costs no watch (nor closure) of its own.
   */
  #unwatch: (() => void) | null = null
  readonly #changed = (): void => this.#wake()
  /**
   * The timer of idle waits (next heartbeat or deadline), kept across wake-ups by new records: an
   * early fire only makes the session wait again, so a live batch costs no timer of its own.
   */
  #timer: Timer | null = null
  #timerDue = Infinity
  #closed = false
  /** The reader's encryption key fingerprint, checked against each encrypted record. */
  readonly #keyId: string | null
  readonly #pacing: SessionPacing | null
  /** Whether the first event was paced. */
  #pacedFirst = false
  /** Records and metered bytes delivered so far (SSE event ids carry them). */
  count = 0
  bytes = 0

  constructor(
    stream: StreamState,
    start: number,
    plan: ReadPlan,
    clock: Clock,
    watch: Watch,
    heartbeat: HeartbeatInterval,
    delivered: Delivered = { count: 0, bytes: 0 },
    keyId: string | null = null,
    pacing: SessionPacing | null = null,
  ) {
    this.#keyId = keyId
    this.#pacing = pacing
    this.count = delivered.count
    this.bytes = delivered.bytes
    this.#stream = stream
    this.#next = start
    this.#plan = plan
    this.#clock = clock
    this.#watch = watch
    this.#heartbeat = heartbeat
    stream.cursors.add(this) // records it has yet to deliver stay in memory
  }

  /** Leaves the session done, no longer holding records in memory. */
  #finish(): void {
    this.#phase = 'done'
    this.#stream.cursors.delete(this)
    this.#timer?.cancel()
    this.#timer = null
    this.#unwatch?.()
    this.#unwatch = null
  }

  /** The next sequence number the session delivers from (a {@link ReadCursor} of its stream). */
  get position(): number {
    return this.#next
  }

  /** The stream it reads. */
  get stream(): StreamState {
    return this.#stream
  }

  get done(): boolean {
    return this.#phase === 'done'
  }

  /** Ends the session; a pending `next()` resolves with null. */
  close(): void {
    this.#closed = true
    this.#finish()
    this.#wakeUp?.()
    this.#wake()
  }

  /**
   * The next event, or null once the read is complete: at once when it is ready, else (or when a
   * timing profile paces the session) a promise of it. Throws, or rejects, with an S2Error if the
   * stream is deleted.
   */
  next(): ReadEvent | null | Promise<ReadEvent | null> {
    const pacing = this.#pacing
    if (pacing !== null) return this.#nextPaced(pacing)
    const event = this.#poll()
    return event === undefined ? this.#waitForEvent() : event
  }

  /** Whether a timing profile paces the session: then its events come through {@link next} only. */
  get paced(): boolean {
    return this.#pacing !== null
  }

  /**
   * For an unpaced session: the next event if one is ready now (null: the read is complete), or
   * undefined: none yet, {@link wait} for one. Throws an S2Error if the stream is deleted.
   */
  poll(): ReadEvent | null | undefined {
    return this.#poll()
  }

  /**
   * After {@link poll} found no event: calls `wake` once the session may have one (its stream
   * changed, a heartbeat or the deadline is due, or it was closed). `wake` runs in the middle of
   * whatever woke it (an append, a timer): it should only schedule the next poll.
   */
  wait(wake: () => void): void {
    this.#waiter = wake
    this.#unwatch ??= this.#watch(this.#stream, this.#changed)
    const due = this.#waitUntil
    if (this.#timer !== null && this.#timerDue <= due) return
    this.#timer?.cancel()
    this.#timerDue = due
    this.#timer = this.#clock.setTimer(due - this.#waitFrom, () => {
      this.#timer = null
      this.#timerDue = Infinity
      this.#wake()
    })
  }

  /** The next event, after the delay a timing profile puts on it. */
  async #nextPaced(pacing: SessionPacing): Promise<ReadEvent | null> {
    const polled = this.#poll()
    const event = polled === undefined ? await this.#waitForEvent() : polled
    if (event === null) return event
    const first = !this.#pacedFirst
    this.#pacedFirst = true
    const ms = first ? pacing.firstMs() : event.type === 'batch' && event.tail !== null ? pacing.deliverMs() : 0
    if (ms > 0) await this.#pause(ms, pacing)
    return this.#closed ? null : event
  }

  /** Waits for the next event once #poll found none, as often as it finds none. */
  async #waitForEvent(): Promise<ReadEvent | null> {
    for (;;) {
      await new Promise<void>((resolve) => this.wait(resolve))
      const event = this.#poll()
      if (event !== undefined) return event
    }
  }

  /** The next event, null once the read is complete, or undefined: wait until #waitUntil for one. */
  #poll(): ReadEvent | null | undefined {
    if (this.#stream.removed && this.#phase !== 'done') {
      this.#finish()
      throw this.#stream.removed
    }
    if (this.#phase === 'catchup') {
      const event = this.#catchUp()
      if (event !== undefined) return event
    }
    while (this.#phase === 'follow') {
      if (this.#stream.removed) {
        this.#finish()
        throw this.#stream.removed
      }
      if (this.#stream.deleting) {
        this.#finish()
        throw errors.streamDeletionPending()
      }
      const now = this.#clock.now()
      const stable = this.#stream.stableNext
      if (stable > this.#next) {
        const event = this.#deliver(stable, now, true)
        if (event !== undefined) return event
        continue
      }
      if (this.#deadline !== null && now >= this.#deadline) break
      if (now >= this.#nextHeartbeat) return this.#heartbeatEvent(now)
      this.#waitUntil = Math.min(this.#deadline ?? Infinity, this.#nextHeartbeat)
      this.#waitFrom = now
      return undefined
    }
    this.#finish()
    return null
  }

  /** A catch-up batch, null when the read ended, or undefined once it reaches the tail and follows. */
  #catchUp(): ReadEvent | null | undefined {
    const now = this.#clock.now()
    while (this.#next < this.#stream.stableNext && this.#phase === 'catchup') {
      const event = this.#deliver(this.#stream.stableNext, now, false)
      if (event !== undefined) return event
    }
    if (this.#phase === 'done') return null
    if (!this.#plan.mayFollow || this.#exhausted()) {
      this.#finish()
      return null
    }
    this.#phase = 'follow'
    if (this.#deadline === null && this.#plan.waitMs !== null) this.#deadline = now + this.#plan.waitMs
    return this.#heartbeatEvent(now)
  }

  /**
   * Collects the next batch up to `endSeq`. Returns the batch, null if the read ended without one,
   * or undefined if nothing live was found and the caller should go on.
   */
  #deliver(endSeq: number, now: number, live: boolean): ReadEvent | null | undefined {
    const remainingCount = this.#plan.count - this.count
    const remainingBytes = this.#plan.bytes - this.bytes
    const limits = {
      count: Math.min(remainingCount, MAX_BATCH_RECORDS),
      bytes: Math.min(remainingBytes, MAX_BATCH_METERED_BYTES),
      until: this.#plan.until,
      endSeq,
    }
    const collected = this.#stream.collect(this.#next, limits, now)
    for (let i = 0; i < collected.records.length; i++) {
      const keyId = collected.records.keyId(i)
      if (keyId !== null && keyId !== this.#keyId) {
        this.#finish()
        throw errors.decryptionFailed()
      }
    }
    this.#next = collected.next
    this.count += collected.records.length
    this.bytes += collected.bytes
    if (this.#endsRead(collected, limits.count === remainingCount, limits.bytes === remainingBytes)) {
      this.#finish()
    }
    if (collected.records.length === 0) return this.#phase === 'done' ? null : undefined
    if (this.#plan.waitMs !== null) this.#deadline = now + this.#plan.waitMs
    this.#nextHeartbeat = now + this.#heartbeatDelay()
    return { type: 'batch', records: collected.records, bytes: collected.bytes, tail: live ? this.#stream.tail() : null }
  }

  #endsRead(collected: Collected, countIsSessionLimit: boolean, bytesIsSessionLimit: boolean): boolean {
    switch (collected.stop) {
      case 'until':
        return true
      case 'count':
        return countIsSessionLimit
      case 'bytes':
        return bytesIsSessionLimit
      case 'end':
        return this.#exhausted()
    }
  }

  #exhausted(): boolean {
    return this.count >= this.#plan.count || this.bytes >= this.#plan.bytes
  }

  #heartbeatEvent(now: number): ReadEvent {
    this.#nextHeartbeat = now + this.#heartbeatDelay()
    return { type: 'heartbeat', tail: this.#stream.tail() }
  }

  #heartbeatDelay(): number {
    const { minMs, maxMs } = this.#heartbeat
    return minMs + Math.random() * (maxMs - minMs)
  }

  /** Waits `ms` on the pacing's clock, or until the session is closed. */
  #pause(ms: number, pacing: SessionPacing): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = pacing.setTimer(ms, () => wake())
      const wake = (): void => {
        timer.cancel()
        this.#wakeUp = null
        resolve()
      }
      this.#wakeUp = wake
    })
  }

  /** Ends the idle wait in progress, if any. */
  #wake(): void {
    const waiter = this.#waiter
    if (waiter === null) return
    this.#waiter = null
    waiter()
  }
}
