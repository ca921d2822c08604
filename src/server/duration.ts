/**
 * Durations as people write them: `500ms`, `30s`, `7d`, `1h 30m`, and humantime's long forms
 * (`7days`, `1week`, `2 hours`), as s2-lite's init files use. A plain number is milliseconds.
 */

const UNITS: Record<string, number> = {
  ns: 1e-6, nsec: 1e-6, nanos: 1e-6,
  us: 1e-3, usec: 1e-3, micros: 1e-3,
  ms: 1, msec: 1, millis: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
  M: 2_630_016_000, month: 2_630_016_000, months: 2_630_016_000,
  y: 31_557_600_000, year: 31_557_600_000, years: 31_557_600_000,
}

/** Milliseconds of a duration, or an error message naming what is wrong. */
export function parseDuration(value: string | number): number | { error: string } {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : { error: `a duration must be >= 0 milliseconds, got ${value}` }
  }
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  const part = /(\d+(?:\.\d+)?)\s*([A-Za-z]+)/gy
  let total = 0
  let seen = false
  let index = 0
  while (index < text.length) {
    while (text[index] === ' ') index++
    if (index >= text.length) break
    part.lastIndex = index
    const match = part.exec(text)
    const unit = match ? UNITS[match[2] as string] : undefined
    if (!match || unit === undefined) {
      return { error: `"${value}" is not a duration: use a number and a unit, like 500ms, 30s, 5m, 2h, 7d or 1w` }
    }
    total += Number(match[1]) * unit
    seen = true
    index = part.lastIndex
  }
  return seen ? total : { error: `"${value}" is not a duration: use a number and a unit, like 30s or 7d` }
}
