import { S2Error } from '../../errors/index.ts'
import type { AppendSessionTarget } from '../../engine/index.ts'
import { meteredSize, type AppendAck } from '../../store/index.ts'
import type { FaultPlan, Step } from '../../faults/index.ts'
import { journalSession, type JournalDraft } from '../../journal/journal.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import type { Connection } from '../connection.ts'
import type { Compression } from '../encoding.ts'
import { sleep } from '../fault-steps.ts'
import { decodeAppendInput, encodeAppendAck } from '../proto/messages.ts'
import { SESSION_HEADERS } from './headers.ts'
import { FrameDecoder, framePayload, messageFrame, terminalFrame } from './s2s-frame.ts'

export interface AppendSessionOptions {
  /** The request's journal entry, which the session reports its progress and end to. */
  readonly journal: JournalDraft | undefined
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
export function s2sAppend(request: Request, target: AppendSessionTarget, options: AppendSessionOptions): Response {
  const { compression, metrics, faults, connection } = options
  const closeSession = metrics.sessionOpened('append', 's2s')
  const journal = journalSession(options.journal, 'append')
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
    unwatch()
    closeSession()
  }
  // A reset or restore that removes the stream ends the session, even an idle one.
  const unwatch = target.onRemoved((error) => {
    if (!open) return
    journal.end('error', error)
    send(terminalFrame(error.status, error.body))
    end()
  })

  /** Resolves once the response body's queue is empty (the reader took every frame sent). */
  const untilQueueEmpty = async (): Promise<void> => {
    for (let turn = 0; turn < 200 && (output?.desiredSize ?? 1) < 1; turn++) {
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  // Acks leave in input order, each once its input is stable (at once, or under a timing profile
  // at its flush) and durable (at once in memory, after the persist log's group commit with
  // --persist); later acks queue behind a late one while the next inputs are read and appended.
  let acking: Promise<void> | null = null
  const sendAck = (ack: AppendAck): void => {
    send(messageFrame(encodeAppendAck(ack), compression))
    if (open) journal.acked()
  }
  const queueAck = (result: AppendAck | Promise<AppendAck>): void => {
    const durable = target.synced()
    if (acking === null && !(result instanceof Promise) && durable === null) return sendAck(result)
    durable?.catch(() => {}) // awaited in turn below
    const sent: Promise<void> = (acking ?? Promise.resolve()).then(async () => {
      if (!open) return
      try {
        const ack = await result
        await durable
        if (open) sendAck(ack)
      } catch (error) {
        if (!open) return
        const failure = error instanceof S2Error ? error : new S2Error('storage', 'the append could not be made durable')
        journal.end('error', failure)
        send(terminalFrame(failure.status, failure.body))
        end()
      }
    })
    acking = sent
    void sent.then(() => {
      if (acking === sent) acking = null
    })
  }
  /** Resolves once every ack queued so far has been sent (or the session has ended). */
  const acksSent = async (): Promise<void> => {
    while (acking !== null) await acking
  }

  /** Carries out fault steps; true when the session is over. */
  const act = async (steps: readonly Step[]): Promise<boolean> => {
    for (const step of steps) {
      if (step.kind === 'sleep' || step.kind === 'stall') await sleep(step.ms, abort.signal)
      else if (step.kind === 'fail') {
        await acksSent()
        if (!open) return true
        journal.end('fault', step.error)
        send(terminalFrame(step.error.status, step.error.body))
        return true
      } else if (step.kind === 'drop') {
        await acksSent()
        if (!open) return true
        journal.end('fault')
        // Let the acks already sent leave first: only this input's ack is lost.
        await untilQueueEmpty()
        await (step.scope === 'connection' ? connection.drop() : connection.cancel())
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
          if (!open) return
          if (frame.terminal) throw new S2Error('bad_frame', 'Unexpected terminal frame as input')
          const input = decodeAppendInput(framePayload(frame), 'bad_frame')
          options.journal?.appended(input.records)
          journal.input()
          if (await act(faults.beforeAppend(index))) return
          const ack = target.append(input)
          if (ack instanceof Promise) ack.catch(() => {}) // answered in order by queueAck
          let bytes = 0
          for (const record of input.records) bytes += meteredSize(record)
          metrics.appended(input.records.length, bytes)
          journal.appended(input.records.length)
          if (await act(faults.afterAppend(index))) return
          const delay = faults.eventDelay()
          if (delay > 0) await sleep(delay, abort.signal)
          queueAck(ack)
          index++
        }
        if (decoder.failure) throw decoder.failure
      }
      if (open && decoder.pending > 0) throw new S2Error('bad_frame', 'input ended in the middle of a frame')
    } catch (error) {
      await acksSent()
      if (open) {
        const failure = error instanceof S2Error ? error : new S2Error('other', 'internal error in s2-emulator')
        journal.end(error instanceof S2Error || !request.signal.aborted ? 'error' : 'client_closed', failure)
        send(terminalFrame(failure.status, failure.body))
      }
    } finally {
      await acksSent()
      journal.end(open ? 'complete' : 'client_closed')
      end()
    }
  }

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller
      void run()
    },
    cancel: () => {
      journal.end('client_closed')
      end()
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 's2s/proto', ...SESSION_HEADERS } })
}
