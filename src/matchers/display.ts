import { isAsymmetric, isBytes, isPlainObject } from './equality.ts'
import { recordMismatches, type FieldMismatch, type S2RecordExpectation, type S2RecordPattern } from './record-pattern.ts'
import type { S2RecordView } from './record-view.ts'

/**
 * Records and patterns turned into values a runner's diff prints well: only the fields the test
 * named, text clipped around the first difference, bytes in hex, fields that match shown the
 * same on both sides (so the diff marks only what differs).
 */

/** Longest text shown whole; longer text is clipped around the first difference. */
const TEXT_LIMIT = 160
/** Bytes shown of a binary value. */
const BYTES_LIMIT = 48

export function showBytes(bytes: Uint8Array): string {
  const hex = [...bytes.subarray(0, BYTES_LIMIT)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  return `<${bytes.length} bytes: ${hex}${bytes.length > BYTES_LIMIT ? ' …' : ''}>`
}

/** A value as shown: bytes in hex, dates as ms; asymmetric matchers as they are (the runner prints them). */
export function show(value: unknown): unknown {
  if (isBytes(value)) return showBytes(value)
  if (value instanceof Date) return value.getTime()
  if (isAsymmetric(value)) return value
  if (Array.isArray(value)) return value.map(show)
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, show(v)]))
  return value
}

/** A time as shown: `1767225600000 (2026-01-01T00:00:00.000Z)`, exact and readable. */
function showTime(ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? String(ms) : `${ms} (${date.toISOString()})`
}

/** A field's value as shown: timestamps (and ranges of them) readable, the rest as {@link show}. */
export function showField(field: string, value: unknown): unknown {
  if (field !== 'timestamp') return show(value)
  if (typeof value === 'number') return showTime(value)
  if (value instanceof Date) return showTime(value.getTime())
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, showField('timestamp', v)]))
  return show(value)
}

/** Which fields records are shown with: the body alone, or the fields the patterns name. */
export type Shape = 'body' | readonly string[]

export function shapeOf(patterns: readonly S2RecordExpectation[]): Shape {
  const keys = new Set<string>()
  let bodies = false
  for (const p of patterns) {
    if (typeof p === 'string' || isBytes(p)) bodies = true
    else if (isPlainObject(p)) for (const k of Object.keys(p)) keys.add(k)
  }
  if (keys.size === 0) return 'body'
  if (bodies) keys.add('body')
  return ['seqNum', 'timestamp', 'command', 'fencingToken', 'trimPoint', 'headers', 'body'].filter((k) => keys.has(k))
}

const headersAsObject = (headers: readonly (readonly [string | Uint8Array, string | Uint8Array])[]): Record<string, unknown> =>
  Object.fromEntries(headers.map(([n, v]) => [typeof n === 'string' ? n : showBytes(n), show(v)]))

/** A record as shown, with the fields of `shape` (or of the pattern it is compared with). */
export function showRecord(view: S2RecordView, pattern: S2RecordExpectation | undefined, shape: Shape): unknown {
  const command = 'command' in view
  let fields: readonly string[]
  if (pattern !== undefined && (typeof pattern === 'string' || isBytes(pattern))) fields = ['body']
  else if (pattern !== undefined && isPlainObject(pattern)) fields = Object.keys(pattern)
  else if (pattern !== undefined) fields = command ? ['seqNum', 'timestamp', 'command', 'fencingToken', 'trimPoint'] : ['seqNum', 'timestamp', 'headers', 'body']
  else fields = shape === 'body' ? ['body'] : shape
  if (command) {
    const { seqNum, timestamp, ...rest } = view
    return show({ ...(fields.includes('seqNum') ? { seqNum } : {}), ...(fields.includes('timestamp') ? { timestamp: showField('timestamp', timestamp) } : {}), ...rest })
  }
  if (fields.length === 1 && fields[0] === 'body' && (pattern === undefined || !isPlainObject(pattern))) return show(view.body)
  const headersAsPairs = isPlainObject(pattern) && Array.isArray((pattern as S2RecordPattern).headers)
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    if (field === 'headers') out[field] = headersAsPairs || !isPlainObject(pattern) ? show(view.headers) : headersAsObject(view.headers)
    else out[field] = showField(field, (view as unknown as Record<string, unknown>)[field])
  }
  return out
}

