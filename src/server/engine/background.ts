import type { Clock, Timer } from '../clock/clock.ts'
import type { Store } from '../store/index.ts'

/**
 * The store's background work (s2-lite §9): applying trims and purging deleted basins and streams
 * when due, deleting empty streams (delete-on-empty) and freeing trimmed or expired records. Runs
 * on the clock's timers, exactly when a trim, a purge or a delete-on-empty deadline falls due, and,
 * to free memory, when records expire (at most once every `intervalMs`). With nothing due it schedules nothing, so a
 * virtual clock advanced by years runs it only as often as there is work.
 */
export class Background {
  readonly #store: Store
  readonly #clock: Clock
  readonly #intervalMs: number
  #timer: Timer | null = null
  #at = Infinity
  #stopped = true

  constructor(store: Store, clock: Clock, intervalMs: number) {
    this.#store = store
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
    let due = Infinity
    let expiry = Infinity
    for (const account of this.#store.accounts()) {
      due = Math.min(due, account.applyTrims(now), account.deleteEmptyStreams(now), account.purgeDue(now))
      expiry = Math.min(expiry, account.compact(now))
    }
    // Purges and deadlines run exactly when due; freeing expired records at most once an interval.
    this.wakeAt(Math.min(due, expiry === Infinity ? Infinity : Math.max(expiry, now + this.#intervalMs)))
  }
}
