import { SeededRandom } from '../../src/server/faults/random.ts'

/** A small deterministic PRNG (the fault rules' mulberry32), so a failing random case can be replayed. */
export function rng(seed: number): () => number {
  const random = new SeededRandom(seed)
  return () => random.next()
}
