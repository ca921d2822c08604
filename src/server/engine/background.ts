import type { Clock, Timer } from '../clock/clock.ts'
import type { Store } from '../store/index.ts'

/**
 * The store's background work (s2-lite §9): purging deleted basins and streams when due, deleting
 * empty streams (delete-on-empty) and freeing trimmed or expired records. Runs on the clock's
 * timers, exactly when a purge or a delete-on-empty deadline falls due, and every `intervalMs` to
 * free memory. So a virtual clock advanced by days runs it a handful of times, not once a second.
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

  start(): void {
    this.#stopped = false
    this.wakeAt(this.#clock.now() + this.#intervalMs)
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
    let next = now + this.#intervalMs
    for (const account of this.#store.accounts()) {
      next = Math.min(next, account.deleteEmptyStreams(now))
      next = Math.min(next, account.purgeDue(now))
      account.compact(now)
    }
    this.wakeAt(next)
  }
}
