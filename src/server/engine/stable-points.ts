import type { Clock, Timer } from '../clock/clock.ts'
import { S2Error } from '../errors/index.ts'
import type { AppendAck, StreamPosition, StreamState } from '../store/index.ts'
import type { Watch } from './read-session.ts'

/** An append held until it is stable, or a failed append whose answer waits for what it depended on. */
interface Held {
  /** One past its last record; for a failure, one past the records it depends on. */
  readonly end: number
  /** Its end position (null for a failure, which holds no records). */
  readonly position: StreamPosition | null
  /** When its timing gate passes, on the namespace's clock. */
  readonly due: number
  /** Gates still closed: it becomes stable once none is, and every append before it is stable. */
  holds: number
  /** Whether the timing gate is one of them. */
  timed: boolean
  readonly ackDelayMs: number
  readonly ack: AppendAck | null
  readonly error: S2Error | null
  readonly resolve: (ack: AppendAck) => void
  readonly reject: (error: unknown) => void
}

/**
 * One stream's held appends, in sequence order. Kept while the stream lives (it remembers the
 * last stable and ack times), forgotten when a reset or restore removes the stream.
 */
interface Queue {
  readonly stream: StreamState
  readonly entries: Held[]
  timer: Timer | null
  timerAt: number
  /** Stable times and ack times never go backwards within a stream: acks and reads stay in sequence order. */
  lastDue: number
  lastAckAt: number
  unwatch: () => void
}

/** An append session's state: once one of its appends fails, the later ones are not applied. */
export interface SessionMark {
  failed: boolean
}

/** What the stable point of a held append depends on: the gate times of a timing profile. */
export interface Hold {
  /** When it is stable (at once if not after now and nothing is held before it). */
  readonly due: number
  /** How long after it is stable its ack leaves. */
  readonly ackDelayMs: number
}

/**
 * The stable points of one namespace's streams (s2-lite's `stable_pos`): an append is sequenced
 * at once (positions, timestamps, fencing and `match_seq_num` checked against every record,
 * held or not), and becomes stable (visible to reads, check-tail and followers, and acknowledged)
 * once each of its gates has passed and every append before it is stable. The one gate today is
 * the timing profile's (a flush boundary, a drawn latency); a durable log's fsync would be a
 * second hold on the same entries. A failed conditional append is answered once the records it
 * was checked against are stable, as s2-lite answers it.
 */
export class StablePoints {
  readonly #clock: Clock
  readonly #watch: Watch
  readonly #notify: (stream: StreamState) => void
  readonly #queues = new Map<StreamState, Queue>()
  /** Acks waiting out their delay after their append became stable. */
  readonly #acks = new Set<{ readonly timer: Timer; readonly fire: () => void }>()

  constructor(clock: Clock, watch: Watch, notify: (stream: StreamState) => void) {
    this.#clock = clock
    this.#watch = watch
    this.#notify = notify
  }

