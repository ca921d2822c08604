import { getPath } from 'hono/utils/url'
import type { AppEnv } from './route.ts'

/**
 * Routes match the path exactly as the client sent it, as axum does: WHATWG URL parsing would drop
 * `.` and `..` segments (also percent-encoded ones) and turn a stream named `..` into another path.
 */
export function rawPath(request: Request, options?: { env?: AppEnv['Bindings'] }): string {
  const url = options?.env?.incoming?.url
  if (url === undefined || !url.startsWith('/')) return getPath(request)
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** The methods each known path allows (GET brings HEAD), for 405 answers; null for an unknown path. */
export function methodTable(routes: readonly (readonly [string, string])[]): (path: string) => string[] | null {
  const table = new Map<string, { pattern: RegExp; methods: Set<string> }>()
  for (const [method, path] of routes) {
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
