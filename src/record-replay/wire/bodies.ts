import { mediaKind } from '../../server/http/request/media.ts'
import { compress, type Compression } from '../../server/http/encoding.ts'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { redactJson } from '../cassette/redact.ts'
import type { Body, JsonValue, MessageType, RedactionRules } from '../cassette/types.ts'
import { jsonToProto, protoIsLossless, protoToJson } from './proto-json.ts'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const utf8 = (bytes: Uint8Array): string | null => {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return null
  }
}
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))

/** The compression a `Content-Encoding` names, or null for one this layer cannot undo. */
export function encodingOf(header: string | null | undefined): Compression | null {
  const value = header?.trim().toLowerCase() ?? ''
  if (value === '' || value === 'identity') return 'none'
  return value === 'gzip' || value === 'zstd' ? value : null
}

export interface BodyContext {
  readonly contentType: string | null | undefined
  readonly contentEncoding: string | null | undefined
  /** The protobuf message a protobuf body holds here (by operation and direction). */
  readonly message: MessageType | null
}

/**
 * A body as the cassette stores it: decompressed, then decoded by its content type, and redacted.
 * Nothing (undefined) for an empty body.
 */
export function decodeBody(wire: Uint8Array, context: BodyContext, rules: RedactionRules): Body | undefined {
  if (wire.length === 0) return undefined
  const encoding = encodingOf(context.contentEncoding)
  let bytes: Uint8Array
  try {
    if (encoding === null) return { base64: base64(wire), compressed: true }
    bytes = encoding === 'gzip' ? gunzipSync(wire) : encoding === 'zstd' ? zstdDecompressSync(wire) : wire
  } catch {
    return { base64: base64(wire), compressed: true }
  }
  const kind = mediaKind(context.contentType)
  const text = utf8(bytes)
  if (kind === 'json' && text !== null) {
    let parsed: JsonValue | undefined
    try {
      parsed = JSON.parse(text) as JsonValue
    } catch {
      parsed = undefined
    }
    if (parsed !== undefined) {
      const { value, changed } = redactJson(parsed, rules)
      return !changed && JSON.stringify(parsed) !== text ? { json: value, raw: text } : { json: value }
    }
  }
  if (kind === 'protobuf' && context.message !== null) {
    const message = decodeMessage(context.message, bytes, rules)
    if (message !== null) return message
  }
  return text !== null ? { text } : { base64: base64(bytes) }
}

/** A protobuf payload as a body (or frame) stores it; null if it is not that message. */
export function decodeMessage(
  type: MessageType,
  bytes: Uint8Array,
  rules: RedactionRules,
): { proto: MessageType; message: JsonValue; format?: 'base64'; raw?: string } | null {
  let decoded
  try {
    decoded = protoToJson(type, bytes)
  } catch {
    return null
  }
  const { value, changed } = redactJson(decoded.message, rules)
  const out: { proto: MessageType; message: JsonValue; format?: 'base64'; raw?: string } = { proto: type, message: value }
  if (decoded.format === 'base64') out.format = 'base64'
  if (!changed && !protoIsLossless(type, bytes)) out.raw = base64(bytes)
  return out
}

/** The payload bytes of a stored protobuf message. */
export function encodeMessage(stored: { proto: MessageType; message: JsonValue; format?: 'base64'; raw?: string }): Uint8Array {
  if (stored.raw !== undefined) return fromBase64(stored.raw)
  return jsonToProto(stored.proto, stored.message, stored.format ?? 'raw')
}

/** The bytes of a stored body, compressed again per `contentEncoding` (as the recorded headers say). */
export function encodeBody(body: Body | undefined, contentEncoding: string | null | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0)
  let bytes: Uint8Array
  if ('json' in body) bytes = new TextEncoder().encode(body.raw ?? JSON.stringify(body.json))
  else if ('proto' in body) bytes = encodeMessage(body)
  else if ('text' in body) bytes = new TextEncoder().encode(body.text)
  else if (body.compressed) return fromBase64(body.base64)
  else bytes = fromBase64(body.base64)
  const encoding = encodingOf(contentEncoding)
  return encoding === null || encoding === 'none' ? bytes : compress(bytes, encoding)
}

/** The message a protobuf body of this request or response holds. */
export function messageTypeOf(method: string, path: string, direction: 'request' | 'response'): MessageType | null {
  if (!/^\/v1\/streams\/[^/]+\/records$/.test(path)) return null
  if (method === 'POST') return direction === 'request' ? 'AppendInput' : 'AppendAck'
  if (method === 'GET' && direction === 'response') return 'ReadBatch'
  return null
}
