/** How many times: exactly `n` (a number, or `{ times: n }`), or within `{ atLeast, atMost }`. */
export type S2Times = number | { readonly times?: number; readonly atLeast?: number; readonly atMost?: number }

export interface TimesRange {
  readonly min: number
  readonly max: number
  /** `at least once`, `exactly 2 times`, `at most 3 times`, `between 1 and 3 times`, `never`. */
  readonly text: string
}

/** `at least one request`, `exactly 2 requests`, `no request`, `at most 3 requests`, `between 1 and 3 requests`. */
export function howMany(range: TimesRange, noun: string): string {
  const n = (k: number): string => `${k} ${k === 1 ? noun : `${noun}s`}`
  if (range.max === 0) return `no ${noun}`
  if (range.min === range.max) return `exactly ${n(range.min)}`
  if (range.max === Infinity) return range.min === 1 ? `at least one ${noun}` : `at least ${n(range.min)}`
  if (range.min === 0) return `at most ${n(range.max)}`
  return `between ${range.min} and ${n(range.max)}`
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0
const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`)

/** The range a `times` argument means; at least once when absent. A TypeError names a bad one. */
export function timesRange(value: S2Times | undefined, matcher: string): TimesRange {
  if (value === undefined) return { min: 1, max: Infinity, text: 'at least once' }
  const spec = typeof value === 'number' ? { times: value } : value
  const bad = (what: string): TypeError =>
    new TypeError(`[s2-emulator] ${matcher}: ${what}; give a count (2), { times: 2 }, or { atLeast: 1, atMost: 3 }`)
  if (typeof spec !== 'object' || spec === null) throw bad(`times must be a number or an object, got ${String(value)}`)
  for (const [key, n] of Object.entries(spec)) {
    if (!['times', 'atLeast', 'atMost'].includes(key)) throw bad(`unknown field "${key}" in times`)
    if (n !== undefined && !isCount(n)) throw bad(`${key} must be an integer >= 0, got ${String(n)}`)
  }
  if (spec.times !== undefined) {
    if (spec.atLeast !== undefined || spec.atMost !== undefined) throw bad('times cannot be combined with atLeast or atMost')
    return { min: spec.times, max: spec.times, text: spec.times === 0 ? 'never' : `exactly ${times(spec.times)}` }
  }
  const min = spec.atLeast ?? 0
  const max = spec.atMost ?? Infinity
  if (min > max) throw bad(`atLeast (${min}) is more than atMost (${max})`)
  if (max === Infinity) return { min, max, text: `at least ${times(min)}` }
  if (min === 0) return { min, max, text: `at most ${times(max)}` }
  return { min, max, text: `between ${min} and ${max} times` }
}

export const within = (n: number, range: TimesRange): boolean => n >= range.min && n <= range.max
