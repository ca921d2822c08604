import { mediaKind } from '../../server/http/request/media.ts'
import type { Body, JsonValue, RecordedRequest, Transport } from '../cassette/types.ts'
import { addressOf } from '../wire/exchange-kind.ts'
import { canonicalJson, firstDifference, preview, valueAt } from './json-diff.ts'

/**
 * What a request is matched on: method, path, basin, stream, transport, representation (content
 * type, accept, `s2-format`), the query (order of parameters aside) and the body, normalised
 * (JSON and protobuf messages compared as values, redacted fields as redacted). Tokens, user
 * agents and the SDK's random `s2-request-token` are not part of it.
 */
export interface RequestKey {
  readonly method: string
  readonly path: string
  readonly basin: string
  readonly stream: string
  readonly transport: Transport
  readonly representation: string
  readonly query: string
  readonly body: string
  /** The body's value, for saying where two bodies differ. */
  readonly bodyValue: JsonValue | undefined
}

export type KeyField = 'method' | 'path' | 'basin' | 'stream' | 'transport' | 'representation' | 'query' | 'body'

/** How much a differing field counts when looking for the nearest recorded request. */
const WEIGHTS: Record<KeyField, number> = {
  method: 16,
  path: 16,
  basin: 4,
  stream: 4,
  transport: 4,
  representation: 2,
  query: 2,
  body: 1,
}

export const KEY_FIELDS = Object.keys(WEIGHTS) as KeyField[]

function canonicalQuery(query: string | undefined): string {
  const params = [...new URLSearchParams(query ?? '')]
  params.sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
  return params.map(([k, v]) => `${k}=${v}`).join('&')
}

/** What an `Accept` asks of S2: protobuf, SSE, or JSON (anything else: any type, or no header). */
function acceptKind(accept: string | undefined): string {
  const kind = mediaKind(accept)
  return kind === 'protobuf' || kind === 'event-stream' ? kind : 'json'
}

export function bodyValue(body: Body | undefined): JsonValue | undefined {
  if (body === undefined) return undefined
  if ('json' in body) return body.json
  if ('proto' in body) return { [body.proto]: body.message, ...(body.format ? { format: body.format } : {}) }
  if ('text' in body) return body.text
  return { base64: body.base64 }
}

export function requestKey(request: RecordedRequest, transport: Transport): RequestKey {
  const { basin, stream } = addressOf(request.path, request.headers)
  const h = request.headers
  const value = bodyValue(request.body)
  return {
    method: request.method,
    path: request.path,
    basin: basin ?? '',
    stream: stream ?? '',
    transport,
    representation: `content=${mediaKind(h['content-type'])} accept=${acceptKind(h.accept)} format=${h['s2-format'] ?? 'raw'}`,
    query: canonicalQuery(request.query),
    body: canonicalJson(value),
    bodyValue: value,
  }
}

export interface KeyDifference {
  readonly field: KeyField
  /** e.g. `body at records[0].body: recorded "a", got "b"`. */
  readonly detail: string
}

export function keyDifferences(recorded: RequestKey, actual: RequestKey): KeyDifference[] {
  const out: KeyDifference[] = []
  for (const field of KEY_FIELDS) {
    if (recorded[field] === actual[field]) continue
    if (field === 'body') {
      const at = firstDifference(recorded.bodyValue, actual.bodyValue) ?? ''
      const where = at === '' ? 'body' : `body at ${at}`
      out.push({
        field,
        detail: `${where}: recorded ${preview(valueAt(recorded.bodyValue, at))}, got ${preview(valueAt(actual.bodyValue, at))}`,
      })
    } else {
      out.push({ field, detail: `${field}: recorded ${JSON.stringify(recorded[field])}, got ${JSON.stringify(actual[field])}` })
    }
  }
  return out
}

export function distance(differences: readonly KeyDifference[]): number {
  return differences.reduce((sum, d) => sum + WEIGHTS[d.field], 0)
}
