import { hint, utilsOf, type MatcherContext, type MatcherResult } from './context.ts'
import { streamReader } from './subjects.ts'
import { capital } from './to-have-records.ts'
import { tracked } from './track.ts'

/** `expect(stream).toHaveTail(n)`: the next sequence number the stream will assign is `n` (its tail, as `checkTail` gives it). */
export function toHaveTail(this: MatcherContext, received: unknown, expected: number): Promise<MatcherResult> {
  return tracked(this.task, 'toHaveTail', async () => {
    if (!Number.isInteger(expected) || expected < 0) throw new TypeError(`[s2-emulator] toHaveTail: expected a sequence number (an integer >= 0), got ${String(expected)}`)
    const reader = streamReader(received, this.task, 'toHaveTail')
    const tail = await reader.tail()
    const utils = utilsOf(this)
    const head = hint(this, 'toHaveTail', 'seqNum', 'stream')
    const pass = tail === expected
    return {
      pass,
      actual: tail,
      expected,
      message: () =>
        pass
          ? `${head}\n\nExpected ${reader.label} not to have its tail at ${utils.printExpected(expected)}, but it does.`
          : `${head}\n\n${capital(reader.label)} has its tail (the next seqNum it assigns) at ${utils.printReceived(tail)}; expected ${utils.printExpected(expected)}${tail > expected ? ` (${tail - expected} more appended than expected)` : ` (${expected - tail} fewer appended than expected)`}.`,
    }
  })
}
