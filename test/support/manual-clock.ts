import type { Clock, Timer } from '../../src/index.ts'

interface PendingTimer {
  readonly at: number
  readonly order: number
  readonly fn: () => void
}

/** How many timers one advance may fire at a single instant before it is taken for a runaway loop. */
const MAX_FIRES_PER_INSTANT = 10_000

/**
 * A clock that moves only when a test moves it. Timers fire during `advance`/`set`, in due order
 * (ties in scheduling order), each seeing `now()` equal to its due time.
 */
export class ManualClock implements Clock {
  #now: number
  #order = 0
  #timers = new Set<PendingTimer>()

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    if (!Number.isFinite(start)) throw new RangeError(`start must be finite (got ${start})`)
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimer(ms: number, fn: () => void): Timer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const timer: PendingTimer = { at: this.#now + delay, order: this.#order++, fn }
    this.#timers.add(timer)
    return { cancel: () => void this.#timers.delete(timer) }
  }

  /** How many timers are pending. */
  get pendingTimers(): number {
    return this.#timers.size
  }

  /** When the earliest pending timer is due, or null if none is pending. */
  nextTimerAt(): number | null {
    return this.#earliest()?.at ?? null
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance needs a finite amount >= 0 (got ${ms})`)
    this.#runUntil(this.#now + ms)
  }

  /** Sets the time: forward fires due timers like `advance`; backward fires nothing. */
  set(time: number): void {
    if (!Number.isFinite(time)) throw new RangeError(`set needs a finite time (got ${time})`)
    if (time <= this.#now) this.#now = time
    else this.#runUntil(time)
  }

  #earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined
    for (const t of this.#timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t
    }
    return best
  }

  #runUntil(target: number): void {
    let instant = this.#now
    let firedAtInstant = 0
    for (let due = this.#earliest(); due !== undefined && due.at <= target; due = this.#earliest()) {
      const at = Math.max(due.at, this.#now)
      if (at === instant) {
        if (++firedAtInstant > MAX_FIRES_PER_INSTANT) {
          throw new Error(`a timer keeps rescheduling itself at ${at}; giving up to avoid hanging`)
        }
      } else {
        instant = at
        firedAtInstant = 1
      }
      this.#timers.delete(due)
      this.#now = at
      due.fn()
    }
    this.#now = target
  }
}
