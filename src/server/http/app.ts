import { Hono } from 'hono'
import { getPath } from 'hono/utils/url'
import { adminRoutes } from '../admin/index.ts'
import { S2Error } from '../errors/index.ts'
import { Journal, type JournalDraft } from '../journal/journal.ts'
import { responseCompression } from './compression.ts'
import { durableAnswers } from './durable.ts'
import { permissiveCors } from './cors.ts'
import { empty, json } from './respond.ts'
import { registerRoutes, type AppEnv, type RouteDeps, type RouteSpec } from './route.ts'
import { basinRoutes } from './routes/basins.ts'
import { cloudOnlyRoutes } from './routes/cloud-only.ts'
import { recordRoutes } from './routes/records.ts'
import { streamRoutes } from './routes/streams.ts'

/** The bearer token of an `Authorization` header: with isolation on, the request's namespace. */
function tokenOf(authorization: string | undefined): string {
  if (authorization === undefined) return ''
  const match = /^Bearer\s+(.*)$/i.exec(authorization.trim())
  return match ? (match[1] as string) : authorization.trim()
}

export interface AppOptions extends RouteDeps {
  /** `token`: each bearer token is its own namespace; `none`: one namespace, `""`. */
  readonly isolation: 'none' | 'token'
  /** Add s2-lite's permissive CORS headers (its default; `--no-cors` turns them off). */
  readonly cors: boolean
  /** Where unexpected errors are reported; they reach clients only as a 500 without details. */
  readonly onUnexpectedError: (error: unknown) => void
  /** The request journal; off when absent. */
  readonly journal?: Journal
}

/**
 * Routes match the path exactly as the client sent it, as axum does: WHATWG URL parsing would drop
 * `.` and `..` segments (also percent-encoded ones) and turn a stream named `..` into another path.
 */
function rawPath(request: Request, options?: { env?: AppEnv['Bindings'] }): string {
  const url = options?.env?.incoming?.url
  if (url === undefined || !url.startsWith('/')) return getPath(request)
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** Paths the server knows and the methods each allows, for 405 answers. */
function methodTable(routes: readonly RouteSpec[], extra: readonly [string, string][]) {
  const table = new Map<string, { pattern: RegExp; methods: Set<string> }>()
  for (const [method, path] of [...routes.map((r) => [r.method, r.path] as const), ...extra]) {
    let entry = table.get(path)
    if (!entry) {
      entry = { pattern: new RegExp(`^${path.replace(/:[a-z]+/g, '[^/]+')}$`), methods: new Set() }
      table.set(path, entry)
    }
    entry.methods.add(method)
    if (method === 'GET') entry.methods.add('HEAD')
  }
  return (path: string): string[] | null => {
    for (const entry of table.values()) if (entry.pattern.test(path)) return [...entry.methods]
    return null
  }
}

/** The HTTP application: S2's v1 API plus health and metrics, as s2-lite serves them. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const { engine, metrics } = options
  const app = new Hono<AppEnv>({ getPath: rawPath })

  if (options.cors) app.use(permissiveCors())
  app.use(responseCompression())
  app.use(async (c, next) => {
    c.set('namespace', options.isolation === 'token' ? tokenOf(c.req.header('authorization')) : '')
    await next()
    const operation = c.get('operation')
    if (operation !== undefined) metrics.request(operation, c.res.status)
    const draft = c.get('journal') as JournalDraft | undefined
    if (draft !== undefined) draft.commit(c.res.status, c.error)
  })

  if (engine.durability !== null) app.use(durableAnswers(engine.durability))

  const routes = [...basinRoutes(options), ...streamRoutes(options), ...recordRoutes(options), ...cloudOnlyRoutes()]
  const journal = options.journal ?? new Journal(0, engine.clock)
  registerRoutes(app, routes, options.faults, journal)
  const adminPaths = adminRoutes(app, { faults: options.faults, engine, journal })

  const health = () => new Response('OK', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  app.get('/health', health)
  app.get('/ping', health)
  app.get('/metrics', () =>
    new Response(metrics.render(engine.store), {
      status: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4' },
    }),
  )

  const allowed = methodTable(routes, [['GET', '/health'], ['GET', '/ping'], ['GET', '/metrics'], ...adminPaths])
  // Like axum: an unknown path is a bare 404, a known path with the wrong method a bare 405.
  app.notFound((c) => {
    const methods = allowed(c.req.path)
    return methods ? empty(405, { allow: methods.join(',') }) : empty(404)
  })

  app.onError((error) => {
    if (error instanceof S2Error) return json(error.status, error.body)
    options.onUnexpectedError(error)
    return json(500, { code: 'other', message: 'internal error in s2-emulator (details are in its log)' })
  })
  return app
}
