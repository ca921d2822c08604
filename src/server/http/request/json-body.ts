import { S2Error } from '../../errors/index.ts'
import { readBody } from './body.ts'
import { mediaKind } from './media.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

export const EXPECTED_JSON = 'Expected request with `Content-Type: application/json`'

function parseJson(bytes: Uint8Array): unknown {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new S2Error('bad_json', 'Failed to parse the request body as JSON: invalid UTF-8')
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new S2Error('bad_json', `Failed to parse the request body as JSON: ${(error as Error).message}`)
  }
}

/** A required JSON body: `Content-Type` must be JSON (else 400 bad_json), the body valid JSON. */
export async function readJson(request: Request): Promise<unknown> {
  if (mediaKind(request.headers.get('content-type')) !== 'json') throw new S2Error('bad_json', EXPECTED_JSON)
  return parseJson(await readBody(request, 'bad_json'))
}

/**
 * An optional JSON body (PUT ensure): with no `Content-Type` the body is ignored; an empty JSON body
 * is absent (undefined); any other content type is 400 bad_json.
 */
export async function readOptionalJson(request: Request): Promise<unknown> {
  const kind = mediaKind(request.headers.get('content-type'))
  if (kind === 'none') {
    await request.body?.cancel().catch(() => {})
    return undefined
  }
  if (kind !== 'json') throw new S2Error('bad_json', EXPECTED_JSON)
  const bytes = await readBody(request, 'bad_json')
  if (bytes.length === 0) return undefined
  return parseJson(bytes)
}
