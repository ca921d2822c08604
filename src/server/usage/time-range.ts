import { errors } from '../errors/index.ts'
import type { Interval } from './series.ts'

/** How far `end` may lie ahead of the clock (the service allows "some leeway" for clock skew). */
export const END_LEEWAY_SECONDS = 300
/** The longest time range a query may span (the service: "should not exceed 30 days"). */
export const MAX_RANGE_SECONDS = 30 * 86400

export interface RangeQuery {
  readonly start: number | undefined
  readonly end: number | undefined
  readonly interval: Interval | undefined
}

export interface TimeRange {
  /** Seconds since the epoch, inclusive. */
  readonly start: number
  readonly end: number
  readonly interval: Interval
}

/**
 * Checks a metric set's time range against the clock (`nowMs`, the namespace's): both ends given,
 * in order, `end` not in the future, at most 30 days, and an interval the set accepts. Each
 * failure is a 422 `invalid`, as the service answers.
 */
export function checkTimeRange(set: string, query: RangeQuery, nowMs: number, intervals: readonly Interval[]): TimeRange {
  const { start, end, interval } = query
  if (start === undefined || end === undefined) {
    throw errors.invalid(`metric set \`${set}\` requires both a \`start\` and an \`end\` timestamp`)
  }
  if (start > end) throw errors.invalid(`\`start\` (${start}) must not be after \`end\` (${end})`)
  const now = Math.floor(nowMs / 1000)
  if (end > now + END_LEEWAY_SECONDS) {
    throw errors.invalid(`\`end\` (${end}) must not be in the future (now is ${now}, give or take ${END_LEEWAY_SECONDS} seconds)`)
  }
  if (end - start > MAX_RANGE_SECONDS) throw errors.invalid('the time range must not exceed 30 days')
  const chosen = interval ?? (intervals[0] as Interval)
  if (!intervals.includes(chosen)) {
    throw errors.invalid(`metric set \`${set}\` does not accept interval \`${chosen}\`: it accepts ${intervals.map((i) => `\`${i}\``).join(', ')}`)
  }
  return { start, end, interval: chosen }
}
