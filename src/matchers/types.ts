import type { S2RecordMatcher } from './s2-record.ts'
import type { S2RecordExpectation } from './record-pattern.ts'
import type { S2RequestPattern } from './request-pattern.ts'
import type { S2Times } from './times.ts'

/**
 * The matchers, as every runner's `expect(subject)` gets them. All of them read the emulator,
 * so they return a promise: `await expect(...).toHaveRecords([...])`. The subject is a stream
 * (an SDK handle from `basin.stream(name)`, or a `{ basin, stream }` reference read in the
 * test's namespace) or a scope (the namespace handle, e.g. the `s2Emulator` fixture, or the
 * emulator's controls). Each runner's augmentation (`s2-emulator/matchers/vitest`, `.../jest`, ...)
 * adds these to its `expect`.
 */
export interface S2Matchers {
  /** The stream holds exactly these records, in order (each a body, a partial record or an asymmetric matcher). */
  toHaveRecords(records: readonly S2RecordExpectation[]): Promise<void>
  /** These records appear in the stream in this order; others may come before, between and after. */
  toContainRecords(records: readonly S2RecordExpectation[]): Promise<void>
  /** Some record of the stream matches. */
  toContainRecord(record: S2RecordExpectation): Promise<void>
  /** The stream's tail (the next sequence number it assigns, as `checkTail` gives it) is `seqNum`. */
  toHaveTail(seqNum: number): Promise<void>
  /** No record can be read from the stream (none appended, or all trimmed or expired). */
  toBeEmptyStream(): Promise<void>
  /**
   * The namespace (or the emulator, or a `{ basin, stream }`) received requests matching the
   * pattern: at least once, or as `times` says (`2`, `{ atLeast: 1, atMost: 3 }`). Checked
   * against the journal, records included.
   */
  toHaveReceived(request: S2RequestPattern, times?: S2Times): Promise<void>
  /** The fault rule (its id, or the rule `faults.add` returned) fired: at least once, or as `times` says. */
  toHaveFiredFault(rule: string | { readonly id: string }, times?: S2Times): Promise<void>
  /** Every fault rule armed in the namespace (or the emulator) fired at least once. */
  toHaveFiredAllFaults(): Promise<void>
}

/** Asymmetric matchers the runners' `expect` (and `expect.not`) get: `expect.s2Record({ body: 'a' })`. */
export interface S2AsymmetricMatchers {
  /** A record matching a body or a partial record: `expect(batch.records).toEqual([expect.s2Record({ body: 'a' })])`. */
  s2Record(record: S2RecordExpectation): S2RecordMatcher
}
