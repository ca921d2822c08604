/**
 * The order of targets in interleaved measurements. A call finds the client's code and the CPU's
 * caches as the call before it left them, so a target that always follows the same call is
 * measured in its wake: with a fixed order, the node reference's raw call always came right after
 * the emulator's (the same client code, warm) and the emulator's after a kinesalite or SDK call.
 * Shuffled each iteration, every target follows each of the others as often. Seeded, so a run's
 * order is the same every time.
 */
export function shuffler(seed: number): <T>(items: readonly T[]) => T[] {
  let state = seed >>> 0
  // mulberry32: small, fast and uniform enough to order a handful of calls
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (items) => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]]
    }
    return out
  }
}
