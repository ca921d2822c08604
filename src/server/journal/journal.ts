// The module's own `performance`: the global one is a lazy accessor, looked up twice per request here.
import { performance } from 'node:perf_hooks'
import type { Clock } from '../clock/clock.ts'
import { S2Error, type JsonValue } from '../errors/index.ts'
import type { Step, Transport } from '../faults/index.ts'
import type { Operation } from '../operations.ts'
import type { RecordBatch } from '../store/index.ts'
import { RecordCapture, shownHeaders, type HeldHeaders, type JournalRecords } from './capture.ts'
import { Ring, type HeldEntry } from './ring.ts'

export { REDACTED, REDACTED_HEADERS, type JournalRecord, type JournalRecords } from './capture.ts'

/**
 * The request journal: a bounded log of the recent S2 requests and sessions of each namespace,
 * so a test can assert what its code actually sent: its headers and, within bounds, the records
 * it appended. Entries hold no secrets: the values of `Authorization` and `s2-encryption-key` are
 * never kept, only that those headers were sent.
 */

/** How a session ended; `open` while it runs. */
export type SessionEnd = 'open' | 'complete' | 'client_closed' | 'error' | 'fault'

/** The error that ended a session or answered a request: its HTTP status and S2 error code. */
export interface JournalError {
  readonly status: number
  /** The body's `code`, or the emulator's name for codeless bodies (412 `append_condition_failed`, 416 `range_not_satisfiable`). */
  readonly code: string | null
}

interface SessionCommon {
  /** `open` while it runs; then `complete`, `client_closed`, `error` (an S2 error) or `fault` (ended by a fault rule). */
  end: SessionEnd
  /** Emulator-clock time it ended (ms since the epoch), and as ISO 8601; null while open. */
  endedAt: number | null
  endedIso: string | null
  /** Real milliseconds from the request to the end of the session; null while open. */
  durationMs: number | null
  /** What ended it, for `error` and for a `fault` that answered with an error. */
  error: JournalError | null
}

/** A read session (SSE or S2S): what it sent. */
export interface ReadSessionInfo extends SessionCommon {
  readonly kind: 'read'
  records: number
  batches: number
  heartbeats: number
}

/** An S2S append session: the inputs it received, the records they appended, the acks it sent. */
export interface AppendSessionInfo extends SessionCommon {
  readonly kind: 'append'
  inputs: number
  records: number
  acks: number
}

export type JournalSession = ReadSessionInfo | AppendSessionInfo

export interface JournalEntry {
  /** Increases by one per entry across all namespaces, in the order responses were produced. */
  readonly seq: number
  /** Emulator-clock time the request arrived (ms since the epoch), and as ISO 8601. */
  readonly time: number
  readonly iso: string
  /** The name of the namespace it acted in: `default` with isolation off (never the bearer token). */
  readonly namespace: string
  readonly operation: Operation
  readonly method: string
  /** The path exactly as sent, and the query string without `?` (`""` when none). */
  readonly path: string
  readonly query: string
  basin: string | null
  stream: string | null
  readonly transport: Transport
  /** HTTP status of the answer (200 for a session that started); null if none was delivered (dropped by a fault, or the client left first). */
  status: number | null
  /** The error of a 4xx/5xx answer. */
  error: JournalError | null
  /** Real milliseconds from the request to its response (for sessions: to the start of the body). */
  durationMs: number
  /** Ids of the fault rules that fired for the request, in the order they were armed. */
  readonly faults: readonly string[]
  /** Whether the request carried these headers; their values are never recorded. */
  readonly authorization: boolean
  readonly encryptionKey: boolean
  /** The request's headers, names in lower case; the values of `authorization` and `s2-encryption-key` read `[redacted]`. */
  readonly headers: Readonly<Record<string, string>>
  /** For appends (unary, and S2S sessions: all their inputs): the records sent, as far as the bounds keep them; null for other operations. */
  readonly records: JournalRecords | null
  /** For SSE and S2S sessions that started. */
  session: JournalSession | null
}


/** An entry as listed: its ISO time, headers and records are made here, not on each request. */
const shown = (entry: HeldEntry): JournalEntry => ({
  seq: entry.seq,
  time: entry.time,
  iso: iso(entry.time),
  namespace: entry.namespace,
  operation: entry.operation,
  method: entry.method,
  path: entry.path,
  query: entry.query,
  basin: entry.basin,
  stream: entry.stream,
  transport: entry.transport,
  status: entry.status,
  error: entry.error,
  durationMs: entry.durationMs,
  faults: [...entry.faults],
  authorization: entry.authorization,
  encryptionKey: entry.encryptionKey,
  headers: shownHeaders(entry.headers),
  records: entry.records?.toJSON() ?? null,
  session: entry.session,
})

/** Bounds of the record content the journal keeps (see {@link journalContentDefaults}). */
export interface JournalContentLimits {
  /** Bytes of record content (bodies, header names and values) kept per entry; 0 keeps none. */
  readonly recordBytes: number
  /** Bytes of record content kept per namespace, across its entries; beyond it the oldest entries lose theirs. */
  readonly namespaceBytes: number
}

