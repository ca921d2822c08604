import { toHaveFiredAllFaults, toHaveFiredFault } from './fault-matchers.ts'
import { s2RecordMatcher } from './s2-record.ts'
import { toBeEmptyStream } from './to-be-empty-stream.ts'
import { toContainRecord, toContainRecords } from './to-contain-records.ts'
import { toHaveReceived } from './to-have-received.ts'
import { toHaveRecords } from './to-have-records.ts'
import { toHaveTail } from './to-have-tail.ts'

/** Every matcher, for `expect.extend(s2Matchers)` in vitest or jest. */
export const s2Matchers = {
  toHaveRecords,
  toContainRecords,
  toContainRecord,
  toHaveTail,
  toBeEmptyStream,
  toHaveReceived,
  toHaveFiredFault,
  toHaveFiredAllFaults,
  s2Record: s2RecordMatcher,
} as const
