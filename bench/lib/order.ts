import { SeededRandom } from '../../src/server/faults/random.ts'

/**
 * The order of targets in interleaved measurements. A call finds the client's code and the CPU's
 * caches as the call before it left them, so a target that always follows the same call is
 * measured in its wake: with a fixed order, the node reference's raw call always came right after
 * the emulator's (the same client code, warm) and the emulator's after a kinesalite or SDK call.
 * Shuffled each iteration, every target follows each of the others as often. Seeded, so a run's
 * order is the same every time.
 */
export function shuffler(seed: number): <T>(items: readonly T[]) => T[] {
  const random = new SeededRandom(seed)
  return (items) => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1))
      ;[out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]]
    }
    return out
  }
}
