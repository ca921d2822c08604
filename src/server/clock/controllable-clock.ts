import type { Clock, Timer } from './clock.ts'

interface Pending {
  /** When it is due, in this clock's time. */
  readonly due: number
  readonly order: number
  readonly fn: () => void
  handle: ReturnType<typeof setTimeout> | null
}

export type ClockMode = 'system' | 'virtual'

/** How many timers may fire at one instant of an advance before it is taken for a runaway loop. */
const MAX_FIRES_PER_INSTANT = 100_000
/** The longest delay Node's setTimeout honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * The emulator's clock. In `system` mode it follows the wall clock (plus any offset left by an
 * earlier `set`); in `virtual` mode time stands still and moves only by `advance` or `set`, which
 * fire every timer that falls due on the way, in order, each seeing `now()` at its due time. So a
 * test can check a 7-day retention in milliseconds. Switching modes keeps pending timers.
 */
export class ControllableClock implements Clock {
  #mode: ClockMode
  /** Virtual mode: the time. System mode: the offset from `Date.now()`. */
  #virtualNow: number
  #offset = 0
  #order = 0
  readonly #pending = new Set<Pending>()

  constructor(mode: ClockMode = 'system', start?: number) {
    this.#mode = mode
    this.#virtualNow = start ?? Date.now()
    if (mode === 'system' && start !== undefined) this.#offset = start - Date.now()
  }

  get mode(): ClockMode {
    return this.#mode
  }

  now(): number {
    return this.#mode === 'virtual' ? this.#virtualNow : Date.now() + this.#offset
  }

  setTimer(ms: number, fn: () => void): Timer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const timer: Pending = { due: this.now() + delay, order: this.#order++, fn, handle: null }
    this.#pending.add(timer)
    if (this.#mode === 'system') this.#arm(timer)
    return {
      cancel: () => {
        if (timer.handle !== null) clearTimeout(timer.handle)
        this.#pending.delete(timer)
      },
    }
  }

  /** Stops time at its current value (or at `at`); from now on it moves only by advance or set. */
  freeze(at?: number): void {
    const current = this.now()
    for (const timer of this.#pending) {
      if (timer.handle !== null) clearTimeout(timer.handle)
      timer.handle = null
    }
    this.#mode = 'virtual'
    this.#virtualNow = current
    if (at !== undefined) this.set(at)
  }

  /** Lets time run again with the wall clock, from where it stands. */
  resume(): void {
    if (this.#mode === 'system') return
    this.#offset = this.#virtualNow - Date.now()
    this.#mode = 'system'
    for (const timer of this.#pending) this.#arm(timer)
  }

  /** Moves time forward by `ms`, firing due timers on the way (in system mode: shifts the clock). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance needs a duration >= 0 (got ${ms})`)
    this.set(this.now() + ms)
  }

  /** Sets the time. Forward fires the timers that fall due; backward fires nothing. */
  set(time: number): void {
    if (!Number.isFinite(time)) throw new RangeError(`set needs a finite time (got ${time})`)
    if (this.#mode === 'system') {
      this.freeze()
      this.set(time)
      this.resume()
      return
    }
    if (time > this.#virtualNow) this.#runUntil(time)
    this.#virtualNow = time
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#pending.size
  }

  #arm(timer: Pending): void {
    // Node fires a timeout longer than MAX_TIMEOUT_MS after 1 ms; wait in steps instead.
    const delay = Math.min(Math.max(0, timer.due - this.now()), MAX_TIMEOUT_MS)
    timer.handle = setTimeout(() => {
      if (timer.due - this.now() > 0 && delay === MAX_TIMEOUT_MS) return this.#arm(timer)
      this.#pending.delete(timer)
      timer.fn()
    }, delay)
    timer.handle.unref()
  }

  #earliest(): Pending | undefined {
    let best: Pending | undefined
    for (const t of this.#pending) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t
    }
    return best
  }

  #runUntil(target: number): void {
    let instant = -Infinity
    let fires = 0
    for (let next = this.#earliest(); next !== undefined && next.due <= target; next = this.#earliest()) {
      this.#pending.delete(next)
      const at = Math.max(next.due, this.#virtualNow)
      fires = at === instant ? fires + 1 : 1
      instant = at
      if (fires > MAX_FIRES_PER_INSTANT) throw new Error(`a timer keeps rescheduling itself at ${at}; giving up`)
      this.#virtualNow = at
      next.fn()
    }
  }
}
