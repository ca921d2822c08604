import type { JsonValue } from '../errors/index.ts'

/** A JSON response; the SDK parses bodies by `Content-Type`, so it is always set. */
export function json(status: number, value: JsonValue, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

export function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers })
}
