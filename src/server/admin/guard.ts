import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { S2Error } from '../errors/index.ts'
import type { AppEnv } from '../http/route.ts'

export interface AdminGuardOptions {
  /** A token every admin request must carry as `Authorization: Bearer <token>`; null for none. */
  readonly adminToken: string | null
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:127(\.\d{1,3}){3}\])$/i

const forbidden = (why: string): S2Error => {
  const message = `the admin API refuses ${why}: it answers only tools on this machine (curl, SDK test code, the s2-emulator client), never web pages`
  return new S2Error('admin_forbidden', message, 403, { code: 'admin_forbidden', message })
}

/** Why a request looks like a web page reaching across sites (or by DNS rebinding), or null if it does not. */
function crossSite(headers: Headers): string | null {
  const site = headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return `a ${site} request from a browser`
  const origin = headers.get('origin')
  if (origin === null) return null
  let from: URL
  try {
    from = new URL(origin)
  } catch {
    return `a request with Origin ${JSON.stringify(origin)}`
  }
  const host = headers.get('host') ?? ''
  if (from.host !== host) return `a request from origin ${origin}`
  // Same origin by name, but a page on a name that resolves to this machine (DNS rebinding).
  if (!LOOPBACK.test(from.hostname.startsWith('[') ? from.hostname : from.hostname.replace(/\.$/, ''))) {
    return `a browser request for host ${from.hostname}`
  }
  return null
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Guards `/_emulator`: no CORS (s2-lite's permissive CORS is for the S2 API only), cross-site
 * browser requests refused by `Sec-Fetch-Site` and `Origin`, and, when configured, an admin token.
 */
export function adminGuard(options: AdminGuardOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const why = crossSite(c.req.raw.headers)
    if (why !== null) throw forbidden(why)
    if (options.adminToken !== null) {
      const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization')?.trim() ?? '')
      if (match === null || !sameToken(match[1] as string, options.adminToken)) {
        const message =
          'this emulator requires its admin token: send Authorization: Bearer <admin token> (connectS2Emulator(url, { adminToken }), or the token given with --admin-token / adminToken)'
        throw new S2Error('admin_unauthorized', message, 401, { code: 'admin_unauthorized', message })
      }
    }
    await next()
  }
}