/**
 * A pattern as shown beside the record it is compared with: where a field matches, the record's
 * value (so the diff shows no difference there); where it does not, the pattern's.
 */
export function showExpected(pattern: S2RecordExpectation, view: S2RecordView | undefined, shape: Shape): unknown {
  const shownPattern = (): unknown =>
    isPlainObject(pattern) ? Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, showField(k, v)])) : show(pattern)
  if (view === undefined) return shownPattern()
  const mismatches = recordMismatches(pattern, view)
  const actual = showRecord(view, pattern, shape)
  if (mismatches.length === 0) return actual
  if (!isPlainObject(pattern)) return shownPattern()
  const failing = new Set(mismatches.map((m) => m.field.replace(/\[.*$/, '')))
  const shownActual = actual as Record<string, unknown>
  return Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, failing.has(k) ? showField(k, v) : shownActual[k]]))
}

/** Clips long text in two parallel values around their first difference, at the same offset. */
export function clipPair(expected: unknown, actual: unknown): [unknown, unknown] {
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (expected.length <= TEXT_LIMIT && actual.length <= TEXT_LIMIT) return [expected, actual]
    let first = 0
    while (first < expected.length && expected[first] === actual[first]) first++
    const start = Math.max(0, first - 40)
    return [clip(expected, start), clip(actual, start)]
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length)
    const e: unknown[] = []
    const a: unknown[] = []
    for (let i = 0; i < n; i++) {
      const [x, y] = clipPair(expected[i], actual[i])
      if (i < expected.length) e.push(x)
      if (i < actual.length) a.push(y)
    }
    return [e, a]
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const e: Record<string, unknown> = {}
    const a: Record<string, unknown> = {}
    for (const k of Object.keys(expected)) e[k] = clipPair(expected[k], actual[k])[0]
    for (const k of Object.keys(actual)) a[k] = clipPair(expected[k], actual[k])[1]
    return [e, a]
  }
  return [clipAlone(expected), clipAlone(actual)]
}

function clip(text: string, start: number): string {
  if (text.length <= TEXT_LIMIT && start === 0) return text
  const end = start + TEXT_LIMIT
  return `${start > 0 ? `…(${start} characters) ` : ''}${text.slice(start, end)}${end < text.length ? ` …(${text.length - end} more characters)` : ''}`
}

/** Long text in a value clipped (from its start). */
export function clipAlone(value: unknown): unknown {
  if (typeof value === 'string') return clip(value, 0)
  if (Array.isArray(value)) return value.map(clipAlone)
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clipAlone(v)]))
  return value
}

/** Colours of the runner (`this.utils`), or none. */
export interface Colours {
  expected(text: string): string
  received(text: string): string
}

/** A value on one line: `{ body: "a", seqNum: 0 }`, asymmetric matchers as the runner names them. */
export function inline(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (isBytes(value)) return showBytes(value)
  if (value instanceof Date) return value.toISOString()
  if (isAsymmetric(value)) {
    const m = value as { toAsymmetricMatcher?: () => string; toString(): string; sample?: unknown }
    if (typeof m.toAsymmetricMatcher === 'function') return m.toAsymmetricMatcher()
    return m.sample === undefined ? m.toString() : `${m.toString()} ${inline(m.sample)}`
  }
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`
  }
  return String(value)
}

/** `  seqNum 3: { body: "a" }`, one line per record (at most `max`, then how many more). */
export function listRecords(records: readonly S2RecordView[], shown: (record: S2RecordView, index: number) => unknown, c: Colours, max = 10): string[] {
  const lines = records.slice(0, max).map((r, i) => `  ${r.seqNum === undefined ? `record ${i}` : `seqNum ${r.seqNum}`}: ${c.received(inline(clipAlone(shown(r, i))))}`)
  if (records.length > max) lines.push(`  (and ${records.length - max} more)`)
  return lines
}

/** `body: expected "a", received "b"`, one line per field. */
export function describeMismatches(mismatches: readonly FieldMismatch[], c: Colours): string[] {
  return mismatches.map((m) => {
    const [e, a] = clipPair(showField(m.field, m.expected), showField(m.field, m.actual))
    const received = m.actual === undefined ? 'nothing' : c.received(inline(a))
    return `${m.field}: expected ${c.expected(inline(e))}, received ${received}${m.note ? ` (${m.note})` : ''}`
  })
}
