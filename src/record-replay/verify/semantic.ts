import type { JsonValue } from '../cassette/types.ts'
import { preview } from '../match/json-diff.ts'

/** Wall-clock spans (ms since the epoch) of an exchange as recorded and as verified. */
export interface TimeWindows {
  readonly recorded: readonly [number, number]
  readonly actual: readonly [number, number]
}

/** How far from its exchange a time may be and still count as "the server's now". */
export const NOW_SLACK_MS = 60_000

const TIME_KEYS = new Set(['timestamp', 'created_at', 'deleted_at'])

const within = (t: number, [from, to]: readonly [number, number]): boolean => t >= from - NOW_SLACK_MS && t <= to + NOW_SLACK_MS

const asTime = (value: JsonValue | undefined): number | null => {
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    const t = Date.parse(value)
    return Number.isNaN(t) ? null : t
  }
  return null
}

/**
 * Times compare by meaning: equal ones match; otherwise both must be "now" at their exchange (a
 * time the server assigned when it handled the request, in the recording and in the verification).
 * A time the client chose is sent again as recorded, so it must come back equal.
 */
function timeDifference(recorded: JsonValue | undefined, actual: JsonValue | undefined, windows: TimeWindows): string | null {
  if (recorded === actual) return null
  const r = asTime(recorded)
  const a = asTime(actual)
  if (r === null || a === null) return `recorded ${preview(recorded)}, emulator ${preview(actual)}`
  if (within(r, windows.recorded) && within(a, windows.actual)) return null
  if (within(r, windows.recorded)) return `recorded the server's time, emulator ${preview(actual)} (not near the time of the request)`
  return `recorded ${preview(recorded)}, emulator ${preview(actual)}`
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

export interface SemanticOptions {
  readonly windows: TimeWindows
  /** Field names whose values are not compared, wherever they appear. */
  readonly ignore: ReadonlySet<string>
}

/** Where two JSON values differ in meaning, one line each (`path: recorded X, emulator Y`). */
export function semanticDifferences(
  recorded: JsonValue | undefined,
  actual: JsonValue | undefined,
  options: SemanticOptions,
  path = '',
  key = '',
): string[] {
  if (options.ignore.has(key)) return []
  if (TIME_KEYS.has(key)) {
    const difference = timeDifference(recorded, actual, options.windows)
    return difference === null ? [] : [`${path}: ${difference}`]
  }
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    const out: string[] = []
    if (recorded.length !== actual.length) out.push(`${path}: recorded ${recorded.length} item(s), emulator ${actual.length}`)
    for (let i = 0; i < Math.min(recorded.length, actual.length); i++) {
      out.push(...semanticDifferences(recorded[i], actual[i], options, join(path, i), ''))
    }
    return out
  }
  const isObj = (v: JsonValue | undefined): v is { [k: string]: JsonValue } => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (isObj(recorded) && isObj(actual)) {
    const out: string[] = []
    for (const k of [...new Set([...Object.keys(recorded), ...Object.keys(actual)])]) {
      out.push(...semanticDifferences(recorded[k], actual[k], options, join(path, k), k))
    }
    return out
  }
  if (JSON.stringify(recorded) === JSON.stringify(actual)) return []
  return [`${path || 'value'}: recorded ${preview(recorded)}, emulator ${preview(actual)}`]
}
