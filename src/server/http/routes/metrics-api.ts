import type { Access } from '../../auth/access.ts'
import type { Cloud } from '../../cloud/cloud.ts'
import { errors, S2Error } from '../../errors/index.ts'
import { basinNameProblem, streamNameProblem } from '../../store/index.ts'
import {
  ACCOUNT_SETS,
  BASIN_SETS,
  STREAM_SETS,
  accountMetrics,
  basinMetrics,
  streamMetrics,
  type AccountSet,
  type BasinSet,
} from '../../usage/metric-sets.ts'
import type { Interval } from '../../usage/series.ts'
import { checkTimeRange, type RangeQuery } from '../../usage/time-range.ts'
import { pathSegment } from '../request/path.ts'
import { Query } from '../request/query.ts'
import { json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'

/**
 * `/v1/metrics`, `/v1/metrics/{basin}`, `/v1/metrics/{basin}/{stream}`. The query is checked as
 * s2-lite checks it (a known `set`, u32 `start`/`end`, a known `interval`: 400 `bad_query`); then
 * the lite profile answers 501, and the cloud profile computes the set from the namespace's usage,
 * after checking the time range as the service does (422 `invalid`).
 */

const INTERVALS = ['minute', 'hour', 'day'] as const

function metricQuery<S extends string>(c: AppContext, sets: Readonly<Record<S, readonly Interval[]>>): { set: S } & RangeQuery {
  const query = new Query(c.req.url)
  const set = query.string('set')
  if (set === undefined) throw Query.error('missing field `set`')
  const allowed = Object.keys(sets)
  if (!allowed.includes(set)) {
    throw Query.error(`set: unknown variant \`${set}\`, expected one of ${allowed.map((s) => `\`${s}\``).join(', ')}`)
  }
  const start = query.uint('start', 0xffffffffn)
  const end = query.uint('end', 0xffffffffn)
  const interval = query.string('interval')
  if (interval !== undefined && !(INTERVALS as readonly string[]).includes(interval)) {
    throw Query.error(`interval: unknown variant \`${interval}\`, expected one of \`minute\`, \`hour\`, \`day\``)
  }
  return { set: set as S, start, end, interval: interval as Interval | undefined }
}

function pathName(c: AppContext, index: number, problem: (name: string) => string | null): string {
  const name = pathSegment(c.req.path, index)
  const found = problem(name)
  if (found) throw new S2Error('bad_path', `Invalid URL: ${found}`)
  return name
}

function cloudOf(cloud: Cloud | undefined): Cloud {
  if (cloud === undefined) throw errors.notImplemented()
  return cloud
}

/** The namespace's usage, with the streams it holds but has not seen appended (seeded, loaded) taken in. */
function usageOf(cloud: Cloud, c: AppContext, deps: RouteDeps) {
  const namespace = (c.get('access') as Access).namespace
  const usage = cloud.usage.of(namespace)
  usage.storage.reconcile(deps.engine.store.existing(namespace))
  return { usage, now: cloud.now(namespace) }
}

/** A basin the namespace has (or had: its history is kept), else 404. */
function knownBasin(deps: RouteDeps, c: AppContext, usage: ReturnType<typeof usageOf>['usage'], basin: string): void {
  const exists = deps.engine.store.existing(c.get('namespace'))?.basins.has(basin) === true
  if (!exists && usage.existingBasin(basin) === undefined && usage.storage.streams(basin).length === 0) {
    throw errors.basinNotFound(basin)
  }
}

export function metricsApiRoutes(deps: RouteDeps): RouteSpec[] {
  const { cloud } = deps
  return [
    {
      method: 'GET',
      path: '/v1/metrics',
      operation: 'account_metrics',
      handler: (c) => {
        const query = metricQuery(c, ACCOUNT_SETS)
        const state = cloudOf(cloud)
        const { usage, now } = usageOf(state, c, deps)
        const range = checkTimeRange(query.set, query, now, ACCOUNT_SETS[query.set as AccountSet])
        return json(200, { values: accountMetrics(usage, query.set, range) })
      },
    },
    {
      method: 'GET',
      path: '/v1/metrics/:basin',
      operation: 'basin_metrics',
      handler: (c) => {
        const basin = pathName(c, 3, basinNameProblem)
        const query = metricQuery(c, BASIN_SETS)
        const state = cloudOf(cloud)
        ;(c.get('access') as Access).basin(basin)
        const { usage, now } = usageOf(state, c, deps)
        const range = checkTimeRange(query.set, query, now, BASIN_SETS[query.set as BasinSet])
        knownBasin(deps, c, usage, basin)
        return json(200, { values: basinMetrics(usage, basin, query.set, range, now) })
      },
    },
    {
      method: 'GET',
      path: '/v1/metrics/:basin/:stream',
      operation: 'stream_metrics',
      handler: (c) => {
        const basin = pathName(c, 3, basinNameProblem)
        const name = pathName(c, 4, streamNameProblem)
        const query = metricQuery(c, STREAM_SETS)
        const state = cloudOf(cloud)
        const access = c.get('access') as Access
        access.basin(basin)
        const stream = access.stream(name)
        const { usage, now } = usageOf(state, c, deps)
        const range = checkTimeRange(query.set, query, now, STREAM_SETS.storage)
        const exists = deps.engine.store.existing(access.namespace)?.basins.get(basin)?.streams.has(stream) === true
        if (!exists && !usage.storage.streams(basin).some((h) => h.stream.name === stream)) throw errors.streamNotFound(basin, stream)
        return json(200, { values: streamMetrics(usage, basin, stream, range, now) })
      },
    },
  ]
}
