/** Bucket lengths of the metrics API's timeseries, in seconds. */
export const INTERVAL_SECONDS = { minute: 60, hour: 3600, day: 86400 } as const

export type Interval = keyof typeof INTERVAL_SECONDS

/** `t` (seconds) rounded down to a multiple of `step` seconds (UTC minutes, hours, days). */
export const alignDown = (t: number, step: number): number => Math.floor(t / step) * step

/** One named timeseries of an accumulation: `[bucket start (s), value]`, oldest first. */
export interface Points {
  readonly name: string
  readonly values: [number, number][]
}

/**
 * Named counters by minute: what happened in each minute of a namespace's clock. Queries add the
 * minutes up into minute, hour or day buckets.
 */
export class MinuteSeries {
  readonly #minutes = new Map<number, Map<string, number>>()

  add(atMs: number, name: string, amount = 1): void {
    const minute = alignDown(Math.floor(atMs / 1000), 60)
    let counts = this.#minutes.get(minute)
    if (counts === undefined) {
      counts = new Map()
      this.#minutes.set(minute, counts)
    }
    counts.set(name, (counts.get(name) ?? 0) + amount)
  }

  /**
   * Every series, in buckets of `interval` whose start lies from `start` (rounded down to the
   * interval) to `end` (seconds): each bucket holds its whole interval. Buckets without data are
   * left out, as the service leaves them out. With `names`, exactly those series are returned (even
   * empty), in that order; without, every series that has data, by name.
   */
  buckets(start: number, end: number, interval: Interval, names: readonly string[] = []): Points[] {
    const step = INTERVAL_SECONDS[interval]
    const first = alignDown(start, step)
    const series = new Map<string, Map<number, number>>(names.map((name) => [name, new Map()]))
    for (const [minute, counts] of this.#minutes) {
      const bucket = alignDown(minute, step)
      if (bucket < first || bucket > end) continue
      for (const [name, amount] of counts) {
        if (amount === 0) continue
        let points = series.get(name)
        if (points === undefined) {
          if (names.length > 0) continue
          points = new Map()
          series.set(name, points)
        }
        points.set(bucket, (points.get(bucket) ?? 0) + amount)
      }
    }
    const ordered = names.length > 0 ? [...series.keys()] : [...series.keys()].sort()
    return ordered.map((name) => ({
      name,
      values: [...(series.get(name) as Map<number, number>)].sort((a, b) => a[0] - b[0]),
    }))
  }
}