/** 64 KiB of records per entry, 16 MiB per namespace. */
export const journalContentDefaults: JournalContentLimits = Object.freeze({ recordBytes: 64 * 1024, namespaceBytes: 16 * 1024 * 1024 })

export interface JournalFilter {
  readonly namespace?: string
  readonly operation?: Operation
  readonly basin?: string
  readonly stream?: string
  /** Only entries with a larger `seq`. */
  readonly since?: number
  /** At most this many entries (the oldest that match). */
  readonly limit?: number
}

/** What the route layer knows of a request as it arrives. */
export interface RequestFacts {
  readonly namespace: string
  readonly operation: Operation
  readonly method: string
  readonly path: string
  readonly query: string
  readonly basin: string | undefined
  readonly stream: string | undefined
  readonly transport: Transport
  readonly faults: readonly string[]
  readonly authorization: boolean
  readonly encryptionKey: boolean
  /** The request's headers: the node request's raw list, or captured (values of secrets redacted when shown). */
  readonly headers: HeldHeaders
}

/** Code of an error body: its `code` field, if it has one. */
export function bodyCode(body: JsonValue | undefined): string | null {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && typeof body.code === 'string') return body.code
  return null
}

const iso = (ms: number): string => {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}
const round = (ms: number): number => Math.round(ms * 1000) / 1000

/** Records a session's progress and end into its journal entry; the first end wins. */
export interface SessionRecorder {
  /** A read session sent a batch of `records` records. */
  sent(records: number): void
  heartbeat(): void
  /** An append session received an input. */
  input(): void
  /** An append session's input was applied. */
  appended(records: number): void
  acked(): void
  end(how: Exclude<SessionEnd, 'open'>, error?: { readonly status: number; readonly body: JsonValue; readonly code?: string }): void
}

const noRecorder: SessionRecorder = { sent() {}, heartbeat() {}, input() {}, appended() {}, acked() {}, end() {} }

/**
 * An entry as it begins, made by a constructor rather than an object literal: entries live on in
 * the ring, and V8 then allocates a literal's objects straight into the old generation
 * (allocation-site pretenuring), which cost more than all the rest of the journal per request and
 * made the collector's work heavier. Objects made by constructors are not pretenured.
 */
class BegunEntry implements HeldEntry {
  seq = 0
  readonly time: number
  readonly namespace: string
  readonly operation: Operation
  readonly method: string
  readonly path: string
  readonly query: string
  basin: string | null
  stream: string | null
  readonly transport: Transport
  status: number | null = null
  error: JournalError | null = null
  durationMs = 0
  // Fault plans never change their rule ids; the copy is made when the entry is listed.
  readonly faults: readonly string[]
  readonly authorization: boolean
  readonly encryptionKey: boolean
  readonly headers: HeldHeaders
  readonly records: RecordCapture | null
  session: JournalSession | null = null

  constructor(facts: RequestFacts, time: number, records: RecordCapture | null) {
    this.time = time
    this.namespace = facts.namespace
    this.operation = facts.operation
    this.method = facts.method
    this.path = facts.path
    this.query = facts.query
    this.basin = facts.basin ?? null
    this.stream = facts.stream ?? null
    this.transport = facts.transport
    this.faults = facts.faults
    this.authorization = facts.authorization
    this.encryptionKey = facts.encryptionKey
    this.headers = facts.headers
    this.records = records
  }
}

/** One request on its way: the entry is filled in as the request goes and logged when its response is known. */
export class JournalDraft {
  readonly entry: HeldEntry
  readonly #journal: Journal
  /** The clock of the request's namespace. */
  readonly #clock: Clock
  readonly #started = performance.now()
  #committed = false
  #dropped = false
  #faultError: JournalError | null = null

  constructor(journal: Journal, entry: HeldEntry, clock: Clock) {
    this.#journal = journal
    this.entry = entry
    this.#clock = clock
  }

