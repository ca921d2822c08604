import { errors, S2Error } from '../../errors/index.ts'
import { basinNameProblem, streamNameProblem, utf8Length } from '../../store/index.ts'
import { readS2Json } from '../request/json-body.ts'
import { pathSegment } from '../request/path.ts'
import { Query } from '../request/query.ts'
import type { AppContext, RouteSpec } from '../route.ts'
import { jsonError, object, optional, required, string } from '../wire/json-decode.ts'

/**
 * Endpoints of S2's cloud that s2-lite does not implement: access tokens, metrics, locations.
 * As in s2-lite they check the request first (so malformed ones still get their 400) and then
 * answer 501 `not_implemented`.
 */

const ACCOUNT_SETS = ['active-basins', 'account-ops']
const BASIN_SETS = ['storage', 'append-ops', 'read-ops', 'read-throughput', 'append-throughput', 'basin-ops']
const STREAM_SETS = ['storage']

function tokenIdProblem(field: string, id: string, allowEmpty: boolean): string | null {
  const length = utf8Length(id)
  if (length > 96) return `${field} must not exceed 96 bytes in length`
  if (length === 0 && !allowEmpty) return `${field} must not be empty`
  return null
}

function metricSet(c: AppContext, allowed: readonly string[]): void {
  const query = new Query(c.req.url)
  const set = query.string('set')
  if (set === undefined) throw Query.error('missing field `set`')
  if (!allowed.includes(set)) {
    throw Query.error(`set: unknown variant \`${set}\`, expected one of ${allowed.map((s) => `\`${s}\``).join(', ')}`)
  }
  query.uint('start', 0xffffffffn)
  query.uint('end', 0xffffffffn)
  const interval = query.string('interval')
  if (interval !== undefined && !['minute', 'hour', 'day'].includes(interval)) {
    throw Query.error(`interval: unknown variant \`${interval}\`, expected one of \`minute\`, \`hour\`, \`day\``)
  }
}

const notImplemented = (): Response => {
  throw errors.notImplemented()
}

export function cloudOnlyRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/access-tokens',
      operation: 'list_access_tokens',
      handler: (c) => {
        const query = new Query(c.req.url)
        for (const [key, field] of [['prefix', 'prefix'], ['start_after', 'start-after']] as const) {
          const problem = tokenIdProblem(field, query.string(key) ?? '', true)
          if (problem) throw Query.error(problem)
        }
        query.uint('limit')
        return notImplemented()
      },
    },
    {
      method: 'POST',
      path: '/v1/access-tokens',
      operation: 'issue_access_token',
      handler: async (c) => {
        const body = object(await readS2Json(c.req.raw), '', 'struct AccessTokenInfo')
        const id = string(required(body, 'id', ''), 'id')
        const problem = tokenIdProblem('access token id', id, false)
        if (problem) throw jsonError('id', problem)
        optional(body, 'expires_at', '', string)
        optional(body, 'auto_prefix_streams', '', (v, p) => {
          if (typeof v !== 'boolean') throw jsonError(p, 'invalid type, expected a boolean')
          return v
        })
        object(required(body, 'scope', ''), 'scope', 'struct AccessTokenScope')
        return notImplemented()
      },
    },
    {
      method: 'DELETE',
      path: '/v1/access-tokens/:id',
      operation: 'revoke_access_token',
      handler: (c) => {
        const problem = tokenIdProblem('access token id', pathSegment(c.req.path, 3), false)
        if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
        return notImplemented()
      },
    },
    {
      method: 'GET',
      path: '/v1/metrics',
      operation: 'account_metrics',
      handler: (c) => {
        metricSet(c, ACCOUNT_SETS)
        return notImplemented()
      },
    },
    {
      method: 'GET',
      path: '/v1/metrics/:basin',
      operation: 'basin_metrics',
      handler: (c) => {
        const problem = basinNameProblem(pathSegment(c.req.path, 3))
        if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
        metricSet(c, BASIN_SETS)
        return notImplemented()
      },
    },
    {
      method: 'GET',
      path: '/v1/metrics/:basin/:stream',
      operation: 'stream_metrics',
      handler: (c) => {
        const problem = basinNameProblem(pathSegment(c.req.path, 3)) ?? streamNameProblem(pathSegment(c.req.path, 4))
        if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
        metricSet(c, STREAM_SETS)
        return notImplemented()
      },
    },
    { method: 'GET', path: '/v1/locations', operation: 'list_locations', handler: notImplemented },
    { method: 'GET', path: '/v1/locations/default', operation: 'get_default_location', handler: notImplemented },
    {
      method: 'PUT',
      path: '/v1/locations/default',
      operation: 'set_default_location',
      handler: async (c) => {
        string(await readS2Json(c.req.raw), '')
        return notImplemented()
      },
    },
  ]
}
