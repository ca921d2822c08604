import type { JournalEntry } from '../server/journal/journal.ts'
import type { Transport } from '../server/faults/index.ts'
import type { Operation } from '../server/operations.ts'
import { equals, isAsymmetric, isPlainObject, type AsymmetricMatcherLike } from './equality.ts'
import { checkRecordExpectation, describe, recordMismatches, type FieldMismatch, type S2RecordExpectation } from './record-pattern.ts'
import { toRecordView, type S2RecordView } from './record-view.ts'

/**
 * Which requests a test expects the emulator to have received, checked against its journal
 * (WireMock's `verify`). Fields left out are not checked; each may be an asymmetric matcher.
 */
export interface S2RequestPattern {
  /** The S2 operation (`append`, `read`, `check_tail`, `create_stream`, ...), or one of several. */
  readonly operation?: Operation | readonly Operation[] | AsymmetricMatcherLike
  readonly basin?: string | null | AsymmetricMatcherLike
  readonly stream?: string | null | AsymmetricMatcherLike
  readonly transport?: Transport | AsymmetricMatcherLike
  /** The HTTP status answered (null: none was delivered, a fault dropped the connection). */
  readonly status?: number | null | AsymmetricMatcherLike
  /** Request headers that were sent with these values (names in any case). `authorization` and `s2-encryption-key` read `[redacted]`: match them with `expect.any(String)`. */
  readonly headers?: Readonly<Record<string, string | AsymmetricMatcherLike>>
  /** An append's records, all of them, in order (an S2S session's across its inputs); or an asymmetric matcher of the list (`expect.arrayContaining`). */
  readonly records?: readonly S2RecordExpectation[] | AsymmetricMatcherLike
  /** The namespace, by name (on the emulator's journal, which holds every namespace's). */
  readonly namespace?: string | AsymmetricMatcherLike
}

const FIELDS = ['operation', 'basin', 'stream', 'transport', 'status', 'headers', 'records', 'namespace'] as const

export function checkRequestPattern(pattern: unknown, matcher: string): asserts pattern is S2RequestPattern {
  if (!isPlainObject(pattern)) throw new TypeError(`[s2-emulator] ${matcher}: expected a request pattern like { operation, basin, stream, records }, got ${describe(pattern)}`)
  const unknown = Object.keys(pattern).filter((k) => !(FIELDS as readonly string[]).includes(k))
  if (unknown.length > 0) {
    throw new TypeError(`[s2-emulator] ${matcher}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} in a request pattern; the fields are ${FIELDS.join(', ')}`)
  }
  const records = pattern['records']
  if (Array.isArray(records)) records.forEach((r, i) => checkRecordExpectation(r, `[s2-emulator] ${matcher}: records[${i}]`))
  else if (records !== undefined && !isAsymmetric(records)) throw new TypeError(`[s2-emulator] ${matcher}: records must be an array of records or an asymmetric matcher`)
  const headers = pattern['headers']
  if (headers !== undefined && !isPlainObject(headers)) throw new TypeError(`[s2-emulator] ${matcher}: headers must be an object of { name: value }`)
}

/** The records of a journal entry, decoded. */
export function entryRecords(entry: JournalEntry): S2RecordView[] {
  return (entry.records?.items ?? []).map((r) => toRecordView(r) as S2RecordView)
}

function recordsMismatches(expected: NonNullable<S2RequestPattern['records']>, entry: JournalEntry): FieldMismatch[] {
  const kept = entry.records
  if (kept === null) return [{ field: 'records', expected, actual: undefined, note: `a ${entry.operation} carries no records` }]
  const views = entryRecords(entry)
  const partial = kept.evicted
    ? `the journal dropped this entry's records to stay within journalNamespaceBytes`
    : kept.truncated
      ? `the journal kept ${kept.items.length} of ${kept.count} records, within journalRecordBytes`
      : undefined
  if (isAsymmetric(expected)) return expected.asymmetricMatch(views) ? [] : [{ field: 'records', expected, actual: views, ...(partial ? { note: partial } : {}) }]
  if (expected.length !== kept.count) return [{ field: 'records.length', expected: expected.length, actual: kept.count }]
  for (let i = 0; i < expected.length; i++) {
    const view = views[i]
    if (view === undefined) return [{ field: `records[${i}]`, expected: expected[i], actual: undefined, ...(partial ? { note: partial } : {}) }]
    const mismatches = recordMismatches(expected[i] as S2RecordExpectation, view)
    if (mismatches.length > 0) {
      const cut = kept.items[i]?.truncated ? 'the journal kept only the start of this body, within journalRecordBytes' : undefined
      return mismatches.map((m) => ({ ...m, field: m.field === 'record' ? `records[${i}]` : `records[${i}].${m.field}`, ...(cut && !m.note ? { note: cut } : {}) }))
    }
  }
  return []
}

/** How an entry differs from a pattern, field by field; empty when it matches. */
export function requestMismatches(pattern: S2RequestPattern, entry: JournalEntry): FieldMismatch[] {
  const out: FieldMismatch[] = []
  for (const field of FIELDS) {
    const want = pattern[field]
    if (want === undefined) continue
    if (field === 'records') out.push(...recordsMismatches(want as NonNullable<S2RequestPattern['records']>, entry))
    else if (field === 'headers') {
      for (const [name, value] of Object.entries(want as Record<string, unknown>)) {
        const key = name.toLowerCase()
        const have = entry.headers[key]
        if (value === undefined || equals(value, have)) continue
        const note = have === undefined ? 'not sent' : have === '[redacted]' ? 'its value is never kept: match that it was sent with expect.any(String)' : undefined
        out.push({ field: `headers[${JSON.stringify(key)}]`, expected: value, actual: have, ...(note ? { note } : {}) })
      }
    } else if (field === 'operation' && Array.isArray(want)) {
      if (!want.includes(entry.operation)) out.push({ field, expected: want, actual: entry.operation, note: 'none of these' })
    } else {
      const have = entry[field]
      if (!equals(want, have)) out.push({ field, expected: want, actual: have })
    }
  }
  return out
}

/**
 * The mismatches worth showing: for a request of another operation, that it carries no records
 * goes without saying (it still counts in {@link distance}).
 */
export function shownMismatches(mismatches: readonly FieldMismatch[], entry: JournalEntry): FieldMismatch[] {
  if (entry.records === null && mismatches.some((m) => m.field === 'operation')) return mismatches.filter((m) => m.field !== 'records')
  return [...mismatches]
}

/** How far an entry is from the pattern: the fields that failed (a record's several fields count once). */
export const distance = (mismatches: readonly FieldMismatch[]): number => new Set(mismatches.map((m) => m.field.replace(/[[.].*$/, ''))).size

/** `#12 append orders-basin/orders (unary, 200, 2 records)`. */
export function entryLabel(entry: JournalEntry): string {
  const where = entry.basin === null ? '' : ` ${entry.basin}${entry.stream === null ? '' : `/${entry.stream}`}`
  const records = entry.records === null ? '' : `, ${entry.records.count} record${entry.records.count === 1 ? '' : 's'}`
  const status = entry.status === null ? 'no answer' : String(entry.status)
  return `#${entry.seq} ${entry.operation}${where} (${entry.transport}, ${status}${records}${entry.faults.length > 0 ? `, faults: ${entry.faults.join(', ')}` : ''})`
}
