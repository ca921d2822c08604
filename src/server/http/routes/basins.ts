import { basinFilterProblem, basinNameProblem, DEFAULT_BASIN_CONFIG } from '../../store/index.ts'
import { S2Error } from '../../errors/index.ts'
import { requestTokenHeader } from '../request/headers.ts'
import { readOptionalS2Json, readS2Json } from '../request/json-body.ts'
import { pathSegment } from '../request/path.ts'
import { empty, json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'
import { canonicalBasinConfig, decodeBasinConfig, decodeBasinPatch, encodeBasinConfig } from '../wire/config-json.ts'
import { encodeBasinInfo } from '../wire/info-json.ts'
import { jsonError, object, optional, required, string } from '../wire/json-decode.ts'
import { listQuery } from './list-query.ts'

const LOCATION = /^[A-Za-z0-9:.-]{1,64}$/

/** The basin named in the path (`/v1/basins/{basin}`). */
function pathBasin(c: AppContext): string {
  const name = pathSegment(c.req.path, 3)
  const problem = basinNameProblem(name)
  if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
  return name
}

/** `location` is validated and then ignored, as in s2-lite. */
function checkLocation(body: Record<string, unknown>): void {
  optional(body, 'location', '', (value, path) => {
    const location = string(value, path)
    if (!LOCATION.test(location)) {
      throw jsonError(path, 'location must be 1 to 64 characters of letters, digits, `:`, `.` and `-`')
    }
    return location
  })
}

export function basinRoutes({ engine }: RouteDeps): RouteSpec[] {
  const account = (c: AppContext) => engine.store.account(c.get('namespace'))
  return [
    {
      method: 'GET',
      path: '/v1/basins',
      operation: 'list_basins',
      handler: (c) => {
        const page = account(c).listBasins(listQuery(c.req.url, basinFilterProblem))
        return json(200, { basins: page.items.map(encodeBasinInfo), has_more: page.hasMore })
      },
    },
    {
      method: 'POST',
      path: '/v1/basins',
      operation: 'create_basin',
      handler: async (c) => {
        const token = requestTokenHeader(c.req.raw.headers)
        const body = object(await readS2Json(c.req.raw), '', 'struct CreateBasinRequest')
        const name = string(required(body, 'basin', ''), 'basin')
        c.get('journal')?.named('basin', name)
        const problem = basinNameProblem(name)
        if (problem) throw jsonError('basin', problem)
        const config = optional(body, 'config', '', decodeBasinConfig) ?? DEFAULT_BASIN_CONFIG
        checkLocation(body)
        const key = token === null ? null : `${token}\n${canonicalBasinConfig(config)}`
        const { basin, result } = account(c).createBasin(name, config, key, engine.now(c.get('namespace')))
        return json(201, encodeBasinInfo(basin), { 's2-provision-result': result })
      },
    },
    {
      method: 'GET',
      path: '/v1/basins/:basin',
      operation: 'get_basin_config',
      handler: (c) => json(200, encodeBasinConfig(account(c).basin(pathBasin(c)).config)),
    },
    {
      method: 'PUT',
      path: '/v1/basins/:basin',
      operation: 'ensure_basin',
      handler: async (c) => {
        const name = pathBasin(c)
        const raw = await readOptionalS2Json(c.req.raw)
        let config = DEFAULT_BASIN_CONFIG
        if (raw !== undefined) {
          const body = object(raw, '', 'struct EnsureBasinRequest')
          config = optional(body, 'config', '', decodeBasinConfig) ?? DEFAULT_BASIN_CONFIG
          checkLocation(body)
        }
        const { basin, result } = account(c).ensureBasin(name, config, engine.now(c.get('namespace')))
        return json(result === 'created' ? 201 : 200, encodeBasinInfo(basin), { 's2-provision-result': result })
      },
    },
    {
      method: 'PATCH',
      path: '/v1/basins/:basin',
      operation: 'reconfigure_basin',
      handler: async (c) => {
        const name = pathBasin(c)
        const patch = decodeBasinPatch(await readS2Json(c.req.raw), '')
        return json(200, encodeBasinConfig(account(c).reconfigureBasin(name, patch)))
      },
    },
    {
      method: 'DELETE',
      path: '/v1/basins/:basin',
      operation: 'delete_basin',
      handler: (c) => {
        account(c).deleteBasin(pathBasin(c), engine.now(c.get('namespace')))
        return empty(202)
      },
    },
  ]
}
