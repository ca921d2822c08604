import { colours, hint, type MatcherContext, type MatcherResult } from './context.ts'
import { listRecords, showRecord } from './display.ts'
import { streamReader } from './subjects.ts'
import { capital, holding } from './to-have-records.ts'
import { tracked } from './track.ts'

/** Records shown of a stream that should have been empty. */
const SHOWN = 5

/** `expect(stream).toBeEmptyStream()`: no record can be read from it (none appended, or all trimmed or expired). */
export function toBeEmptyStream(this: MatcherContext, received: unknown): Promise<MatcherResult> {
  return tracked(this.task, 'toBeEmptyStream', async () => {
    const reader = streamReader(received, this.task, 'toBeEmptyStream')
    const [records, tail] = await Promise.all([reader.records(), reader.tail()])
    const head = hint(this, 'toBeEmptyStream', '', 'stream')
    const pass = records.length === 0
    return {
      pass,
      message: () => {
        if (pass) {
          const why = tail === 0 ? 'nothing was ever appended' : `its tail is at ${tail}: every record was trimmed or has expired`
          return `${head}\n\nExpected ${reader.label} to hold records, but it holds none (${why}).`
        }
        const withHeaders = records.some((r) => 'headers' in r && r.headers.length > 0)
        const lines = listRecords(records, (r) => showRecord(r, undefined, withHeaders ? ['headers', 'body'] : 'body'), colours(this), SHOWN)
        return `${head}\n\n${capital(reader.label)} holds ${holding(records)}; expected none:\n${lines.join('\n')}`
      },
    }
  })
}
