import type { JsonValue } from '../errors/index.ts'

/**
 * Body lengths of the responses built here, so middleware need not turn their headers into a
 * `Headers`. A property under a private symbol, not a WeakMap: a WeakMap entry per answer costs
 * more to add, and the garbage collector has to walk them.
 */
const LENGTH = Symbol('s2-emulator.bodyLength')
type Measured = Response & { [LENGTH]?: number }

/** The body length of a response built by {@link jsonText} or {@link protobuf}; undefined for others. */
export const knownLength = (response: Response): number | undefined => (response as Measured)[LENGTH]

function withLength(response: Response, length: number): Response {
  ;(response as Measured)[LENGTH] = length
  return response
}

/**
 * A JSON response. The SDK parses bodies by `Content-Type`, so it is always set; the length is
 * set too, so compression can skip small bodies without reading them.
 */
export function json(status: number, value: JsonValue, headers?: Record<string, string>): Response {
  return jsonText(status, JSON.stringify(value), headers)
}

/**
 * A JSON response from text already serialized, as a string or as its UTF-8 bytes. Text is the
 * body as it is: node writes it with the head in one piece, and no bytes are made for it first.
 */
export function jsonText(status: number, text: string | Uint8Array, headers?: Record<string, string>): Response {
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length
  const response = new Response(text as string | Uint8Array<ArrayBuffer>, {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers },
  })
  return withLength(response, length)
}

/** A protobuf message body (`application/protobuf`, as the SDK expects). */
export function protobuf(body: Uint8Array): Response {
  const response = new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/protobuf', 'content-length': String(body.length) },
  })
  return withLength(response, body.length)
}

/** An answer without a body; like hyper's, it says so (`content-length: 0`) rather than sending an empty chunked body. */
export function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers: status === 204 || status === 304 ? headers : { 'content-length': '0', ...headers } })
}
