import { colours, hint, type MatcherContext, type MatcherResult } from './context.ts'
import { clipAlone, describeMismatches, inline, listRecords, show, showRecord, shapeOf } from './display.ts'
import { checkRecordExpectation, recordMismatches, type S2RecordExpectation } from './record-pattern.ts'
import type { S2RecordView } from './record-view.ts'
import { streamReader } from './subjects.ts'
import { capital, checkList, holding, plural } from './to-have-records.ts'
import { tracked } from './track.ts'

/** Closest records shown when one is missing. */
const CLOSEST = 3

const position = (record: S2RecordView | undefined, index: number): string =>
  record?.seqNum === undefined ? `record ${index}` : `seqNum ${record.seqNum}`

/** Where each pattern matched, in order, each after the previous one; stops at the first that did not. */
function subsequence(expected: readonly S2RecordExpectation[], records: readonly S2RecordView[]): number[] {
  const found: number[] = []
  let from = 0
  for (const pattern of expected) {
    let i = from
    while (i < records.length && recordMismatches(pattern, records[i] as S2RecordView).length > 0) i++
    if (i === records.length) break
    found.push(i)
    from = i + 1
  }
  return found
}

function missingMessage(
  context: MatcherContext,
  head: string,
  label: string,
  expected: readonly S2RecordExpectation[],
  records: readonly S2RecordView[],
  found: readonly number[],
  single: boolean,
): string {
  const c = colours(context)
  const k = found.length
  const pattern = expected[k] as S2RecordExpectation
  const after = k === 0 ? 0 : (found[k - 1] as number) + 1
  const name = single ? 'the expected record' : `expected[${k}]`
  const lines = [`${capital(label)} holds ${holding(records)}.`]
  const held = k === 1 ? 'expected[0]' : `expected[0..${k - 1}] in order`
  if (k > 0) lines.push(`It holds ${held} (at ${found.map((i) => position(records[i], i)).join(', ')}), but no record after ${position(records[after - 1], after - 1)} matches expected[${k}]:`)
  else lines.push(`No record matches ${name}:`)
  lines.push(`  ${c.expected(inline(clipAlone(show(pattern))))}`)
  const earlier = records.slice(0, after).findIndex((r) => recordMismatches(pattern, r).length === 0)
  if (earlier !== -1) lines.push(`(${position(records[earlier], earlier)} matches it, but comes before the records matched so far: they must be in order)`)
  const candidates = records
    .map((record, index) => ({ record, index, mismatches: recordMismatches(pattern, record) }))
    .slice(after)
    .sort((a, b) => a.mismatches.length - b.mismatches.length || a.index - b.index)
    .slice(0, CLOSEST)
  if (candidates.length > 0) {
    lines.push('', `Closest${k > 0 ? ` after ${position(records[after - 1], after - 1)}` : ''}:`)
    const shape = shapeOf([pattern])
    for (const candidate of candidates) {
      lines.push(`  ${position(candidate.record, candidate.index)}: ${c.received(inline(clipAlone(showRecord(candidate.record, pattern, shape))))}`)
      for (const line of describeMismatches(candidate.mismatches, c)) lines.push(`    ${line}`)
    }
  }
  return `${head}\n\n${lines.join('\n')}`
}

function contains(context: MatcherContext, received: unknown, check: () => readonly S2RecordExpectation[], matcher: string, single: boolean): Promise<MatcherResult> {
  return tracked(context.task, matcher, async () => {
    const expected = check()
    const reader = streamReader(received, context.task, matcher)
    const records = await reader.records()
    const found = subsequence(expected, records)
    const head = hint(context, matcher, single ? 'record' : 'records', 'stream')
    const pass = found.length === expected.length
    return {
      pass,
      message: pass
        ? () => {
            const matched = found.map((i) => records[i] as S2RecordView)
            const lines = listRecords(matched, (r, j) => showRecord(r, expected[j], shapeOf(expected)), colours(context))
            return `${head}\n\nExpected ${reader.label} not to contain ${single ? 'this record' : 'these records in order'}, but it does:\n${lines.join('\n')}`
          }
        : () => missingMessage(context, head, reader.label, expected, records, found, single),
    }
  })
}

/** `expect(stream).toContainRecords([...])`: these records appear in the stream in this order, others may come between. */
export function toContainRecords(this: MatcherContext, received: unknown, expected: readonly S2RecordExpectation[]): Promise<MatcherResult> {
  return contains(this, received, () => {
    checkList(expected, 'toContainRecords')
    return expected
  }, 'toContainRecords', false)
}

/** `expect(stream).toContainRecord(...)`: some record of the stream matches. */
export function toContainRecord(this: MatcherContext, received: unknown, expected: S2RecordExpectation): Promise<MatcherResult> {
  return contains(this, received, () => {
    checkRecordExpectation(expected, '[s2-emulator] toContainRecord: the expected record')
    return [expected]
  }, 'toContainRecord', true)
}

export { plural }