  /** An append's records, as they were decoded (a session's, input by input); kept within the bounds. */
  appended(records: RecordBatch): void {
    const capture = this.entry.records
    if (capture === null) return
    const added = capture.add(records)
    // Before the entry is logged, logging counts what it holds; a session's later inputs are counted here.
    if (this.#committed) this.#journal.grew(this.entry.namespace, capture, added)
  }

  /**
   * A fault answered in place of the handler (or after it): with an injected error, or with
   * nothing when it dropped the connection or the client left during its wait.
   */
  faulted(steps: readonly Step[], clientGone: boolean): void {
    const ending = steps.find((s) => s.kind !== 'sleep' && s.kind !== 'stall')
    if (clientGone || ending === undefined || ending.kind !== 'fail') this.#dropped = true
    else this.#faultError = { status: ending.error.status, code: bodyCode(ending.error.body) }
  }

  /** The name a create request's body gave (it is not in the path). */
  named(field: 'basin' | 'stream', name: string | undefined): void {
    if (name !== undefined) this.entry[field] = name
  }

  /** Logs the entry once the response is final; `error` is what the handler threw, if anything. */
  commit(status: number, error: unknown): void {
    if (this.#committed) return
    this.#committed = true
    const entry = this.entry
    entry.durationMs = round(performance.now() - this.#started)
    entry.status = this.#dropped ? null : status
    if (!this.#dropped && status >= 400) {
      entry.error =
        this.#faultError ??
        (error instanceof S2Error ? { status: error.status, code: error.code } : { status, code: status === 500 ? 'other' : null })
    }
    this.#journal.log(entry)
  }

  session(kind: 'read' | 'append'): SessionRecorder {
    const common = { end: 'open' as const, endedAt: null, endedIso: null, durationMs: null, error: null }
    const info: JournalSession =
      kind === 'read' ? { kind, records: 0, batches: 0, heartbeats: 0, ...common } : { kind, inputs: 0, records: 0, acks: 0, ...common }
    this.entry.session = info
    const started = this.#started
    const clock = this.#clock
    return {
      sent(records) {
        if (info.kind === 'read' && info.end === 'open') {
          info.records += records
          info.batches++
        }
      },
      heartbeat() {
        if (info.kind === 'read' && info.end === 'open') info.heartbeats++
      },
      input() {
        if (info.kind === 'append' && info.end === 'open') info.inputs++
      },
      appended(records) {
        if (info.kind === 'append' && info.end === 'open') info.records += records
      },
      acked() {
        if (info.kind === 'append' && info.end === 'open') info.acks++
      },
      end(how, error) {
        if (info.end !== 'open') return
        const now = clock.now()
        info.end = how
        info.endedAt = now
        info.endedIso = iso(now)
        info.durationMs = round(performance.now() - started)
        info.error = error ? { status: error.status, code: error.code ?? bodyCode(error.body) } : null
      },
    }
  }
}

/** The recorder of a session's journal entry; one that records nothing while the journal is off. */
export function journalSession(draft: JournalDraft | undefined, kind: 'read' | 'append'): SessionRecorder {
  return draft?.session(kind) ?? noRecorder
}

/** The journals of every namespace of one emulator. Times are on each namespace's clock. */
export class Journal {
  /** Entries kept per namespace; 0 turns the journal off. */
  readonly size: number
  readonly limits: JournalContentLimits
  readonly #clockOf: (namespace: string) => Clock
  readonly #rings = new Map<string, Ring>()
  #seq = 0

  constructor(size: number, clockOf: (namespace: string) => Clock, limits: JournalContentLimits = journalContentDefaults) {
    this.size = size
    this.limits = limits
    this.#clockOf = clockOf
  }

  get enabled(): boolean {
    return this.size > 0
  }

  /** Starts the entry of a request as it arrives. */
  begin(facts: RequestFacts): JournalDraft {
    const clock = this.#clockOf(facts.namespace)
    const time = clock.now()
    const records = facts.operation === 'append' ? new RecordCapture(this.limits.recordBytes) : null
    return new JournalDraft(this, new BegunEntry(facts, time, records), clock)
  }

  /** Adds a finished entry, giving it the next sequence number. */
  log(entry: HeldEntry): void {
    if (!this.enabled) return
    let ring = this.#rings.get(entry.namespace)
    if (!ring) {
      ring = new Ring(this.size, this.limits.namespaceBytes)
      this.#rings.set(entry.namespace, ring)
    }
    ring.push(Object.assign(entry, { seq: ++this.#seq }))
  }

  /** A logged entry's record content grew by `bytes` (a session's input). */
  grew(namespace: string, capture: RecordCapture, bytes: number): void {
    this.#rings.get(namespace)?.grew(capture, bytes)
  }

  /** Matching entries, oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const rings = filter.namespace === undefined ? [...this.#rings.values()] : [this.#rings.get(filter.namespace)].filter((r) => r !== undefined)
    let entries = rings.flatMap((ring) => ring.values())
    if (rings.length > 1) entries.sort((a, b) => a.seq - b.seq)
    entries = entries.filter(
      (e) =>
        (filter.operation === undefined || e.operation === filter.operation) &&
        (filter.basin === undefined || e.basin === filter.basin) &&
        (filter.stream === undefined || e.stream === filter.stream) &&
        (filter.since === undefined || e.seq > filter.since),
    )
    return (filter.limit === undefined ? entries : entries.slice(0, filter.limit)).map(shown)
  }

  /** Forgets the entries of one namespace, or of all; returns how many were removed. */
  clear(namespace?: string): number {
    if (namespace !== undefined) {
      const removed = this.#rings.get(namespace)?.size ?? 0
      this.#rings.delete(namespace)
      return removed
    }
    let removed = 0
    for (const ring of this.#rings.values()) removed += ring.size
    this.#rings.clear()
    return removed
  }
}
