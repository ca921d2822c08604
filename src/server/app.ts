import { Hono } from 'hono'
import { adminRoutes, type AdminOptions } from './admin/index.ts'
import { S2Error } from './errors/index.ts'
import { responseCompression } from './http/compression.ts'
import { permissiveCors } from './http/cors.ts'
import { durableAnswers } from './http/durable.ts'
import { methodTable, rawPath } from './http/paths.ts'
import { empty, json } from './http/respond.ts'
import type { AppEnv } from './http/route.ts'
import { s2Api, type S2ApiOptions } from './http/s2-api.ts'
import { sessionBodies } from './http/sessions/session-response.ts'

export interface AppOptions extends S2ApiOptions, Omit<AdminOptions, 'newAccount'> {
  /** Add s2-lite's permissive CORS headers to the S2 API (its default; `--no-cors` turns them off). */
  readonly cors: boolean
  /** Where unexpected errors are reported; they reach clients only as a 500 without details. */
  readonly onUnexpectedError: (error: unknown) => void
}

/**
 * The emulator's HTTP application: S2's API (with health and metrics) and the admin API, side by
 * side on one port, each registered by its own layer; errors become S2-shaped bodies here.
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: rawPath })
  // Outermost: a session's head is final only once every other middleware has seen it.
  app.use(sessionBodies())
  if (options.cors) {
    const cors = permissiveCors()
    app.use((c, next) => (c.req.path.startsWith('/_emulator') ? next() : cors(c, next)))
  }
  app.use(responseCompression())
  // With a durable log, answers to requests that changed state wait for their change to be on disk.
  if (options.engine.durability !== null) app.use(durableAnswers(options.engine.durability))

  const s2Paths = s2Api(app, options)
  const adminPaths = adminRoutes(app, { ...options, newAccount: () => options.engine.store.detachedAccount() })

  const allowed = methodTable([...s2Paths, ...adminPaths])
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
