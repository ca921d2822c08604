import { Hono } from 'hono'
import { RegExpRouter } from 'hono/router/reg-exp-router'
import { TrieRouter } from 'hono/router/trie-router'
import { adminRoutes, type AdminOptions } from './admin/index.ts'
import { S2Error } from './errors/index.ts'
import { responseCompression } from './http/compression.ts'
import { permissiveCors } from './http/cors.ts'
import { durableAnswers } from './http/durable.ts'
import { methodTable, rawPath } from './http/paths.ts'
import { empty, json } from './http/respond.ts'
import type { App, AppEnv } from './http/route.ts'
import { s2Api, type S2ApiOptions } from './http/s2-api.ts'
import { sessionBodies } from './http/sessions/session-response.ts'

export interface AppOptions extends S2ApiOptions, Omit<AdminOptions, 'newAccount'> {
  /** Add s2-lite's permissive CORS headers to the S2 API (its default; `--no-cors` turns them off). */
  readonly cors: boolean
  /** Where unexpected errors are reported; they reach clients only as a 500 without details. */
  readonly onUnexpectedError: (error: unknown) => void
}

/** The emulator's HTTP application, as the listener and in-process clients call it. */
export interface EmulatorApp {
  fetch(request: Request, env?: AppEnv['Bindings']): Response | Promise<Response>
}

/** The admin API's paths, which never get CORS headers. */
const ADMIN_PREFIX = '/_emulator'

/**
 * The emulator's HTTP application: S2's API (with health and metrics) and the admin API, side by
 * side on one port, each registered by its own layer into an app of its own with the same
 * middleware around it; errors become S2-shaped bodies here. Apart, S2's routes are matched by
 * hono's RegExpRouter (one regular expression: a tenth of the TrieRouter's time per request),
 * which refuses the admin routes' overlapping patterns; the admin API keeps the TrieRouter. Paths
 * under `/_emulator` go to the admin app; either app answers unknown paths alike (404, or 405
 * with the methods of both).
 */
export function createApp(options: AppOptions): EmulatorApp {
  const s2 = new Hono<AppEnv>({ getPath: rawPath, router: new RegExpRouter() })
  const admin = new Hono<AppEnv>({ getPath: rawPath, router: new TrieRouter() })
  outerMiddleware(s2, options, true)
  outerMiddleware(admin, options, false)

  const s2Paths = s2Api(s2, options)
  const adminPaths = adminRoutes(admin, { ...options, newAccount: () => options.engine.store.detachedAccount() })
  // Builds S2's matcher now: a route RegExpRouter cannot match fails here, not on the first request.
  s2.router.match('GET', '/')

  const allowed = methodTable([...s2Paths, ...adminPaths])
  for (const app of [s2, admin]) {
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
  }
  return {
    fetch: (request, env) => (rawPath(request, { env }).startsWith(ADMIN_PREFIX) ? admin : s2).fetch(request, env),
  }
}

/** What wraps every request, in this order; CORS only around the S2 API. */
function outerMiddleware(app: App, options: AppOptions, s2: boolean): void {
  // Outermost: a session's head is final only once every other middleware has seen it.
  app.use(sessionBodies())
  if (options.cors && s2) app.use(permissiveCors())
  app.use(responseCompression())
  // With a durable log, answers to requests that changed state wait for their change to be on disk.
  if (options.engine.durability !== null) app.use(durableAnswers(options.engine.durability))
}
