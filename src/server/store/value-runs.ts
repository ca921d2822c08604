/**
 * A number per slot of a chunk, kept as runs of equal values: records appended together share
 * their expiry time, and mostly their timestamp, so a run per batch costs less than 8 bytes per
 * record. Run `r` starts at slot `start(r)` and lasts until the next run's start. Slots are added
 * in order.
 */
export class ValueRuns {
  #from: Uint16Array
  #value: Float64Array
  /** Runs held. */
  count: number

  constructor(from: Uint16Array = new Uint16Array(4), value: Float64Array = new Float64Array(4), count = 0) {
    this.#from = from
    this.#value = value
    this.count = count
  }

  /** Adds the value of the next slot: a new run when it differs from the last one's. */
  add(slot: number, value: number): void {
    const runs = this.count
    if (runs > 0 && this.#value[runs - 1] === value) return
    if (runs === this.#from.length) {
      const from = new Uint16Array(runs * 2)
      const values = new Float64Array(runs * 2)
      from.set(this.#from)
      values.set(this.#value)
      this.#from = from
      this.#value = values
    }
    this.#from[runs] = slot
    this.#value[runs] = value
    this.count = runs + 1
  }

  /** Whether `value` is the last run's (adding it would start no run). */
  isLast(value: number): boolean {
    return this.count > 0 && this.#value[this.count - 1] === value
  }

  start(run: number): number {
    return this.#from[run] as number
  }

  value(run: number): number {
    return this.#value[run] as number
  }

  /** The run holding `slot`: the last one starting at or before it. */
  find(slot: number): number {
    const from = this.#from
    let lo = 0
    let hi = this.count - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((from[mid] as number) <= slot) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** A copy to add to: the runs so far, in arrays of its own. */
  copy(): ValueRuns {
    return new ValueRuns(this.#from.slice(), this.#value.slice(), this.count)
  }
}
