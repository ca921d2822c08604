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
  /** Takes back the bytes of a batch once they were sent, to use their buffer again. */
  release?(bytes: Uint8Array): void
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
  /** Set once the body ended or the client left (abort's flag, without a getter to ask before each step). */
  let ended = false
  /** Most sessions have no fault rule: they skip asking for triggers and delays before each event. */
  const quiet = faults.empty
  /** Nor pacing: their events wait for nothing but the session and the client (see {@link pump}). */
  const direct = quiet && !session.paced
  let sentRecords = 0
  let sentBatches = 0
  let delivered = { count: session.count, bytes: session.bytes }
  let held: ReadEvent | null = null
  /** The last event written, while the client has not taken it all. */
  let unsent: Promise<void> | undefined
  let lastTail: StreamPosition = { seqNum: 0, timestamp: 0 }
  const finish = (): void => {
    if (ended) return
    ended = true
    abort.abort()
    session.close()
    closeSession()
  }

  /** Where the body goes, once it started. */
  let out: BodySink | undefined
  /** Runs the pump again once the session may have an event (in a microtask: not inside the append that woke it). */
  const wake = (): void => queueMicrotask(pump)

  /**
   * The rest of a batch held back at a trigger point, else the session's next event: at once, a
   * promise of it from a paced session, or undefined when there is none yet (`wake` follows).
   */
  const nextEvent = (): ReadEvent | null | undefined | Promise<ReadEvent | null> => {
    if (held !== null) {
      const event = held
      held = null
      return event
    }
    if (session.paced) return session.next()
    const event = session.poll()
    if (event === undefined) session.wait(wake)
    return event
  }

  /** Carries out a trigger's step; true when the body has ended. */
  const act = async (step: Step, sink: BodySink): Promise<boolean> => {
    switch (step.kind) {
      case 'sleep':
      case 'stall':
        await sleep(step.ms, abort.signal)
        return ended
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
          const event = await Promise.resolve()
            .then(() => held ?? session.next())
            .catch(() => null)
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
    out = sink
    pump()
  }

  /**
   * Sends events for as long as none has to wait for anything, then leaves a wake-up with the
   * session: a follower woken by an append sends its batch and goes back to waiting in one call,
   * with no promise on the way. Fault rules, pacing and a client that has not taken the last event
   * yet make it wait: {@link run} does that.
   */
  function pump(): void {
    const sink = out
    if (sink === undefined) return
    try {
      while (!ended) {
        if (!direct || unsent !== undefined) return void run(sink)
        const event = session.poll()
        if (event === undefined) return session.wait(wake)
        if (event === null) return complete(sink)
        emit(sink, event, prepare(event))
      }
    } catch (error) {
      fail(sink, error)
    }
  }

  /**
   * Sends events until the body ends, carrying out fault rules and awaiting what is not ready yet
   * (a fault's step, the client taking the last event, a paced session's next one). When the
   * session has no event yet, it returns; the session's wake-up runs the pump again. A turn starts
   * where the last one left off: the triggers it checks first have no new ones for the same counts.
   */
  async function run(sink: BodySink): Promise<void> {
    try {
      events: while (!ended) {
        if (!quiet) {
          for (const step of faults.readTriggers(sentRecords, sentBatches)) {
            if (await act(step, sink)) break events
          }
        }
        const next = nextEvent()
        if (next === undefined) return
        let event = next instanceof Promise ? await next : next
        if (ended) return
        if (event === null) return complete(sink)
        if (!quiet && event.type === 'batch') {
          const room = faults.recordsUntilTrigger(sentRecords, sentBatches)
          if (room > 0 && room < event.records.length) {
            // Hold back what lies beyond a trigger point; it goes out after the trigger acts, if ever.
            const rest = event.records.slice(room)
            const first = event.records.slice(0, room)
            held = { ...event, records: rest, bytes: rest.meteredBytes() }
            event = { ...event, records: first, bytes: first.meteredBytes() }
          }
        }
        const delay = quiet ? 0 : faults.eventDelay()
        if (delay > 0) await sleep(delay, abort.signal)
        if (ended) return
        const bytes = prepare(event)
        if (unsent !== undefined && !(await drained())) return
        emit(sink, event, bytes)
      }
      finish()
    } catch (error) {
      fail(sink, error)
    }
  }

  /** Counts an event and encodes it, to be sent next. */
  function prepare(event: ReadEvent): Uint8Array {
    if (event.type === 'heartbeat') {
      lastTail = event.tail
      return encoder.heartbeat(event.tail)
    }
    delivered = { count: delivered.count + event.records.length, bytes: delivered.bytes + event.bytes }
    sentRecords += event.records.length
    sentBatches++
    if (event.tail) lastTail = event.tail
    metrics.read(event.records.length, event.bytes)
    return encoder.batch(event.records, event.tail, delivered)
  }

  /** Writes a prepared event and records it. */
  function emit(sink: BodySink, event: ReadEvent, bytes: Uint8Array): void {
    const release = encoder.release
    unsent = release === undefined || event.type !== 'batch' ? sink.write(bytes) : sink.write(bytes, () => release(bytes))
    if (event.type === 'heartbeat') {
      journal.heartbeat()
      options.onEvent?.(0)
    } else {
      journal.sent(event.records.length)
      options.onEvent?.(event.bytes)
    }
  }

  /** Ends a complete read. */
  function complete(sink: BodySink): void {
    const done = encoder.done()
    if (done) sink.write(done)
    journal.end('complete')
    sink.end()
    finish()
  }

  /** Ends the body with the error the session failed with. */
  function fail(sink: BodySink, error: unknown): void {
    const failure = error instanceof S2Error ? error : new S2Error('other', 'internal error in s2-emulator')
    journal.end('error', failure)
    sink.write(encoder.error(failure.status, failure.body))?.catch(() => {})
    sink.end()
    finish()
  }

  /**
   * Waits until the client has taken the previous event (true) or the session ended (false). The
   * next event is read and encoded before this wait, so that work overlaps the sending of the last
   * one, as a web stream's one-chunk queue did: a session is at most one event ahead of its client.
   */
  async function drained(): Promise<boolean> {
    await unsent
    unsent = undefined
    return !ended
  }
}
