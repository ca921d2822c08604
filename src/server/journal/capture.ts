import type { RecordBatch } from '../store/index.ts'
import { encodeParts } from './text-or-base64.ts'

/**
 * What the journal keeps of a request beyond its facts: its headers (never the values of
 * `authorization` or `s2-encryption-key`) and the records it appended, within bounds, so a test
 * can check what its code sent, not only that it sent something.
 */

/** Request headers whose values the journal never keeps: it shows them as {@link REDACTED}. */
export const REDACTED_HEADERS: ReadonlySet<string> = new Set(['authorization', 's2-encryption-key'])
export const REDACTED = '[redacted]'

/**
 * A request's headers as the journal holds them until an entry is read: the node request's raw
 * name/value list (no copy, nothing parsed per request), or those of a request served in-process,
 * captured as it arrives.
 */
export type HeldHeaders = readonly string[] | Readonly<Record<string, string>>

/** The headers of a request, names in lower case, with the values of secrets replaced by `[redacted]`. */
export function capturedHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of headers) kept[name] = REDACTED_HEADERS.has(name) ? REDACTED : value
  return kept
}

// Array.isArray does not narrow a readonly array out of a union.
const isRaw = (held: HeldHeaders): held is readonly string[] => Array.isArray(held)

/**
 * What the journal shows of held headers. Raw headers go through a `Headers` built as
 * @hono/node-server builds the request's (pseudo-headers skipped), so names, their order and the
 * joining of repeated headers are those of the request's own `Headers`.
 */
export function shownHeaders(held: HeldHeaders): Record<string, string> {
  if (!isRaw(held)) return { ...held }
  const raw = held
  const headers = new Headers()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (!name.startsWith(':')) headers.append(name, raw[i + 1] as string)
  }
  return capturedHeaders(headers)
}

/** A record an append carried, as the journal shows it. */
export interface JournalRecord {
  /** Header names and values, then the body: UTF-8 text, or base64 when `encoding` is `base64` (not all of them are valid UTF-8). */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string
  readonly encoding: 'utf-8' | 'base64'
  /** The timestamp the client gave it, if any (ms by convention). */
  readonly timestamp: number | null
  /** Size of the body as sent, in bytes (also when `truncated`). */
  readonly bodyBytes: number
  /** The entry's content bound cut this record short: its body holds only the first bytes. */
  readonly truncated: boolean
}

/** The records an append carried (an S2S session: every input so far), as far as the bounds let the journal keep them. */
export interface JournalRecords {
  /** How many records it carried. */
  readonly count: number
  /** The records kept, in order: all of them unless `truncated` or `evicted`. */
  readonly items: readonly JournalRecord[]
  /** The entry's bound (`journalRecordBytes`) was reached: later records were not kept, the last one kept may be cut short. */
  readonly truncated: boolean
  /** The namespace's bound (`journalNamespaceBytes`) dropped every record of this entry, newer entries needing the room. */
  readonly evicted: boolean
}

interface KeptRecord {
  readonly headers: readonly (readonly [Uint8Array, Uint8Array])[]
  readonly body: Uint8Array
  readonly bodyBytes: number
  readonly timestamp: number | null
  readonly truncated: boolean
}

function shown(record: KeptRecord): JournalRecord {
  const parts = [...record.headers.flatMap(([n, v]) => [n, v]), record.body]
  const { texts, encoding } = encodeParts(parts, record.truncated)
  return {
    headers: record.headers.map((_, i) => [texts[2 * i] as string, texts[2 * i + 1] as string] as const),
    body: texts[parts.length - 1] as string,
    encoding,
    timestamp: record.timestamp,
    bodyBytes: record.bodyBytes,
    truncated: record.truncated,
  }
}

/**
 * The records of one journal entry, kept up to `limit` bytes (bodies plus header names and
 * values), as they arrive: a batch at a time (see {@link RecordBatch.kept}), turned into what the
 * journal shows only when it is read.
 */
export class RecordCapture {
  count = 0
  /** Bytes kept, as counted against the entry's and the namespace's bounds. */
  bytes = 0
  truncated = false
  evicted = false
  /**
   * The ring (of its namespace) that holds the entry and counts these bytes, and whether that ring
   * has queued it for eviction: fields, not sets kept by the ring, so logging an entry costs no lookups.
   */
  ring: object | null = null
  queued = false
  readonly #limit: number
  /**
   * The records kept whole, as the batches they arrived in (see RecordBatch.kept: a batch's own
   * when it holds little else, so the journal keeps the request's bytes rather than a copy).
   */
  #batches: RecordBatch[] = []
  /** The record cut short at the bound, kept after every whole one. */
  #cut: KeptRecord | null = null

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Adds records as they arrive; returns the bytes newly kept. */
  add(records: RecordBatch): number {
    this.count += records.length
    if (this.truncated || this.evicted) return 0
    const before = this.bytes
    let whole = records.length
    // Most batches fit whole: their size is known without a look at each record.
    if (records.partBytes > this.#limit - this.bytes) {
      for (whole = 0; whole < records.length; whole++) {
        const size = records.partBytesOf(whole)
        const room = this.#limit - this.bytes
        if (size <= room) {
          this.bytes += size
          continue
        }
        this.truncated = true
        // Keep the start of the body when the headers fit: usually enough to tell records apart.
        const record = records.record(whole)
        const headerBytes = size - record.body.length
        if (headerBytes < room) {
          const body = record.body.slice(0, room - headerBytes)
          this.#cut = {
            headers: record.headers.map((h) => [h.name.slice(), h.value.slice()] as const),
            body,
            bodyBytes: record.body.length,
            timestamp: record.timestamp ?? null,
            truncated: true,
          }
          this.bytes += headerBytes + body.length
        }
        break
      }
    } else this.bytes += records.partBytes
    if (whole > 0) this.#batches.push(records.kept(whole))
    return this.bytes - before
  }

  /** Drops every record kept (the namespace needs the room); returns the bytes freed. */
  evict(): number {
    const freed = this.bytes
    this.#batches = []
    this.#cut = null
    this.bytes = 0
    this.evicted = true
    return freed
  }

  toJSON(): JournalRecords {
    const kept: KeptRecord[] = []
    for (const batch of this.#batches) {
      for (let i = 0; i < batch.length; i++) {
        const { headers, body, timestamp } = batch.record(i)
        kept.push({ headers: headers.map((h) => [h.name, h.value] as const), body, bodyBytes: body.length, timestamp: timestamp ?? null, truncated: false })
      }
    }
    if (this.#cut !== null) kept.push(this.#cut)
    return { count: this.count, items: kept.map(shown), truncated: this.truncated, evicted: this.evicted }
  }
}
