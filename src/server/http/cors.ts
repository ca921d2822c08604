import type { MiddlewareHandler, Next } from 'hono'
import type { AppContext, AppEnv } from './route.ts'

/**
 * s2-lite's default CORS (tower-http `CorsLayer::very_permissive()`): the request's origin,
 * method and headers are mirrored back and credentials are allowed.
 */
export function permissiveCors(): MiddlewareHandler<AppEnv> {
  const corsFor = async (c: AppContext, next: Next, origin: string): Promise<Response | void> => {
    const preflightMethod = c.req.header('access-control-request-method')
    if (c.req.method === 'OPTIONS' && preflightMethod !== undefined) {
      const headers = new Headers({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': preflightMethod,
        vary: 'origin, access-control-request-method, access-control-request-headers',
      })
      const requested = c.req.header('access-control-request-headers')
      if (requested !== undefined) headers.set('access-control-allow-headers', requested)
      return new Response(null, { status: 200, headers })
    }
    await next()
    c.res.headers.set('access-control-allow-origin', origin)
    c.res.headers.set('access-control-allow-credentials', 'true')
    c.res.headers.append('vary', 'origin, access-control-request-method, access-control-request-headers')
  }
  // Without an Origin (every SDK and server-side request) there is nothing to mirror and no preflight.
  return (c, next) => {
    const origin = c.req.header('origin')
    return origin === undefined ? next() : corsFor(c, next, origin)
  }
}
