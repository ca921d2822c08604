import { S2Error, type JsonValue } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import { MAX_PAGE_RECORDS } from '../namespaces/stream-records.ts'
import type { Mount } from './scope.ts'

/** An optional non-negative integer query parameter (`fallback` when absent); anything else is a 400 naming it. */
function integer(value: string | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) > max) throw new S2Error('bad_query', `${name}: must be an integer from 0 to ${max}, got "${value}"`)
  return Number(value)
}

/**
 * `.../basins/{basin}/streams/{stream}/records`: a stream's records as stored, for tests that look
 * without touching: no fault rule applies, the journal does not record it, no key is needed and
 * no stream is created by it (the matchers read `{ basin, stream }` references this way).
 */
export function streamRoutes({ app, prefix, scopeOf }: Mount): void {
  app.get(`${prefix}/basins/:basin/streams/:stream/records`, (c) => {
    const from = integer(c.req.query('seq_num'), 'seq_num', 0)
    const count = integer(c.req.query('count'), 'count', 1000, MAX_PAGE_RECORDS)
    const page = scopeOf(c).streamRecords(c.req.param('basin') as string, c.req.param('stream') as string, from, count)
    return json(200, page as unknown as JsonValue)
  })
}
