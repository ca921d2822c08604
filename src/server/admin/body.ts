import { S2Error } from '../errors/index.ts'
import { EXPECTED_JSON, readOptionalJson } from '../http/request/json-body.ts'

/**
 * An admin request body: an optional JSON object (absent is `{}`); anything else is 400. A body
 * sent without a JSON `Content-Type` is refused rather than ignored: for a reset, ignoring it would
 * mean resetting everything.
 */
export async function adminBody(request: Request): Promise<Record<string, unknown>> {
  const length = request.headers.get('content-length')
  const hasBody = (length !== null && length !== '0') || request.headers.has('transfer-encoding')
  if (hasBody && request.headers.get('content-type') === null) throw new S2Error('bad_json', EXPECTED_JSON)
  const body = await readOptionalJson(request)
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new S2Error('bad_json', 'the body must be a JSON object')
  return body as Record<string, unknown>
}

/** An optional string field; anything else is a 400 naming it. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new S2Error('bad_json', `${field}: must be a string`)
  return value
}
