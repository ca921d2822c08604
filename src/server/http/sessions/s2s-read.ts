import type { Compression } from '../encoding.ts'
import { encodeReadBatch } from '../proto/messages.ts'
import { SESSION_HEADERS } from './headers.ts'
import type { ReadEncoder } from './read-pump.ts'
import { messageFrame, terminalFrame } from './s2s-frame.ts'

/**
 * S2S frames for a read session (s2-lite §7.4): `ReadBatch` frames (catch-up without a tail, live
 * with one), empty `ReadBatch{tail}` heartbeats, a terminal frame on failure, and a plain end of
 * the body when the read is complete.
 */
export function s2sReadEncoder(compression: Compression): ReadEncoder {
  return {
    batch: (records, tail) => messageFrame(encodeReadBatch(records, tail), compression),
    heartbeat: (tail) => messageFrame(encodeReadBatch([], tail), compression),
    error: (status, body) => terminalFrame(status, body),
    done: () => null,
  }
}

export function s2sResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 's2s/proto', ...SESSION_HEADERS } })
}
