/**
 * Where the recorder sends a request: the account endpoint, or for basin-scoped calls
 * (`/v1/streams...`) the basin endpoint, which may be a template with `{basin}` in the host
 * (`https://{basin}.b.s2.dev`, as the SDK's default) or the path, filled from the `s2-basin`
 * header the SDK sends. Endpoints are written as for the SDK: without a scheme `https://` is
 * assumed, and a path ending in `/v1` (or none) is the API's root.
 */

export interface UpstreamEndpoints {
  /** The account endpoint, e.g. `https://a.s2.dev` or `http://127.0.0.1:8080` (s2-lite). */
  readonly account: string
  /** The basin endpoint, e.g. `https://{basin}.b.s2.dev`; the account endpoint when absent. */
  readonly basin?: string
}

const BASIN = '{basin}'

/** A problem with an endpoint string, or null when it is usable. */
export function endpointProblem(endpoint: string): string | null {
  const text = withScheme(endpoint).replaceAll(BASIN, 'basin-name')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `'${endpoint}' is not a URL`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${endpoint}' must be http:// or https://`
  if (url.search !== '' || url.hash !== '') return `'${endpoint}' must not have a query or fragment`
  return null
}

const withScheme = (endpoint: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`)

/** Raised when a request cannot be routed (a basin template but no `s2-basin` header). */
export class RoutingError extends Error {}

export interface UpstreamTarget {
  /** Scheme, host and port. */
  readonly origin: URL
  /** The path and query to request there, as the client wrote them (not normalised), after the endpoint's prefix. */
  readonly path: string
}

/** Where to send a request to `path` (and `query`) with this basin header. */
export function upstreamTarget(endpoints: UpstreamEndpoints, path: string, query: string, basin: string | undefined): UpstreamTarget {
  const basinScoped = path === '/v1/streams' || path.startsWith('/v1/streams/')
  let endpoint = withScheme(basinScoped && endpoints.basin !== undefined ? endpoints.basin : endpoints.account)
  if (endpoint.includes(BASIN)) {
    if (basin === undefined) {
      throw new RoutingError(`the basin endpoint ${endpoint} needs the basin name, but the request has no s2-basin header`)
    }
    const schemeEnd = endpoint.indexOf('://') + 3
    const pathStart = endpoint.indexOf('/', schemeEnd)
    const authority = pathStart === -1 ? endpoint.slice(schemeEnd) : endpoint.slice(schemeEnd, pathStart)
    const rest = pathStart === -1 ? '' : endpoint.slice(pathStart)
    endpoint = `${endpoint.slice(0, schemeEnd)}${authority.replaceAll(BASIN, basin)}${rest.replaceAll(BASIN, encodeURIComponent(basin))}`
  }
  const base = new URL(endpoint)
  const prefix = base.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')
  return { origin: new URL(base.origin), path: `${prefix}${path}${query ? `?${query}` : ''}` }
}
