/** Medians and tails of repeated measurements. */

export interface Summary {
  /** How many samples. */
  readonly n: number
  readonly median: number
  /** The 99th percentile (nearest rank): for times the slow tail, for rates see {@link summarizeRates}. */
  readonly p99: number
  readonly min: number
  readonly max: number
}

/** The value at percentile `p` (0-100) of sorted samples, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

/** Median and p99 of times (or any measure where the tail is the high end). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  }
}

/** Median and p99 of rates (MiB/s, records/s): the p99 is the slow tail, i.e. the 1st percentile of the rates. */
export function summarizeRates(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 1),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  }
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now()

/** Runs `fn` and returns how long it took in milliseconds. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = now()
  await fn()
  return now() - start
}

export const MiB = 1024 * 1024

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
