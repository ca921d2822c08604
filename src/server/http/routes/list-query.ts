import type { ListOptions } from '../../store/index.ts'
import { Query } from '../request/query.ts'

const MAX_LIMIT = 1000

/**
 * `prefix`, `start_after` and `limit` of a listing. `limit` 0 or above 1000 means 1000, as in
 * s2-lite; `check` validates the two name filters.
 */
export function listQuery(url: string, check: (field: 'prefix' | 'start-after', value: string) => string | null): ListOptions {
  const query = new Query(url)
  const prefix = query.string('prefix') ?? ''
  const startAfter = query.string('start_after') ?? ''
  const limit = query.uint('limit', 18446744073709551615n) ?? MAX_LIMIT
  for (const [field, value] of [['prefix', prefix], ['start-after', startAfter]] as const) {
    const problem = check(field, value)
    if (problem) throw Query.error(problem)
  }
  return { prefix, startAfter, limit: limit === 0 || limit > MAX_LIMIT ? MAX_LIMIT : limit }
}
