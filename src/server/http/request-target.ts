import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'

/**
 * s2-lite ignores `Host` and routes on the raw path, so a request it would serve must not fail
 * here before it reaches the app. The HTTP adapter (@hono/node-server) builds each request's URL
 * from `Host` (HTTP/1.1) or `:authority` (HTTP/2) and the path, and answers a bare 400 (no Host,
 * `Host: a b`, a backslash in the path) or fails later with a 500 (`Host: 127.0.m.1`, which it
 * lets through but URL parsing refuses). This puts a usable host and an encoded backslash in their
 * place before the adapter sees the request; routing still reads the path as sent (a `\` in a
 * name comes back from the `%5C`).
 */

/** The host URLs are built with when the client's cannot be used; s2-lite never looks at it. */
const FALLBACK_HOST = 'localhost'

/** Whether the adapter builds a URL from this host that parses, keeping the host as it is. */
function usableHost(host: string): boolean {
  if (host === '' || /[\s/\\?#@]/.test(host)) return false
  let url: URL
  try {
    url = new URL(`http://${host}/`)
  } catch {
    return false
  }
  // The adapter refuses a host that URL parsing rewrites (e.g. `127.1` into `127.0.0.1`).
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')
  return url.hostname === name.toLowerCase()
}

/** The last host found usable: clients send the same one on every request. */
let lastUsable = ''

function checkedHost(host: string | undefined): string {
  if (host !== undefined && (host === lastUsable || usableHost(host))) {
    lastUsable = host
    return host
  }
  return FALLBACK_HOST
}

/** Makes the request's host and path ones the adapter accepts, changing nothing a route reads. */
export function normalizeRequestTarget(incoming: IncomingMessage | Http2ServerRequest): void {
  const url = incoming.url ?? ''
  if (url.includes('\\')) {
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    incoming.url = path.replaceAll('\\', '%5C') + (query === -1 ? '' : url.slice(query))
  }
  const headers = incoming.headers
  if ('stream' in incoming) {
    const authority = headers[':authority'] ?? headers.host
    const host = checkedHost(typeof authority === 'string' ? authority : undefined)
    if (host !== authority) headers[':authority'] = host
  } else {
    const host = checkedHost(headers.host)
    if (host !== headers.host) headers.host = host
  }
}
