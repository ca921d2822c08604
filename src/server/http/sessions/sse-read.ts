import type { Clock } from '../../clock/clock.ts'
import { S2Error, type JsonValue } from '../../errors/index.ts'
import type { ReadSession } from '../../engine/index.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import { encodePosition, encodeReadBatch, type RecordFormat } from '../wire/records-json.ts'
import { SESSION_HEADERS } from './headers.ts'

const encoder = new TextEncoder()

export interface SseReadOptions {
  readonly format: RecordFormat
  readonly clock: Clock
  readonly metrics: Metrics
}

/**
 * A read session as Server-Sent Events (s2-lite §6.5): `batch` events whose id is
 * `last_seq_num,count,bytes` (cumulative), `ping` heartbeats with the tail, an `error` event on
 * failure, and `data: [DONE]` when the read is complete. Events are produced as the client reads,
 * so a slow client holds back nobody else.
 */
export function sseRead(session: ReadSession, options: SseReadOptions): Response {
  const closeSession = options.metrics.sessionOpened('read', 'sse')
  const finish = (): void => {
    session.close()
    closeSession()
  }
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text: string
        let last = false
        try {
          const event = await session.next()
          if (event === null) {
            text = 'data: [DONE]\n\n'
            last = true
          } else if (event.type === 'batch') {
            const lastRecord = event.records[event.records.length - 1]
            let bytes = 0
            for (const record of event.records) bytes += record.metered
            options.metrics.read(event.records.length, bytes)
            const data = JSON.stringify(encodeReadBatch(event.records, event.tail, options.format))
            text = `event: batch\nid: ${lastRecord?.seqNum},${session.count},${session.bytes}\ndata: ${data}\n\n`
          } else {
            const ping: JsonValue = { timestamp: options.clock.now(), tail: encodePosition(event.tail) }
            text = `event: ping\ndata: ${JSON.stringify(ping)}\n\n`
          }
        } catch (error) {
          const errorBody: JsonValue =
            error instanceof S2Error ? error.body : { code: 'other', message: 'internal error in s2-emulator' }
          text = `event: error\ndata: ${JSON.stringify(errorBody)}\n\n`
          last = true
        }
        controller.enqueue(encoder.encode(text))
        if (last) {
          controller.close()
          finish()
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  )
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', ...SESSION_HEADERS },
  })
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
