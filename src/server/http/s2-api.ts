import { Journal, type JournalDraft } from '../journal/journal.ts'
import type { NamespaceDirectory } from '../namespaces/directory.ts'
import { meterRequest } from './meter-request.ts'
import { registerRoutes, type App, type RouteDeps } from './route.ts'
import { accessTokenRoutes } from './routes/access-tokens.ts'
import { basinRoutes } from './routes/basins.ts'
import { locationRoutes } from './routes/locations.ts'
import { metricsApiRoutes } from './routes/metrics-api.ts'
import { recordRoutes } from './routes/records.ts'
import { streamRoutes } from './routes/streams.ts'

export interface S2ApiOptions extends RouteDeps {
  /** Which namespace each request acts in. */
  readonly directory: NamespaceDirectory
  /** The request journal; off when absent. */
  readonly journal?: Journal
}

/**
 * Registers S2's v1 API, health and metrics, as s2-lite serves them. Each `/v1` request learns
 * its namespace from its token, and is counted and journaled once its response is final.
 * Returns each method and path served, for 405 answers.
 */
export function s2Api(app: App, options: S2ApiOptions): [string, string][] {
  const { engine, metrics, directory, cloud } = options
  app.use('/v1/*', async (c, next) => {
    if (cloud === undefined) c.set('namespace', directory.ofRequest(c.req.raw.headers))
    else {
      // Cloud profile: an unknown, revoked or expired token is a 401 here, before any route.
      const access = cloud.authenticate(c.req.header('authorization'))
      c.set('namespace', access.namespace)
      c.set('access', access)
    }
    await next()
    const operation = c.get('operation')
    if (operation !== undefined) metrics.request(operation, c.res.status)
    if (cloud !== undefined && operation !== undefined) meterRequest(cloud, c, operation)
    const draft = c.get('journal') as JournalDraft | undefined
    if (draft !== undefined) draft.commit(c.res.status, c.error)
  })

  const routes = [...basinRoutes(options), ...streamRoutes(options), ...recordRoutes(options), ...accessTokenRoutes(options), ...metricsApiRoutes(options), ...locationRoutes(options)]
  registerRoutes(app, routes, options.faults, options.journal ?? new Journal(0, () => engine.clock))

  const health = () => new Response('OK', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  app.get('/health', health)
  app.get('/ping', health)
  app.get('/metrics', () =>
    new Response(metrics.render(engine.store), {
      status: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4' },
    }),
  )
  return [...routes.map((r): [string, string] => [r.method, r.path]), ['GET', '/health'], ['GET', '/ping'], ['GET', '/metrics']]
}
