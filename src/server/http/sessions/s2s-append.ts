import { S2Error } from '../../errors/index.ts'
import type { AppendSessionTarget } from '../../engine/index.ts'
import { FrameSlabs, type AppendAck } from '../../store/index.ts'
import type { FaultPlan, Step } from '../../faults/index.ts'
import { journalSession, type JournalDraft } from '../../journal/journal.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import type { Connection } from '../connection.ts'
import type { Compression } from '../encoding.ts'
import { sleep } from '../fault-steps.ts'
import { decodeAppendInput, encodeAppendAck } from '../proto/messages.ts'
import type { BodySink, SessionBody } from './body-sink.ts'
import type { BodySource } from './body-source.ts'
import { s2sResponse } from './s2s-read.ts'
import { FrameDecoder, framePayload, messageFrame, terminalFrame } from './s2s-frame.ts'

export interface AppendSessionOptions {
  /** The request's journal entry, which the session reports its progress and end to. */
  readonly journal: JournalDraft | undefined
  readonly compression: Compression
  readonly metrics: Metrics
  readonly faults: FaultPlan
  readonly connection: Connection
  /** Aborts when the client went away (tells a broken body from a bad one in the journal). */
  readonly signal: AbortSignal
}

/**
 * An append session over S2S (s2-lite §7.3): each `AppendInput` frame is appended in arrival order
 * and answered by one `AppendAck` frame, in order. The first failure ends the session with a
 * terminal frame (later inputs are not applied); when the client closes its side, the response
 * ends once every ack is out. Fault rules act around each input: before it is applied (stalls,
 * rejections, dropped connections) and after it committed (lost acks). Inputs are read only as
 * the client takes the acks (the response's buffer drains).
 */
export function s2sAppend(source: BodySource, target: AppendSessionTarget, options: AppendSessionOptions): Response {
  const { compression, metrics, faults, connection } = options
  const closeSession = metrics.sessionOpened('append', 's2s')
  const journal = journalSession(options.journal, 'append')
  const abort = new AbortController()
  let sink: BodySink | null = null
  /** Frames sent before the body started (a stream removed meanwhile): they go out first. */
  let early: Uint8Array[] = []
  /** Set while the client has not caught up with the frames written so far. */
  let drained: Promise<void> | undefined
  let open = true
  const send = (bytes: Uint8Array): void => {
    if (!open) return
    if (sink === null) {
      early.push(bytes)
      return
    }
    const written = sink.write(bytes)
    if (written === undefined) return
    const pending: Promise<void> = written.then(() => {
      if (drained === pending) drained = undefined
    })
    drained = pending
  }
  const end = (): void => {
    if (!open) return
    open = false
    abort.abort()
    sink?.end()
    source.stop()
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

  /** Resolves once the client took every frame written so far (or went away). */
  const untilDrained = async (): Promise<void> => {
    while (drained !== undefined) await drained
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
        await untilDrained()
        await (step.scope === 'connection' ? connection.drop() : connection.cancel())
        return true
      }
      if (!open) return true
    }
    return false
  }

  const run = async (): Promise<void> => {
    // The store keeps the frames' bytes: a session's joined frames are cut from slabs (see FrameSlabs).
    const slabs = new FrameSlabs()
    const decoder = new FrameDecoder({ join: (parts) => slabs.join(parts) })
    let index = 0
    try {
      while (open) {
        // Backpressure: the next inputs wait until the client takes the acks already written.
        if (drained !== undefined) await untilDrained()
        if (!open) break
        const chunk = await source.read()
        if (chunk === null) break
        for (const frame of decoder.push(chunk)) {
          if (!open) return
          if (frame.terminal) throw new S2Error('bad_frame', 'Unexpected terminal frame as input')
          const input = decodeAppendInput(framePayload(frame), 'bad_frame')
          options.journal?.appended(input.records)
          journal.input()
          const before = faults.beforeAppend(index)
          if (before.length > 0 && (await act(before))) return
          const ack = target.append(input)
          if (ack instanceof Promise) ack.catch(() => {}) // answered in order by queueAck
          metrics.appended(input.records.length, input.records.meteredBytes)
          journal.appended(input.records.length)
          const after = faults.afterAppend(index)
          if (after.length > 0 && (await act(after))) return
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
        journal.end(error instanceof S2Error || !options.signal.aborted ? 'error' : 'client_closed', failure)
        send(terminalFrame(failure.status, failure.body))
      }
    } finally {
      await acksSent()
      journal.end(open ? 'complete' : 'client_closed')
      end()
    }
  }

  const body: SessionBody = (out) => {
    sink = out
    out.onClose(() => {
      journal.end('client_closed')
      end()
    })
    for (const bytes of early) out.write(bytes)
    early = []
    if (!open) return out.end()
    void run()
  }
  return s2sResponse(body)
}
