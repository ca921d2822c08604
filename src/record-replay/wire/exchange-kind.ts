import { mediaKind } from '../../server/http/request/media.ts'
import type { HeaderMap, Transport } from '../cassette/types.ts'

/** The S2 operations of the v1 API by method and path (the names of the emulator's journal and metrics). */
const OPERATIONS: readonly (readonly [string, RegExp, string])[] = [
  ['GET', /^\/v1\/basins$/, 'list_basins'],
  ['POST', /^\/v1\/basins$/, 'create_basin'],
  ['GET', /^\/v1\/basins\/[^/]+$/, 'get_basin_config'],
  ['PUT', /^\/v1\/basins\/[^/]+$/, 'ensure_basin'],
  ['PATCH', /^\/v1\/basins\/[^/]+$/, 'reconfigure_basin'],
  ['DELETE', /^\/v1\/basins\/[^/]+$/, 'delete_basin'],
  ['GET', /^\/v1\/streams$/, 'list_streams'],
  ['POST', /^\/v1\/streams$/, 'create_stream'],
  ['GET', /^\/v1\/streams\/[^/]+$/, 'get_stream_config'],
  ['PUT', /^\/v1\/streams\/[^/]+$/, 'ensure_stream'],
  ['PATCH', /^\/v1\/streams\/[^/]+$/, 'reconfigure_stream'],
  ['DELETE', /^\/v1\/streams\/[^/]+$/, 'delete_stream'],
  ['POST', /^\/v1\/streams\/[^/]+\/records$/, 'append'],
  ['GET', /^\/v1\/streams\/[^/]+\/records$/, 'read'],
  ['GET', /^\/v1\/streams\/[^/]+\/records\/tail$/, 'check_tail'],
  ['GET', /^\/v1\/access-tokens$/, 'list_access_tokens'],
  ['POST', /^\/v1\/access-tokens$/, 'issue_access_token'],
  ['DELETE', /^\/v1\/access-tokens\/[^/]+$/, 'revoke_access_token'],
  ['GET', /^\/v1\/metrics$/, 'account_metrics'],
  ['GET', /^\/v1\/metrics\/[^/]+$/, 'basin_metrics'],
  ['GET', /^\/v1\/metrics\/[^/]+\/[^/]+$/, 'stream_metrics'],
  ['GET', /^\/v1\/locations$/, 'list_locations'],
  ['GET', /^\/v1\/locations\/default$/, 'get_default_location'],
  ['PUT', /^\/v1\/locations\/default$/, 'set_default_location'],
]

export function operationOf(method: string, path: string): string | undefined {
  return OPERATIONS.find(([m, pattern]) => m === method && pattern.test(path))?.[2]
}

const segment = (path: string, index: number): string | undefined => {
  const value = path.split('/')[index]
  if (value === undefined || value === '') return undefined
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** The basin and stream a request addresses: from the path, or the `s2-basin` header for stream paths. */
export function addressOf(path: string, headers: HeaderMap): { basin?: string; stream?: string } {
  if (path.startsWith('/v1/basins/')) return { basin: segment(path, 3) }
  if (path === '/v1/streams' || path.startsWith('/v1/streams/')) {
    const basin = headers['s2-basin']
    const stream = segment(path, 3)
    return { ...(basin !== undefined ? { basin } : {}), ...(stream !== undefined ? { stream } : {}) }
  }
  if (path.startsWith('/v1/metrics/')) {
    const basin = segment(path, 3)
    const stream = segment(path, 4)
    return { ...(basin !== undefined ? { basin } : {}), ...(stream !== undefined ? { stream } : {}) }
  }
  return {}
}

/** How a request travels, as the emulator tells: S2S by content type (even on a GET), SSE by `Accept` on a read. */
export function transportOf(method: string, path: string, headers: HeaderMap): Transport {
  if (mediaKind(headers['content-type']) === 's2s') return 's2s'
  if (method === 'GET' && /^\/v1\/streams\/[^/]+\/records$/.test(path) && mediaKind(headers.accept) === 'event-stream') return 'sse'
  return 'unary'
}
