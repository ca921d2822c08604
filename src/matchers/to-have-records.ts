import { colours, hint, utilsOf, type MatcherContext, type MatcherResult } from './context.ts'
import { clipPair, listRecords, shapeOf, showExpected, showRecord } from './display.ts'
import { checkRecordExpectation, recordMismatches, type S2RecordExpectation } from './record-pattern.ts'
import type { S2RecordView } from './record-view.ts'
import { streamReader } from './subjects.ts'
import { tracked } from './track.ts'

/** Records shown around the first difference: two before it, the rest after. */
const BEFORE = 2
const WINDOW = 20

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** `3 records (seqNum 0 to 2)`. */
export function holding(records: readonly S2RecordView[]): string {
  if (records.length === 0) return 'no records'
  const first = records[0]?.seqNum
  const last = records.at(-1)?.seqNum
  return `${plural(records.length, 'record')}${first === undefined ? '' : first === last ? ` (seqNum ${first})` : ` (seqNum ${first} to ${last})`}`
}

export function checkList(expected: unknown, matcher: string): asserts expected is readonly S2RecordExpectation[] {
  if (!Array.isArray(expected)) throw new TypeError(`[s2-emulator] ${matcher}: expected an array of records, got ${typeof expected}`)
  expected.forEach((e, i) => checkRecordExpectation(e, `[s2-emulator] ${matcher}: expected[${i}]`))
}

/** Index of the first record that differs from its pattern (or where one list ends first); -1 if none. */
function firstDifference(expected: readonly S2RecordExpectation[], records: readonly S2RecordView[]): number {
  const n = Math.min(expected.length, records.length)
  for (let i = 0; i < n; i++) if (recordMismatches(expected[i] as S2RecordExpectation, records[i] as S2RecordView).length > 0) return i
  return expected.length === records.length ? -1 : n
}

/** `expect(stream).toHaveRecords([...])`: the stream holds exactly these records, in order. */
export function toHaveRecords(this: MatcherContext, received: unknown, expected: readonly S2RecordExpectation[]): Promise<MatcherResult> {
  return tracked(this.task, 'toHaveRecords', async () => {
    checkList(expected, 'toHaveRecords')
    const reader = streamReader(received, this.task, 'toHaveRecords')
    const records = await reader.records()
    const first = firstDifference(expected, records)
    const utils = utilsOf(this)
    const head = hint(this, 'toHaveRecords', 'expected', 'stream')
    const shape = shapeOf(expected)
    if (first === -1) {
      return {
        pass: true,
        message: () => {
          const lines = listRecords(records, (r, i) => showRecord(r, expected[i], shape), colours(this), WINDOW)
          return `${head}\n\nExpected ${reader.label} not to hold exactly these records, but it does: ${holding(records)}:\n${lines.join('\n')}`
        },
      }
    }
    return {
      pass: false,
      message: () => {
        const from = Math.max(0, first - BEFORE)
        const to = Math.min(Math.max(expected.length, records.length), from + WINDOW)
        const e = expected.slice(from, to).map((p, j) => showExpected(p, records[from + j], shape))
        const a = records.slice(from, to).map((r, j) => showRecord(r, expected[from + j], shape))
        const [shownExpected, shownActual] = clipPair(e, a)
        const at = records[first]?.seqNum
        const where =
          first >= records.length
            ? `The stream ends before expected[${first}].`
            : first >= expected.length
              ? `It holds more records than expected, from record ${first}${at === undefined ? '' : ` (seqNum ${at})`} on.`
              : `The first difference is at record ${first}${at === undefined ? '' : ` (seqNum ${at})`}.`
        const notes = [
          from > 0 ? `(the ${plural(from, 'record')} before match, not shown)` : '',
          to < expected.length || to < records.length
            ? `(not shown after: ${plural(Math.max(0, expected.length - to), 'expected record')}, ${plural(Math.max(0, records.length - to), 'received record')})`
            : '',
        ].filter((n) => n !== '')
        const diff = utils.diff(shownExpected, shownActual) ?? `Expected: ${utils.printExpected(shownExpected)}\nReceived: ${utils.printReceived(shownActual)}`
        return `${head}\n\n${capital(reader.label)} holds ${holding(records)}; expected ${plural(expected.length, 'record')}. ${where}\n\n${diff}${notes.length > 0 ? `\n\n${notes.join('\n')}` : ''}`
      },
    }
  })
}

export const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
