import { equals, isAsymmetric, isBytes, isPlainObject, type AsymmetricMatcherLike } from './equality.ts'
import { bytesOf, type S2RecordView } from './record-view.ts'

/**
 * What a test expects of a record: the body alone (text or bytes), a partial record, or an
 * asymmetric matcher. Every field may itself be an asymmetric matcher (`expect.any(Number)`,
 * `expect.stringContaining('x')`).
 */
export type S2RecordExpectation = string | Uint8Array | S2RecordPattern | AsymmetricMatcherLike

/** A timestamp range, both ends included (ms since the epoch or dates). */
export interface S2TimestampRange {
  readonly from?: number | Date
  readonly to?: number | Date
}

/** The fields a record must have; those left out are not checked. */
export interface S2RecordPattern {
  /** Text compares with a body that is valid UTF-8; bytes compare byte for byte. */
  readonly body?: string | Uint8Array | AsymmetricMatcherLike
  /**
   * `{ name: value }`: these headers are present with these values (others may be too);
   * `[[name, value], ...]`: exactly these headers, in this order.
   */
  readonly headers?:
    | Readonly<Record<string, string | Uint8Array | AsymmetricMatcherLike>>
    | readonly (readonly [string | Uint8Array | AsymmetricMatcherLike, string | Uint8Array | AsymmetricMatcherLike])[]
    | AsymmetricMatcherLike
  readonly seqNum?: number | AsymmetricMatcherLike
  /** A time (ms or a Date) or a range `{ from, to }`; `null` for a record the client sent without one (the journal). */
  readonly timestamp?: number | Date | S2TimestampRange | null | AsymmetricMatcherLike
  /** A command record: `fence` or `trim`. */
  readonly command?: 'fence' | 'trim' | AsymmetricMatcherLike
  /** A fence command's token. */
  readonly fencingToken?: string | AsymmetricMatcherLike
  /** A trim command's point: the first sequence number kept. */
  readonly trimPoint?: number | AsymmetricMatcherLike
}

const FIELDS = ['body', 'headers', 'seqNum', 'timestamp', 'command', 'fencingToken', 'trimPoint'] as const

/** One way a record differs from its pattern. */
export interface FieldMismatch {
  /** `body`, `headers`, `headers["type"]`, ... or `record` for a pattern that is a matcher as a whole. */
  readonly field: string
  readonly expected: unknown
  readonly actual: unknown
  /** Why, when "expected X, got Y" would not say it. */
  readonly note?: string
}

/** Checks a pattern is one; throws a TypeError naming what is wrong (a typo must not pass or fail silently). */
export function checkRecordExpectation(expected: unknown, where: string): asserts expected is S2RecordExpectation {
  if (typeof expected === 'string' || isBytes(expected) || isAsymmetric(expected)) return
  if (!isPlainObject(expected)) {
    throw new TypeError(`${where}: expected a body (string or Uint8Array), a record pattern like { body, headers, seqNum, timestamp }, or an asymmetric matcher; got ${describe(expected)}`)
  }
  const unknown = Object.keys(expected).filter((k) => !(FIELDS as readonly string[]).includes(k))
  if (unknown.length > 0) throw new TypeError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} in a record pattern; the fields are ${FIELDS.join(', ')}`)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (isBytes(value)) return `${value.length} bytes`
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value)})` : `${typeof value} ${String(value)}`
}

const asTime = (value: number | Date): number => (value instanceof Date ? value.getTime() : value)

function bodyMatches(expected: unknown, actual: string | Uint8Array): boolean {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual)
  if (typeof expected === 'string') return typeof actual === 'string' && expected === actual
  if (isBytes(expected)) return equals(expected, bytesOf(actual))
  return false
}

const headerName = (name: string | Uint8Array): string => (typeof name === 'string' ? name : new TextDecoder().decode(name))

function headerMismatches(expected: NonNullable<S2RecordPattern['headers']>, actual: S2RecordView & { headers: readonly (readonly [string | Uint8Array, string | Uint8Array])[] }): FieldMismatch[] {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual.headers) ? [] : [{ field: 'headers', expected, actual: actual.headers }]
  if (Array.isArray(expected)) {
    const pairs = expected as readonly (readonly [unknown, unknown])[]
    const same =
      pairs.length === actual.headers.length &&
      pairs.every(([n, v], i) => {
        const [an, av] = actual.headers[i] as readonly [string | Uint8Array, string | Uint8Array]
        return bodyMatches(n, an) && bodyMatches(v, av)
      })
    return same ? [] : [{ field: 'headers', expected, actual: actual.headers }]
  }
  const out: FieldMismatch[] = []
  for (const [name, value] of Object.entries(expected as Record<string, unknown>)) {
    if (value === undefined) continue
    const found = actual.headers.filter(([n]) => headerName(n) === name).map(([, v]) => v)
    if (found.length === 0) out.push({ field: `headers[${JSON.stringify(name)}]`, expected: value, actual: undefined, note: 'no such header' })
    else if (!found.some((v) => bodyMatches(value, v))) out.push({ field: `headers[${JSON.stringify(name)}]`, expected: value, actual: found.length === 1 ? found[0] : found })
  }
  return out
}

/** How `actual` differs from `expected`; empty when it matches. */
export function recordMismatches(expected: S2RecordExpectation, actual: S2RecordView): FieldMismatch[] {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual) ? [] : [{ field: 'record', expected, actual }]
  const pattern: S2RecordPattern = typeof expected === 'string' || isBytes(expected) ? { body: expected } : expected
  const out: FieldMismatch[] = []
  const isCommand = 'command' in actual
  for (const field of FIELDS) {
    const want = pattern[field]
    if (want === undefined) continue
    switch (field) {
      case 'body':
        if (isCommand) out.push({ field, expected: want, actual: undefined, note: `a ${actual.command} command record has no body to match` })
        else if (!bodyMatches(want, actual.body)) out.push({ field, expected: want, actual: actual.body })
        break
      case 'headers':
        if (isCommand) out.push({ field, expected: want, actual: undefined, note: `a ${actual.command} command record` })
        else out.push(...headerMismatches(want as NonNullable<S2RecordPattern['headers']>, actual))
        break
      case 'timestamp': {
        const ts = actual.timestamp
        let ok: boolean
        if (isAsymmetric(want)) ok = want.asymmetricMatch(ts)
        else if (want === null || typeof ts !== 'number') ok = want === ts
        else if (typeof want === 'number' || want instanceof Date) ok = ts === asTime(want)
        else {
          const range = want as S2TimestampRange
          ok = (range.from === undefined || ts >= asTime(range.from)) && (range.to === undefined || ts <= asTime(range.to))
        }
        if (!ok) out.push({ field, expected: want, actual: ts, ...(ts === null ? { note: 'the client gave no timestamp' } : ts === undefined ? { note: 'not known' } : {}) })
        break
      }
      case 'seqNum':
        if (!equals(want, actual.seqNum)) out.push({ field, expected: want, actual: actual.seqNum, ...(actual.seqNum === undefined ? { note: 'records the emulator received have no sequence number yet' } : {}) })
        break
      case 'command':
      case 'fencingToken':
      case 'trimPoint': {
        const have = isCommand ? (actual as unknown as Record<string, unknown>)[field] : undefined
        if (!equals(want, have)) out.push({ field, expected: want, actual: have, ...(isCommand ? {} : { note: 'a data record, not a command' }) })
        break
      }
    }
  }
  return out
}
