import { S2Error, type S2ErrorCode } from '../../errors/index.ts'
import { concatBytes } from '../bytes.ts'
import { contentEncoding, decompress } from '../encoding.ts'

/** axum's default body limit, which s2-lite keeps. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

/**
 * Reads a whole request body, decompressing it per `Content-Encoding` (zstd, gzip) and refusing
 * more than {@link MAX_BODY_BYTES}. The error code is the one the body's format reports
 * (`bad_json` or `bad_proto`).
 */
export async function readBody(request: Request, code: S2ErrorCode): Promise<Uint8Array> {
  const encoding = contentEncoding(request.headers.get('content-encoding'))
  const bytes = await readRaw(request, code)
  return decompress(bytes, encoding, MAX_BODY_BYTES, code)
}

async function readRaw(request: Request, code: S2ErrorCode): Promise<Uint8Array> {
  const tooLarge = (): S2Error => new S2Error(code, 'Failed to buffer the request body: length limit exceeded')
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  // A body of known length is read whole: @hono/node-server then reads the socket directly
  // instead of through a web stream, which costs more than the rest of a small append.
  if (declared >= 0) return readWhole(request, code, tooLarge)
  if (request.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>
    try {
      chunk = await reader.read()
    } catch {
      // The client went away mid-body (axum's words for it); no one hears the answer, and it is no fault of ours.
      throw new S2Error(code, 'Failed to buffer the request body: error reading a body from connection')
    }
    const { done, value } = chunk
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return concatBytes(chunks)
}

async function readWhole(request: Request, code: S2ErrorCode, tooLarge: () => S2Error): Promise<Uint8Array> {
  let bytes: ArrayBuffer
  try {
    bytes = await request.arrayBuffer()
  } catch {
    throw new S2Error(code, 'Failed to buffer the request body: error reading a body from connection')
  }
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge()
  return new Uint8Array(bytes)
}
