import type { ReadEvent, ReadSession } from '../../engine/index.ts'
import { S2Error, type JsonValue } from '../../errors/index.ts'
import type { FaultPlan, Step } from '../../faults/index.ts'
import { journalSession, type JournalDraft } from '../../journal/journal.ts'
import type { Metrics } from '../../metrics/metrics.ts'
import type { RecordList, StreamPosition } from '../../store/index.ts'
import type { Connection } from '../connection.ts'
import { sleep } from '../fault-steps.ts'
import type { BodySink, SessionBody } from './body-sink.ts'

/** How one transport (SSE or S2S) writes the events of a read session. */
export interface ReadEncoder {
  /** A batch; `delivered` are the session's totals including it. */
  batch(records: RecordList, tail: StreamPosition | null, delivered: { count: number; bytes: number }): Uint8Array
  heartbeat(tail: StreamPosition): Uint8Array
  /** A failure after the session started: an SSE error event or a terminal frame. */
  error(status: number, body: JsonValue): Uint8Array
  /** What ends a complete read (SSE `data: [DONE]`); null when the body just ends (S2S). */
  done(): Uint8Array | null
}

export interface ReadPumpOptions {
  /** The request's journal entry, which the session reports its progress and end to. */
  readonly journal: JournalDraft | undefined
  readonly transport: 'sse' | 's2s'
  readonly metrics: Metrics
  readonly faults: FaultPlan
  readonly connection: Connection
  /** Told of each batch (its metered bytes) and heartbeat (0) sent: the cloud profile meters reads. */
  readonly onEvent?: ((bytes: number) => void) | undefined
}

/**
 * The body of a read session: events are taken from the engine only as the client keeps up (the
 * connection's buffer drains), so a slow reader holds back nobody else and nothing piles up in
 * memory. Fault rules act here, between events: per-event latency, and at their trigger points
 * stalls, errors, truncation and dropped connections (splitting a batch so a trigger after N
 * records falls exactly there).
 */
export function readBody(session: ReadSession, encoder: ReadEncoder, options: ReadPumpOptions): SessionBody {
  const { metrics, faults, connection } = options
  const closeSession = metrics.sessionOpened('read', options.transport)
  const journal = journalSession(options.journal, 'read')
  const abort = new AbortController()
  let sentRecords = 0
  let sentBatches = 0
  let delivered = { count: session.count, bytes: session.bytes }
  let held: ReadEvent | null = null
  /** The last event written, while the client has not taken it all. */
  let unsent: Promise<void> | undefined
  let lastTail: StreamPosition = { seqNum: 0, timestamp: 0 }
  const finish = (): void => {
    if (abort.signal.aborted) return
    abort.abort()
    session.close()
    closeSession()
  }

  /** The rest of a batch held back at a trigger point, else the session's next event (at once when it is ready). */
  const nextEvent = (): ReadEvent | null | Promise<ReadEvent | null> => {
    const event = held ?? session.next()
    held = null
    return event
  }

  /** Carries out a trigger's step; true when the body has ended. */
  const act = async (step: Step, sink: BodySink): Promise<boolean> => {
    switch (step.kind) {
      case 'sleep':
      case 'stall':
        await sleep(step.ms, abort.signal)
        return abort.signal.aborted
      case 'fail':
        journal.end('fault', step.error)
        await sink.write(encoder.error(step.error.status, step.error.body))
        sink.end()
        return true
      case 'drop':
        journal.end('fault')
        await (step.scope === 'connection' ? connection.drop() : connection.cancel())
        return true
      case 'truncate':
        journal.end('fault')
        if (step.mode === 'rst') {
          await connection.resetStream()
          return true
        }
        if (step.mode === 'partial') {
          const event = await Promise.resolve().then(nextEvent).catch(() => null)
          const bytes =
            event?.type === 'batch' ? encoder.batch(event.records, event.tail, delivered) : encoder.heartbeat(event?.tail ?? lastTail)
          await sink.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))))
        }
        sink.end()
        return true
    }
  }

  return (sink) => {
    sink.onClose(() => {
      journal.end('client_closed')
      finish()
    })
    void run(sink)
  }

  /**
   * Sends events until the body ends, awaiting only what is not ready yet (a fault's step, the
   * session's next event, the client taking the last one): a follower woken by an append sends its
   * batch and goes back to waiting in one turn, with no promise per step on the way.
   */
  async function run(sink: BodySink): Promise<void> {
    try {
      events: while (!abort.signal.aborted) {
        for (const step of faults.readTriggers(sentRecords, sentBatches)) {
          if (await act(step, sink)) break events
        }
        const next = nextEvent()
        let event = next instanceof Promise ? await next : next
        if (abort.signal.aborted) return
        if (event === null) {
          const done = encoder.done()
          if (done) sink.write(done)
          journal.end('complete')
          sink.end()
          break
        }
        if (event.type === 'batch') {
          const room = faults.recordsUntilTrigger(sentRecords, sentBatches)
          if (room > 0 && room < event.records.length) {
            // Hold back what lies beyond a trigger point; it goes out after the trigger acts, if ever.
            held = { ...event, records: event.records.slice(room) }
            event = { ...event, records: event.records.slice(0, room) }
          }
        }
        const delay = faults.eventDelay()
        if (delay > 0) await sleep(delay, abort.signal)
        if (abort.signal.aborted) return
        if (event.type === 'heartbeat') {
          lastTail = event.tail
          const heartbeat = encoder.heartbeat(event.tail)
          if (unsent !== undefined && !(await drained())) return
          unsent = sink.write(heartbeat)
          journal.heartbeat()
          options.onEvent?.(0)
          continue
        }
        const bytes = event.records.meteredBytes()
        delivered = { count: delivered.count + event.records.length, bytes: delivered.bytes + bytes }
        sentRecords += event.records.length
        sentBatches++
        if (event.tail) lastTail = event.tail
        metrics.read(event.records.length, bytes)
        const batch = encoder.batch(event.records, event.tail, delivered)
        if (unsent !== undefined && !(await drained())) return
        unsent = sink.write(batch)
        journal.sent(event.records.length)
        options.onEvent?.(bytes)
      }
      finish()
    } catch (error) {
      const failure = error instanceof S2Error ? error : new S2Error('other', 'internal error in s2-emulator')
      journal.end('error', failure)
      sink.write(encoder.error(failure.status, failure.body))?.catch(() => {})
      sink.end()
      finish()
    }
  }

  /**
   * Waits until the client has taken the previous event (true) or the session ended (false). The
   * next event is read and encoded before this wait, so that work overlaps the sending of the last
   * one, as a web stream's one-chunk queue did: a session is at most one event ahead of its client.
   */
  async function drained(): Promise<boolean> {
    await unsent
    unsent = undefined
    return !abort.signal.aborted
  }
}
