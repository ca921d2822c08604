/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence, so a run whose
 * probabilistic faults failed can be replayed exactly.
 */
export class SeededRandom {
  readonly seed: number
  #state: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    this.#state = this.seed
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed when none is given: random, and reported so the run can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32)
}