  /** Appends held in this namespace, not yet stable. */
  get pending(): number {
    let n = 0
    for (const queue of this.#queues.values()) for (const entry of queue.entries) if (entry.position !== null) n++
    return n
  }

  /**
   * Runs `apply` (which sequences the append, given when it will be stable) under `hold`: the ack
   * at once when it is stable at once with no ack delay, else a promise of it. A condition that
   * fails against held records fails only once they are stable (and marks `session` failed).
   */
  append(stream: StreamState, hold: Hold, apply: (stableAt: number) => AppendAck, session?: SessionMark): AppendAck | Promise<AppendAck> {
    const now = this.#clock.now()
    const existing = this.#queues.get(stream)
    const due = Math.max(hold.due, existing?.lastDue ?? -Infinity)
    if ((existing === undefined || existing.entries.length === 0) && due <= now) {
      const ack = apply(now)
      return this.#ackAfter(stream, existing, ack, hold.ackDelayMs, now)
    }
    const wasHeld = stream.held
    stream.held ??= stream.tail()
    let ack: AppendAck
    try {
      ack = apply(due)
    } catch (error) {
      if (wasHeld === null) stream.held = null
      return this.#failure(stream, error, session)
    }
    const queue = existing ?? this.#queue(stream)
    queue.lastDue = due
    return new Promise<AppendAck>((resolve, reject) => {
      const entry: Held = { end: ack.end.seqNum, position: ack.end, due, holds: 1, timed: true, ackDelayMs: hold.ackDelayMs, ack, error: null, resolve, reject }
      queue.entries.push(entry)
      this.#arm(queue)
    })
  }

  /** Acks of stable appends waiting out their delay. */
  get waiting(): number {
    return this.#acks.size
  }

  /** Makes every held append stable now and sends every ack now (a profile changed, or the emulator stops). */
  flush(): void {
    for (const queue of [...this.#queues.values()]) {
      for (const entry of queue.entries) this.#open(entry)
      this.#advance(queue, true)
      this.#arm(queue)
      queue.lastDue = -Infinity
      queue.lastAckAt = -Infinity
    }
    for (const ack of [...this.#acks]) {
      ack.timer.cancel()
      ack.fire()
    }
  }

  /**
   * Forgets everything (the namespace is dropped): appends still held fail, acks of stable ones
   * waiting out their delay leave now.
   */
  stop(): void {
    for (const queue of [...this.#queues.values()]) this.#fail(queue, queue.stream.removed ?? new S2Error('unavailable', 'the namespace was dropped'))
    for (const ack of [...this.#acks]) {
      ack.timer.cancel()
      ack.fire()
    }
  }

  #queue(stream: StreamState): Queue {
    const queue: Queue = { stream, entries: [], timer: null, timerAt: Infinity, lastDue: -Infinity, lastAckAt: -Infinity, unwatch: () => {} }
    // A reset or restore that removes the stream fails what it still holds.
    queue.unwatch = this.#watch(stream, () => {
      if (stream.removed) this.#fail(queue, stream.removed)
    })
    this.#queues.set(stream, queue)
    return queue
  }

  /** A failed append: thrown now if what it depends on is stable, else answered once it is. */
  #failure(stream: StreamState, error: unknown, session: SessionMark | undefined): Promise<AppendAck> {
    if (!(error instanceof S2Error) || error.code !== 'append_condition_failed') throw error
    const body = error.body as Record<string, unknown>
    const dependsOn = 'fencing_token_mismatch' in body ? stream.fencedAt : stream.log.next
    if (dependsOn <= stream.stableNext) throw error
    if (session) session.failed = true
    const queue = this.#queues.get(stream) as Queue // records are held, so it has a queue
    return new Promise<AppendAck>((resolve, reject) => {
      const entry: Held = { end: dependsOn, position: null, due: -Infinity, holds: 0, timed: false, ackDelayMs: 0, ack: null, error, resolve, reject }
      let at = queue.entries.length
      while (at > 0 && (queue.entries[at - 1] as Held).end > dependsOn) at--
      queue.entries.splice(at, 0, entry)
    })
  }

  #open(entry: Held): void {
    if (!entry.timed) return
    entry.timed = false
    entry.holds--
  }

  /** Arms the stream's timer for the first timing gate still closed. */
  #arm(queue: Queue): void {
    const next = queue.entries.find((e) => e.timed)
    const at = next?.due ?? Infinity
    if (at === queue.timerAt) return
    queue.timer?.cancel()
    queue.timer = null
    queue.timerAt = at
    if (at === Infinity) return
    queue.timer = this.#clock.setTimer(at - this.#clock.now(), () => {
      queue.timer = null
      queue.timerAt = Infinity
      const now = this.#clock.now()
      for (const entry of queue.entries) if (entry.timed && entry.due <= now) this.#open(entry)
      this.#advance(queue, false)
      this.#arm(queue)
    })
  }

  /** Makes stable every entry at the front with no gate closed, wakes the stream's readers, then answers them. */
  #advance(queue: Queue, flushing: boolean): void {
    const { entries, stream } = queue
    let count = 0
    while (count < entries.length && (entries[count] as Held).holds === 0) count++
    if (count === 0) return
    const done = entries.splice(0, count)
    let stable: StreamPosition | null = null
    for (const entry of done) if (entry.position !== null) stable = entry.position
    if (entries.length === 0) stream.held = null
    else if (stable !== null) stream.held = stable
    if (stable !== null) this.#notify(stream)
    const tail = stream.tail()
    const now = this.#clock.now()
    for (const entry of done) {
      if (entry.ack === null) {
        this.#answer(queue, flushing ? 0 : entry.ackDelayMs, now, () => entry.reject(entry.error))
      } else {
        const ack = { start: entry.ack.start, end: entry.ack.end, tail }
        this.#answer(queue, flushing ? 0 : entry.ackDelayMs, now, () => entry.resolve(ack))
      }
    }
  }

  /** The ack of an append stable at once: now, or after its delay and the acks before it. */
  #ackAfter(stream: StreamState, queue: Queue | undefined, ack: AppendAck, delayMs: number, now: number): AppendAck | Promise<AppendAck> {
    if (delayMs === 0 && (queue === undefined || queue.lastAckAt <= now)) return ack
    const q = queue ?? this.#queue(stream)
    return new Promise<AppendAck>((resolve) => this.#answer(q, delayMs, now, () => resolve(ack)))
  }

  /** Calls `fire` `delayMs` from now, and never before the stream's earlier answers. */
  #answer(queue: Queue, delayMs: number, now: number, fire: () => void): void {
    const at = Math.max(now + delayMs, queue.lastAckAt)
    queue.lastAckAt = at
    if (at <= now) {
      fire()
      return
    }
    const pending = {
      timer: this.#clock.setTimer(at - now, () => {
        this.#acks.delete(pending)
        fire()
      }),
      fire: () => {
        this.#acks.delete(pending)
        fire()
      },
    }
    this.#acks.add(pending)
  }

  /** Fails everything the stream holds, and forgets it. */
  #fail(queue: Queue, error: S2Error): void {
    queue.timer?.cancel()
    queue.unwatch()
    this.#queues.delete(queue.stream)
    const entries = queue.entries.splice(0)
    if (entries.length > 0) queue.stream.held = null
    for (const entry of entries) entry.reject(error)
  }
}
