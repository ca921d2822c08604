import { S2Error } from '../../errors/index.ts'
import type { Engine, StreamAddress } from '../../engine/index.ts'
import type { FaultPlan, Step } from '../../faults/index.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import { meteredSize } from '../../store/index.ts'
import type { Connection } from '../connection.ts'
import type { Compression } from '../encoding.ts'
import { sleep } from '../fault-steps.ts'
import { decodeAppendInput, encodeAppendAck } from '../proto/messages.ts'
import { SESSION_HEADERS } from './headers.ts'
import { FrameDecoder, framePayload, messageFrame, terminalFrame } from './s2s-frame.ts'

export interface AppendSessionOptions {
  readonly engine: Engine
  readonly compression: Compression
  readonly metrics: Metrics
  readonly faults: FaultPlan
  readonly connection: Connection
}

/**
 * An append session over S2S (s2-lite §7.3): each `AppendInput` frame is appended in arrival order
 * and answered by one `AppendAck` frame, in order. The first failure ends the session with a
 * terminal frame (later inputs are not applied); when the client closes its side, the response
 * ends once every ack is out. Fault rules act around each input: before it is applied (stalls,
 * rejections, dropped connections) and after it committed (lost acks).
 */
export function s2sAppend(request: Request, address: StreamAddress, options: AppendSessionOptions): Response {
  const { engine, compression, metrics, faults, connection } = options
  const closeSession = metrics.sessionOpened('append', 's2s')
  const abort = new AbortController()
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
    abort.abort()
    try {
      output?.close()
    } catch {
      // The client went away first.
    }
    void reader?.cancel().catch(() => {})
    closeSession()
  }

  /** Carries out fault steps; true when the session is over. */
  const act = async (steps: readonly Step[]): Promise<boolean> => {
    for (const step of steps) {
      if (step.kind === 'sleep' || step.kind === 'stall') await sleep(step.ms, abort.signal)
      else if (step.kind === 'fail') {
        send(terminalFrame(step.error.status, step.error.body))
        return true
      } else {
        connection.drop()
        return true
      }
      if (!open) return true
    }
    return false
  }

  const run = async (): Promise<void> => {
    const decoder = new FrameDecoder()
    let index = 0
    try {
      while (open && reader) {
        const { done, value } = await reader.read()
        if (done) break
        for (const frame of decoder.push(value)) {
          if (frame.terminal) throw new S2Error('bad_frame', 'Unexpected terminal frame as input')
          const input = decodeAppendInput(framePayload(frame), 'bad_frame')
          if (await act(faults.beforeAppend(index))) return
          const ack = engine.append(address, input)
          let bytes = 0
          for (const record of input.records) bytes += meteredSize(record)
          metrics.appended(input.records.length, bytes)
          if (await act(faults.afterAppend(index))) return
          const delay = faults.eventDelay()
          if (delay > 0) await sleep(delay, abort.signal)
          send(messageFrame(encodeAppendAck(ack), compression))
          index++
        }
        if (decoder.failure) throw decoder.failure
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
