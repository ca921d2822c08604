import { S2Error } from '../../errors/index.ts'
import type { Engine, StreamAddress } from '../../engine/index.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import { meteredSize } from '../../store/index.ts'
import type { Compression } from '../encoding.ts'
import { decodeAppendInput, encodeAppendAck } from '../proto/messages.ts'
import { SESSION_HEADERS } from './headers.ts'
import { FrameDecoder, framePayload, messageFrame, terminalFrame } from './s2s-frame.ts'

/**
 * An append session over S2S (s2-lite §7.3): each `AppendInput` frame is appended in arrival order
 * and answered by one `AppendAck` frame, in order. The first failure ends the session with a
 * terminal frame (later inputs are not applied); when the client closes its side, the response
 * ends once every ack is out.
 */
export function s2sAppend(
  request: Request,
  address: StreamAddress,
  engine: Engine,
  compression: Compression,
  metrics: Metrics,
): Response {
  const closeSession = metrics.sessionOpened('append', 's2s')
  const reader = request.body?.getReader()
  let output: ReadableStreamDefaultController<Uint8Array> | undefined
  let open = true
  const send = (bytes: Uint8Array): void => {
    try {
      if (open) output?.enqueue(bytes)
    } catch {
      // The client went away; end() follows.
    }
  }
  const end = (): void => {
    if (!open) return
    open = false
    try {
      output?.close()
    } catch {
      // The client went away first.
    }
    void reader?.cancel().catch(() => {})
    closeSession()
  }

  const run = async (): Promise<void> => {
    const decoder = new FrameDecoder()
    try {
      while (open && reader) {
        const { done, value } = await reader.read()
        if (done) break
        for (const frame of decoder.push(value)) {
          if (frame.terminal) throw new S2Error('bad_frame', 'Unexpected terminal frame as input')
          const input = decodeAppendInput(framePayload(frame), 'bad_frame')
          const ack = engine.append(address, input)
          let bytes = 0
          for (const record of input.records) bytes += meteredSize(record)
          metrics.appended(input.records.length, bytes)
          send(messageFrame(encodeAppendAck(ack), compression))
        }
      }
      if (open && decoder.pending > 0) throw new S2Error('bad_frame', 'input ended in the middle of a frame')
    } catch (error) {
      if (open) {
        const failure = error instanceof S2Error ? error : new S2Error('other', 'internal error in s2-emulator')
        send(terminalFrame(failure.status, failure.body))
      }
    } finally {
      end()
    }
  }

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller
      void run()
    },
    cancel: end,
  })
  return new Response(body, { status: 200, headers: { 'content-type': 's2s/proto', ...SESSION_HEADERS } })
}
