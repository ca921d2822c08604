import type { JsonValue } from '../errors/index.ts'

const encoder = new TextEncoder()

/**
 * A JSON response. The SDK parses bodies by `Content-Type`, so it is always set; the length is
 * set too, so compression can skip small bodies without reading them.
 */
export function json(status: number, value: JsonValue, headers?: Record<string, string>): Response {
  return jsonText(status, JSON.stringify(value), headers)
}

/** A JSON response from text already serialized. */
export function jsonText(status: number, text: string, headers?: Record<string, string>): Response {
  const body = encoder.encode(text)
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
  })
}

/** A protobuf message body (`application/protobuf`, as the SDK expects). */
export function protobuf(body: Uint8Array): Response {
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/protobuf', 'content-length': String(body.length) },
  })
}

export function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers })
}
