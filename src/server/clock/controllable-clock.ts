import { systemClock, type Clock, type Timer } from './clock.ts'

interface Pending {
  /** When it is due, in this clock's time. */
  readonly due: number
  readonly order: number
  readonly fn: () => void
  /** The timer on the base clock while this clock runs; null while it is frozen. */
  armed: Timer | null
}

export type ClockMode = 'system' | 'virtual'

/** How many timers may fire at one instant of an advance before it is taken for a runaway loop. */
const MAX_FIRES_PER_INSTANT = 100_000

/**
 * A clock that runs along with a base clock (`system` mode: the base's time plus any offset left by
 * an earlier `set`) or stands still (`virtual` mode: it moves only by `advance` or `set`, which fire
 * every timer that falls due on the way, in order, each seeing `now()` at its due time). So a test
 * can check a 7-day retention in milliseconds. Switching modes keeps pending timers.
 *
 * The emulator's clock runs on the wall clock; each namespace's clock runs on the emulator's clock,
 * so it follows every move of it until the namespace freezes, sets or advances its own.
 */
export class ControllableClock implements Clock {
  readonly #base: Clock
  #mode: ClockMode
  /** Virtual mode: the time. */
  #virtualNow: number
  /** System mode: the offset from the base clock. */
  #offset = 0
  #order = 0
  #touched = false
  readonly #pending = new Set<Pending>()

  constructor(mode: ClockMode = 'system', start?: number, base: Clock = systemClock) {
    this.#base = base
    this.#mode = mode
    this.#virtualNow = start ?? base.now()
    if (mode === 'system' && start !== undefined) this.#offset = start - base.now()
  }

  get mode(): ClockMode {
    return this.#mode
  }

  /** Whether it still runs exactly with its base clock: never frozen, set, advanced or resumed. */
  get followsBase(): boolean {
    return !this.#touched
  }

  now(): number {
    return this.#mode === 'virtual' ? this.#virtualNow : this.#base.now() + this.#offset
  }

  setTimer(ms: number, fn: () => void): Timer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const timer: Pending = { due: this.now() + delay, order: this.#order++, fn, armed: null }
    this.#pending.add(timer)
    if (this.#mode === 'system') this.#arm(timer)
    return {
      cancel: () => {
        timer.armed?.cancel()
        this.#pending.delete(timer)
      },
    }
  }

  /** Stops time at its current value (or at `at`); from now on it moves only by advance or set. */
  freeze(at?: number): void {
    this.#touched = true
    const current = this.now()
    for (const timer of this.#pending) {
      timer.armed?.cancel()
      timer.armed = null
    }
    this.#mode = 'virtual'
    this.#virtualNow = current
    if (at !== undefined) this.set(at)
  }

  /** Lets time run again with the base clock, from where it stands. */
  resume(): void {
    this.#touched = true
    if (this.#mode === 'system') return
    this.#offset = this.#virtualNow - this.#base.now()
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
    this.#touched = true
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
    timer.armed = this.#base.setTimer(timer.due - this.now(), () => {
      timer.armed = null
      if (!this.#pending.delete(timer)) return
      timer.fn()
    })
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
