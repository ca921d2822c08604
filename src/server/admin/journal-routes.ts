import type { Hono } from 'hono'
import { S2Error, type JsonValue } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import type { Journal, JournalFilter } from '../journal/journal.ts'
import type { Operation } from '../operations.ts'

/** An optional non-negative integer query parameter; anything else is a 400 naming it. */
function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new S2Error('bad_query', `${name}: must be a non-negative integer, got "${value}"`)
  }
  return Number(value)
}

/** `/_emulator/journal`: the recent requests and sessions of each namespace. */
export function journalRoutes(app: Hono<AppEnv>, journal: Journal): void {
  app.get('/_emulator/journal', (c) => {
    const q = (name: string): string | undefined => c.req.query(name)
    const filter: JournalFilter = {
      namespace: q('namespace'),
      operation: q('operation') as Operation | undefined,
      basin: q('basin'),
      stream: q('stream'),
      since: count(q('since'), 'since'),
      limit: count(q('limit'), 'limit'),
    }
    return json(200, { size: journal.size, entries: journal.list(filter) as unknown as JsonValue })
  })
  app.delete('/_emulator/journal', (c) => json(200, { removed: journal.clear(c.req.query('namespace')) }))
}
