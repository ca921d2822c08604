/**
 * Extra wire helpers for the fault tests (test/faults/): an h2 stream that exposes how it was
 * closed (RST_STREAM code), SSE bodies parsed whole (with what is left after the last complete
 * event), and waiting for a dropped h2 connection. Like wire.ts, nothing here imports src.
 */
import { constants as h2constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2'
import { BodyBuffer, parseSseEvent, responseHead, type H2Client, type ResponseHead, type SseEvent } from './wire.ts'

export interface H2StreamExchange {
  readonly stream: ClientHttp2Stream
  readonly head: Promise<ResponseHead>
  readonly body: BodyBuffer
  /** Resolves when the stream is closed, with its RST_STREAM code (0, NO_ERROR, for a clean end). */
  readonly closed: Promise<number>
  /** Cancels the stream (RST_STREAM CANCEL). */
  abort(): void
}

/** A GET (request ended at once) on an h2 connection, with access to the underlying stream. */
export function h2Get(h2: H2Client, path: string, headers: Record<string, string>): H2StreamExchange {
  const stream = h2.session.request({ ':method': 'GET', ':path': path, ...headers })
  stream.on('error', () => {}) // surfaced through `closed` and the body
  const head = responseHead(stream)
  const body = new BodyBuffer(stream)
  const closed = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode ?? 0)))
  stream.end()
  return { stream, head, body, closed, abort: () => void stream.close(h2constants.NGHTTP2_CANCEL) }
}

/** Resolves once an h2 connection is closed or destroyed (e.g. dropped by the server). */
export function sessionClosed(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve()
  return new Promise((resolve) => session.once('close', () => resolve()))
}

/** A whole SSE body: its complete events, and the text after the last one ('' when it ends on an event boundary). */
export function parseSseBody(text: string): { events: SseEvent[]; rest: string } {
  const pieces = text.split('\n\n')
  const rest = pieces.pop() ?? ''
  return { events: pieces.map(parseSseEvent), rest }
}

export interface SseRecord {
  seq_num: number
  timestamp: number
  body?: string
}

/** The records of the `batch` events, in order. */
export function sseRecords(events: readonly SseEvent[]): SseRecord[] {
  return events.filter((e) => e.event === 'batch').flatMap((e) => (JSON.parse(e.data) as { records: SseRecord[] }).records)
}
