import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { S2Error, type S2ErrorCode } from '../../errors/index.ts'
import { concatBytes } from '../bytes.ts'
import { contentEncoding, decompress } from '../encoding.ts'

/** axum's default body limit, which s2-lite keeps. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

/** The node request a request served over node:http or node:http2 came as; absent in-process. */
export type NodeRequest = IncomingMessage | Http2ServerRequest

/**
 * Reads a whole request body, decompressing it per `Content-Encoding` (zstd, gzip) and refusing
 * more than {@link MAX_BODY_BYTES}. The error code is the one the body's format reports
 * (`bad_json` or `bad_proto`). Given the node request, a body of known length is read from it.
 */
export async function readBody(request: Request, code: S2ErrorCode, incoming?: NodeRequest): Promise<Uint8Array> {
  const encoding = contentEncoding(request.headers.get('content-encoding'))
  const bytes = await readRaw(request, code, incoming)
  return decompress(bytes, encoding, MAX_BODY_BYTES, code)
}

const brokenOff = (code: S2ErrorCode): S2Error =>
  // The client went away mid-body (axum's words for it); no one hears the answer, and it is no fault of ours.
  new S2Error(code, 'Failed to buffer the request body: error reading a body from connection')

async function readRaw(request: Request, code: S2ErrorCode, incoming: NodeRequest | undefined): Promise<Uint8Array> {
  const tooLarge = (): S2Error => new S2Error(code, 'Failed to buffer the request body: length limit exceeded')
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  if (declared >= 0) {
    // The node request's own chunks, untouched: the adapter would join them and copy them once more.
    // One already read from, or already gone, is left to the adapter, which knows what it kept.
    if (incoming !== undefined && !incoming.destroyed && !incoming.readableDidRead) return readIncoming(incoming, code)
    // @hono/node-server then reads the socket directly instead of through a web stream, which
    // costs more than the rest of a small append.
    return readWhole(request, code, tooLarge)
  }
  if (request.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>
    try {
      chunk = await reader.read()
    } catch {
      throw brokenOff(code)
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

/**
 * A body of declared length from the node request. Node's parser ends it at that length, which is
 * within the limit. A single chunk (a small body) is returned as it came when it holds its bytes
 * alone, as node:http's do; one that is a view into a larger read (node:http2's) is copied, so
 * what keeps the body's records (the journal) keeps no more memory than they need.
 */
function readIncoming(incoming: NodeRequest, code: S2ErrorCode): Promise<Uint8Array> {
  // Both are Readables; TypeScript cannot call the union's overloads.
  const readable = incoming as IncomingMessage
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const onData = (chunk: Buffer): void => void chunks.push(chunk)
    const onEnd = (): void => {
      stop()
      const bytes = concatBytes(chunks)
      resolve(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes))
    }
    const onBreak = (): void => {
      stop()
      reject(brokenOff(code))
    }
    const stop = (): void => {
      readable.off('data', onData)
      readable.off('end', onEnd)
      readable.off('error', onBreak)
      readable.off('close', onBreak)
    }
    readable.on('data', onData)
    readable.on('end', onEnd)
    readable.on('error', onBreak)
    readable.on('close', onBreak)
  })
}

async function readWhole(request: Request, code: S2ErrorCode, tooLarge: () => S2Error): Promise<Uint8Array> {
  let bytes: ArrayBuffer
  try {
    bytes = await request.arrayBuffer()
  } catch {
    throw brokenOff(code)
  }
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge()
  return new Uint8Array(bytes)
}
