import type { Clock } from '../../clock/clock.ts'
import { S2Error, type JsonValue } from '../../errors/index.ts'
import { JsonBytes } from '../wire/json-bytes.ts'
import { encodePosition, readBatchCapacity, writeReadBatch, type RecordFormat } from '../wire/records-json.ts'
import type { SessionBody } from './body-sink.ts'
import { SESSION_HEADERS } from './headers.ts'
import { giveSendBuffer, takeSendBuffer } from './send-buffers.ts'
import type { ReadEncoder } from './read-pump.ts'
import { sessionResponse } from './session-response.ts'

const encoder = new TextEncoder()

/**
 * Server-Sent Events for a read session (s2-lite §6.5): `batch` events whose id is
 * `last_seq_num,count,bytes` (cumulative), `ping` heartbeats with the tail, an `error` event on
 * failure, and `data: [DONE]` when the read is complete.
 */
export function sseEncoder(format: RecordFormat, clock: Clock): ReadEncoder {
  return {
    batch(records, tail, delivered) {
      const last = records.length === 0 ? undefined : records.seqNum(records.length - 1)
      const out = new JsonBytes(readBatchCapacity(records) + 64, takeSendBuffer)
      out.ascii(`event: batch\nid: ${last},${delivered.count},${delivered.bytes}\ndata: `)
      writeReadBatch(out, records, tail, format)
      out.ascii('\n\n')
      return out.bytes()
    },
    heartbeat(tail) {
      const ping: JsonValue = { timestamp: clock.now(), tail: encodePosition(tail) }
      return encoder.encode(`event: ping\ndata: ${JSON.stringify(ping)}\n\n`)
    },
    error: (_status, body) => encoder.encode(`event: error\ndata: ${JSON.stringify(body)}\n\n`),
    done: () => encoder.encode('data: [DONE]\n\n'),
    release: giveSendBuffer,
  }
}

export function sseResponse(body: SessionBody): Response {
  return sessionResponse(body, { 'content-type': 'text/event-stream', ...SESSION_HEADERS })
}

/** `Last-Event-ID: seq,count,bytes` of a resuming SSE client; malformed is 400 bad_header. */
export function parseLastEventId(header: string | null): { seqNum: number; count: number; bytes: number } | undefined {
  if (header === null) return undefined
  const match = /^(\d+),(\d+),(\d+)$/.exec(header.trim())
  if (!match) {
    throw new S2Error('bad_header', `Invalid header \`last-event-id\`: expected "seq_num,count,bytes", got "${header}"`)
  }
  return { seqNum: Number(match[1]), count: Number(match[2]), bytes: Number(match[3]) }
}
