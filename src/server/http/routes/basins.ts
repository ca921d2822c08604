import type { Cloud } from '../../cloud/cloud.ts'
import { basinFilterProblem, basinNameProblem, DEFAULT_BASIN_CONFIG, type BasinConfig, type BasinState } from '../../store/index.ts'
import { S2Error } from '../../errors/index.ts'
import { requestTokenHeader } from '../request/headers.ts'
import { readOptionalS2Json, readS2Json } from '../request/json-body.ts'
import { pathSegment } from '../request/path.ts'
import { empty, json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'
import { canonicalBasinConfig, decodeBasinConfig, decodeBasinPatch, encodeBasinConfig } from '../wire/config-json.ts'
import { encodeBasinInfo } from '../wire/info-json.ts'
import { jsonError, object, optional, required, string } from '../wire/json-decode.ts'
import { requireEnsure } from './ensure-access.ts'
import { listQuery } from './list-query.ts'
import { locationName } from './locations.ts'
import { scopedPage } from './scoped-list.ts'

/** The basin named in the path (`/v1/basins/{basin}`), within the token's scope (cloud profile). */
function pathBasin(c: AppContext): string {
  const name = pathSegment(c.req.path, 3)
  const problem = basinNameProblem(name)
  if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
  c.get('access')?.basin(name)
  return name
}

/** `location` is validated, then ignored as in s2-lite; the cloud profile checks it is one it offers. */
function checkLocation(body: Record<string, unknown>, cloud: Cloud | undefined): string | null {
  const location = optional(body, 'location', '', locationName) ?? null
  return location !== null && cloud !== undefined ? cloud.locations.check(location) : location
}

/** Cloud profile: a newly created basin is placed in its location, or the namespace's default. */
function place(basin: BasinState, location: string | null, cloud: Cloud | undefined, c: AppContext): void {
  if (cloud !== undefined) basin.location = location ?? cloud.locations.defaultOf(c.get('namespace'))
}

export function basinRoutes({ engine, cloud }: RouteDeps): RouteSpec[] {
  const account = (c: AppContext) => engine.store.account(c.get('namespace'))
  // The service shows an unset default storage class as `express`; s2-lite shows null.
  const showConfig = (config: BasinConfig) => encodeBasinConfig(config, cloud === undefined ? undefined : 'express')
  const showInfo = (c: AppContext) => (basin: BasinState) =>
    encodeBasinInfo(basin, cloud === undefined ? null : cloud.locations.defaultOf(c.get('namespace')))
  return [
    {
      method: 'GET',
      path: '/v1/basins',
      operation: 'list_basins',
      handler: (c) => {
        const query = listQuery(c.req.url, basinFilterProblem)
        const access = c.get('access')
        const page = scopedPage(access?.scope.basins, query, (q) => account(c).listBasins(q), (b) => b.name)
        return json(200, { basins: page.items.map(showInfo(c)), has_more: page.hasMore })
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
        c.get('access')?.basin(name)
        const config = optional(body, 'config', '', decodeBasinConfig) ?? DEFAULT_BASIN_CONFIG
        const location = checkLocation(body, cloud)
        const key = token === null ? null : `${token}\n${canonicalBasinConfig(config)}`
        const { basin, result } = account(c).createBasin(name, config, key, engine.now(c.get('namespace')))
        if (result === 'created') place(basin, location, cloud, c)
        return json(201, showInfo(c)(basin), { 's2-provision-result': result })
      },
    },
    {
      method: 'GET',
      path: '/v1/basins/:basin',
      operation: 'get_basin_config',
      handler: (c) => json(200, showConfig(account(c).basin(pathBasin(c)).config)),
    },
    {
      method: 'PUT',
      path: '/v1/basins/:basin',
      operation: 'ensure_basin',
      handler: async (c) => {
        const name = pathBasin(c)
        const raw = await readOptionalS2Json(c.req.raw)
        let config = DEFAULT_BASIN_CONFIG
        let location: string | null = null
        if (raw !== undefined) {
          const body = object(raw, '', 'struct EnsureBasinRequest')
          config = optional(body, 'config', '', decodeBasinConfig) ?? DEFAULT_BASIN_CONFIG
          location = checkLocation(body, cloud)
        }
        requireEnsure(c.get('access'), account(c).basins.has(name), 'basin')
        const { basin, result } = account(c).ensureBasin(name, config, engine.now(c.get('namespace')))
        if (result === 'created') place(basin, location, cloud, c)
        return json(result === 'created' ? 201 : 200, showInfo(c)(basin), { 's2-provision-result': result })
      },
    },
    {
      method: 'PATCH',
      path: '/v1/basins/:basin',
      operation: 'reconfigure_basin',
      handler: async (c) => {
        const name = pathBasin(c)
        const patch = decodeBasinPatch(await readS2Json(c.req.raw), '')
        return json(200, showConfig(account(c).reconfigureBasin(name, patch)))
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
