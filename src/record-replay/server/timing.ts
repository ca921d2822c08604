/**
 * How fast a cassette replays: `fast` sends everything as soon as it may (no waits), `recorded`
 * waits the recorded gaps, and a number scales them (`0.5`: half the recorded gaps, `2`: twice).
 */
export type ReplayTiming = 'fast' | 'recorded' | number

/** The factor recorded gaps are multiplied by; validates a number. */
export function timingScale(timing: ReplayTiming): number {
  if (timing === 'fast') return 0
  if (timing === 'recorded') return 1
  if (!Number.isFinite(timing) || timing < 0) throw new RangeError(`timing must be 'fast', 'recorded' or a non-negative number, got ${timing}`)
  return timing
}

/** Waits until `performance.now()` reaches `deadline`, or `signal` aborts. */
export function waitUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  const ms = deadline - performance.now()
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
