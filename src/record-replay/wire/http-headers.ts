import type { HeaderMap } from '../cassette/types.ts'

/**
 * Headers that describe one connection rather than the request (RFC 9110 §7.6.1, and HTTP/2's
 * pseudo-headers): never recorded, never forwarded.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'http2-settings',
])

/** Headers that vary from run to run without meaning anything to S2: not recorded. */
const VOLATILE_RESPONSE = new Set(['date', 'content-length'])

/** Request headers as recorded: lower-case names, hop-by-hop ones and `content-length` left out. */
export function requestHeaderMap(headers: Headers): HeaderMap {
  const out: Record<string, string> = {}
  for (const [name, value] of headers) {
    if (!HOP_BY_HOP.has(name) && !name.startsWith(':') && name !== 'content-length') out[name] = value
  }
  return out
}

/** Response headers (from node:http or node:http2) as recorded. */
export function responseHeaderMap(headers: Record<string, string | string[] | number | undefined>): HeaderMap {
  const out: Record<string, string> = {}
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase()
    if (value === undefined || HOP_BY_HOP.has(name) || VOLATILE_RESPONSE.has(name) || name.startsWith(':')) continue
    out[name] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/** Headers to send on from a recorded or received map: hop-by-hop ones and `content-length` dropped. */
export function forwardable(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && !name.startsWith(':') && name !== 'content-length') out[name] = value
  }
  return out
}
