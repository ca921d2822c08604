import { S2Error } from '../../errors/index.ts'
import { readBody } from './body.ts'
import { mediaKind } from './media.ts'
import { parseSerdeJson } from '../wire/serde-json.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

export const EXPECTED_JSON = 'Expected request with `Content-Type: application/json`'

/** How a body's text becomes a value: plain JSON (the admin API), or as s2-lite's serde reads it (the S2 API). */
type JsonSyntax = 'plain' | 'serde'

function parseJson(bytes: Uint8Array, syntax: JsonSyntax): unknown {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new S2Error('bad_json', 'Failed to parse the request body as JSON: invalid UTF-8')
  }
  try {
    return syntax === 'serde' ? parseSerdeJson(text) : (JSON.parse(text) as unknown)
  } catch (error) {
    throw new S2Error('bad_json', `Failed to parse the request body as JSON: ${(error as Error).message}`)
  }
}

/** A required JSON body: `Content-Type` must be JSON (else 400 bad_json), the body valid JSON. */
export async function readJson(request: Request, syntax: JsonSyntax = 'plain'): Promise<unknown> {
  if (mediaKind(request.headers.get('content-type')) !== 'json') throw new S2Error('bad_json', EXPECTED_JSON)
  return parseJson(await readBody(request, 'bad_json'), syntax)
}

/** A required JSON body of the S2 API, read as s2-lite reads it (floats and repeated fields marked: serde-json.ts). */
export const readS2Json = (request: Request): Promise<unknown> => readJson(request, 'serde')

/** A body already read, parsed as s2-lite reads JSON. */
export const parseS2Json = (bytes: Uint8Array): unknown => parseJson(bytes, 'serde')

/** An optional JSON body of the S2 API (see {@link readOptionalJson}), read as s2-lite reads it. */
export const readOptionalS2Json = (request: Request): Promise<unknown> => readOptionalJson(request, 'serde')

/**
 * An optional JSON body (PUT ensure): with no `Content-Type` the body is ignored; an empty JSON body
 * is absent (undefined); any other content type is 400 bad_json.
 */
export async function readOptionalJson(request: Request, syntax: JsonSyntax = 'plain'): Promise<unknown> {
  const kind = mediaKind(request.headers.get('content-type'))
  if (kind === 'none') {
    await request.body?.cancel().catch(() => {})
    return undefined
  }
  if (kind !== 'json') throw new S2Error('bad_json', EXPECTED_JSON)
  const bytes = await readBody(request, 'bad_json')
  if (bytes.length === 0) return undefined
  return parseJson(bytes, syntax)
}
