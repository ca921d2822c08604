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
  #wakeUp: (() => void) | null = null
  /**
   * The timer of idle waits (next heartbeat or deadline), kept across wake-ups by new records: an
   * early fire only makes the session wait again, so a live batch costs no timer of its own.
   */
  #timer: Timer | null = null
  #timerDue = Infinity
  #timerWake: (() => void) | null = null
  #closed = false
  /** The reader's encryption key fingerprint, checked against each encrypted record. */
  readonly #keyId: string | null
  readonly #pacing: SessionPacing | null
  #paced = false
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
  }

  /** The next event, or null once the read is complete. Throws an S2Error if the stream is deleted. */
  next(): Promise<ReadEvent | null> {
    const pacing = this.#pacing
    return pacing === null ? this.#nextEvent() : this.#nextPaced(pacing)
  }

  /** The next event, after the delay a timing profile puts on it. */
  async #nextPaced(pacing: SessionPacing): Promise<ReadEvent | null> {
    const event = await this.#nextEvent()
    if (event === null) return event
    const first = !this.#paced
    this.#paced = true
    const ms = first ? pacing.firstMs() : event.type === 'batch' && event.tail !== null ? pacing.deliverMs() : 0
    if (ms > 0) await this.#pause(ms, pacing)
    return this.#closed ? null : event
  }

  async #nextEvent(): Promise<ReadEvent | null> {
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
      await this.#sleep(Math.min(this.#deadline ?? Infinity, this.#nextHeartbeat) - now)
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
    return { type: 'batch', records: collected.records, tail: live ? this.#stream.tail() : null }
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

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const unwatch = this.#watch(this.#stream, () => wake())
      const wake = (): void => {
        unwatch()
        this.#wakeUp = null
        this.#timerWake = null
        resolve()
      }
      this.#wakeUp = wake
      this.#timerWake = wake
      const due = this.#clock.now() + ms
      if (this.#timer !== null && this.#timerDue <= due) return
      this.#timer?.cancel()
      this.#timerDue = due
      this.#timer = this.#clock.setTimer(ms, () => {
        this.#timer = null
        this.#timerDue = Infinity
        this.#timerWake?.()
      })
    })
  }
}
