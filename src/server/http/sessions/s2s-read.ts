import { S2Error } from '../../errors/index.ts'
import type { ReadSession } from '../../engine/index.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import type { Compression } from '../encoding.ts'
import { encodeReadBatch } from '../proto/messages.ts'
import { SESSION_HEADERS } from './headers.ts'
import { messageFrame, terminalFrame } from './s2s-frame.ts'

/**
 * A read session over S2S (s2-lite §7.4): `ReadBatch` frames (catch-up without a tail, live with
 * one), empty `ReadBatch{tail}` heartbeats, a terminal frame on failure, and a plain end of the
 * body only when the read is complete.
 */
export function s2sRead(session: ReadSession, compression: Compression, metrics: Metrics): Response {
  const closeSession = metrics.sessionOpened('read', 's2s')
  const finish = (): void => {
    session.close()
    closeSession()
  }
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const event = await session.next()
          if (event === null) {
            controller.close()
            finish()
            return
          }
          if (event.type === 'batch') {
            let bytes = 0
            for (const record of event.records) bytes += record.metered
            metrics.read(event.records.length, bytes)
            controller.enqueue(messageFrame(encodeReadBatch(event.records, event.tail), compression))
          } else {
            controller.enqueue(messageFrame(encodeReadBatch([], event.tail), compression))
          }
        } catch (error) {
          const failure = error instanceof S2Error ? error : new S2Error('other', 'internal error in s2-emulator')
          controller.enqueue(terminalFrame(failure.status, failure.body))
          controller.close()
          finish()
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  )
  return new Response(body, { status: 200, headers: { 'content-type': 's2s/proto', ...SESSION_HEADERS } })
}
