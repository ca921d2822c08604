import { SeededRandom } from '../faults/random.ts'
import type { Range } from './profile.ts'

/** FNV-1a of a string, mixed with a seed: the seed of one sequence of draws. */
function keyedSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5 ^ seed
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * The delays drawn for requests, from one seed. Each kind of delay of each stream (its appends'
 * commits, its reads, one read session's deliveries) draws from its own sequence, so the n-th
 * append to a stream gets the same delay in every run with that seed, however the requests to
 * other streams interleave with it.
 */
export class TimingDraws {
  readonly seed: number
  readonly #sequences = new Map<string, SeededRandom>()
  readonly #counters = new Map<string, number>()

  constructor(seed: number) {
    this.seed = seed
  }

  /** Whole milliseconds in `range`, the next draw of the sequence `key` (no draw for a fixed range). */
  draw([min, max]: Range, key: string): number {
    if (max <= min) return min
    let sequence = this.#sequences.get(key)
    if (sequence === undefined) {
      sequence = new SeededRandom(keyedSeed(this.seed, key))
      this.#sequences.set(key, sequence)
    }
    return min + Math.floor(sequence.next() * (max - min + 1))
  }

  /** 0, 1, 2, ...: how many times `key` was counted before (numbers read sessions of a stream). */
  count(key: string): number {
    const n = this.#counters.get(key) ?? 0
    this.#counters.set(key, n + 1)
    return n
  }
}
