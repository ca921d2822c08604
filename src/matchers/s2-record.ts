import { colours, hint, type MatcherContext, type MatcherResult } from './context.ts'
import { describeMismatches, inline, show } from './display.ts'
import { checkRecordExpectation, recordMismatches, type S2RecordExpectation } from './record-pattern.ts'
import { toRecordView } from './record-view.ts'

const ASYMMETRIC = Symbol.for('jest.asymmetricMatcher')

/** An asymmetric matcher of one record: `expect(batch.records).toEqual([s2Record({ body: 'a' })])`. */
export interface S2RecordMatcher {
  readonly $$typeof: symbol
  asymmetricMatch(other: unknown): boolean
  toString(): string
  toAsymmetricMatcher(): string
  getExpectedType(): string
}

const matches = (pattern: S2RecordExpectation, other: unknown): boolean => {
  const view = toRecordView(other)
  return view !== null && recordMismatches(pattern, view).length === 0
}

/**
 * Matches a record (from the SDK, as strings or bytes; from the journal; or as the matchers show
 * one) against a body or a partial record. Also `expect.s2Record(...)` once the matchers are
 * registered.
 */
export function s2Record(pattern: S2RecordExpectation): S2RecordMatcher {
  checkRecordExpectation(pattern, '[s2-emulator] s2Record')
  return {
    $$typeof: ASYMMETRIC,
    asymmetricMatch: (other) => matches(pattern, other),
    toString: () => 's2Record',
    toAsymmetricMatcher: () => `s2Record<${inline(show(pattern))}>`,
    getExpectedType: () => 'object',
  }
}

/** The same as a matcher for `expect.extend`, which is what gives `expect.s2Record(...)`. */
export function s2RecordMatcher(this: MatcherContext, received: unknown, pattern: S2RecordExpectation): MatcherResult {
  checkRecordExpectation(pattern, '[s2-emulator] s2Record')
  const view = toRecordView(received)
  const mismatches = view === null ? [] : recordMismatches(pattern, view)
  const pass = view !== null && mismatches.length === 0
  return {
    pass,
    message: () => {
      const c = colours(this)
      const head = hint(this, 's2Record', 'pattern', 'record')
      if (view === null) return `${head}\n\nExpected a record (from the SDK or the journal), received ${c.received(inline(received))}`
      return pass
        ? `${head}\n\nExpected the record not to match ${c.expected(inline(show(pattern)))}, but it does.`
        : `${head}\n\n${describeMismatches(mismatches, c).join('\n')}`
    },
  }
}
