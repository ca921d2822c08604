import { S2Error, type JsonValue } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import type { JournalFilter } from '../journal/journal.ts'
import type { Operation } from '../operations.ts'
import type { Mount } from './scope.ts'

/** An optional non-negative integer query parameter; anything else is a 400 naming it. */
function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new S2Error('bad_query', `${name}: must be a non-negative integer, got "${value}"`)
  }
  return Number(value)
}

/** `.../journal`: the recent requests and sessions of the scope (every namespace's, or one's). */
export function journalRoutes({ app, prefix, scopeOf }: Mount): void {
  app.get(`${prefix}/journal`, (c) => {
    const { journal, namespace } = scopeOf(c)
    const q = (name: string): string | undefined => c.req.query(name)
    if (namespace !== null && q('namespace') !== undefined) {
      throw new S2Error('bad_query', "namespace: this is a namespace's journal; filter by namespace only in /_emulator/journal")
    }
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
  app.delete(`${prefix}/journal`, (c) => {
    if (c.req.query('namespace') !== undefined) {
      throw new S2Error('bad_query', "namespace: a namespace's journal is cleared through its own routes: DELETE /_emulator/namespaces/{name}/journal")
    }
    return json(200, { removed: scopeOf(c).journal.clear() })
  })
}
