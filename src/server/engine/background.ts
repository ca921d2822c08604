import type { Clock, Timer } from '../clock/clock.ts'
import type { Account } from '../store/index.ts'

/**
 * One namespace's background work (s2-lite §9): applying trims and purging deleted basins and
 * streams when due, deleting empty streams (delete-on-empty) and freeing trimmed or expired records.
 * Runs on the clock's timers, exactly when a trim, a purge or a delete-on-empty deadline falls due,
 * and, to free memory, when records expire (at most once every `intervalMs`). With nothing due it
 * schedules nothing, so a virtual clock advanced by years runs it only as often as there is work. It
 * runs on the namespace's clock, so a namespace that moves its own clock moves only its own work.
 */
export class Background {
  readonly #account: () => Account | undefined
  readonly #clock: Clock
  readonly #intervalMs: number
  #timer: Timer | null = null
  #at = Infinity
  #stopped = true

  constructor(account: () => Account | undefined, clock: Clock, intervalMs: number) {
    this.#account = account
    this.#clock = clock
    this.#intervalMs = intervalMs
  }

  /** Starts the timers, doing at once whatever fell due before (e.g. deadlines set while seeding). */
  start(): void {
    this.#stopped = false
    this.run()
  }

  stop(): void {
    this.#stopped = true
    this.#timer?.cancel()
    this.#timer = null
    this.#at = Infinity
  }

  /** Makes sure the work runs no later than `at`. */
  wakeAt(at: number): void {
    if (this.#stopped || at >= this.#at) return
    this.#timer?.cancel()
    this.#at = at
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), () => this.run())
  }

  /** Does all due work now (also while stopped: restores and tests call it directly). */
  run(): void {
    this.#timer?.cancel()
    this.#timer = null
    this.#at = Infinity
    const now = this.#clock.now()
    const account = this.#account()
    if (account === undefined) return
    const due = Math.min(account.applyTrims(now), account.deleteEmptyStreams(now), account.purgeDue(now))
    const expiry = account.compact(now)
    // Purges and deadlines run exactly when due; freeing expired records at most once an interval.
    this.wakeAt(Math.min(due, expiry === Infinity ? Infinity : Math.max(expiry, now + this.#intervalMs)))
  }
}
