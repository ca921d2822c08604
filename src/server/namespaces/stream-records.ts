import type { Engine } from '../engine/index.ts'
import { errors } from '../errors/index.ts'
import { encodeParts } from '../journal/text-or-base64.ts'
import type { StreamPosition } from '../store/index.ts'

/** A stored record as the admin API shows it. */
export interface InspectedRecord {
  readonly seqNum: number
  readonly timestamp: number
  /** Header names and values, then the body: UTF-8 text, or base64 when `encoding` is `base64` (not all of them are valid UTF-8). */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string
  readonly encoding: 'utf-8' | 'base64'
}

/** One page of a stream's records, read through the admin API. */
export interface StreamRecordsPage {
  /** Readable records from `seqNum` on (trimmed and expired ones are skipped), oldest first. */
  readonly records: readonly InspectedRecord[]
  /** The stream's tail: the next sequence number and the last timestamp. */
  readonly tail: StreamPosition
  /** Where the next page starts; equal to the tail's seqNum once everything was read. */
  readonly next: number
}

/** At most this many records per page. */
export const MAX_PAGE_RECORDS = 10_000
/** Enough for several of S2's largest records (1 MiB), so a page always holds at least one. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024

/**
 * A page of a stream's records, read past everything that stands between a test and its data: no
 * fault rule, no journal entry, no encryption key, and no stream created by reading. (The
 * emulator stores records of encrypted streams as they were sent.)
 */
export function streamRecords(engine: Engine, namespace: string, basin: string, stream: string, from: number, count: number): StreamRecordsPage {
  const found = engine.store.existing(namespace)?.basins.get(basin)
  if (found === undefined) throw errors.basinNotFound(basin)
  const state = found.streams.get(stream)
  if (state === undefined) throw errors.streamNotFound(basin, stream)
  const limits = { count: Math.min(count, MAX_PAGE_RECORDS), bytes: MAX_PAGE_BYTES, until: Infinity, endSeq: Infinity }
  const now = engine.now(namespace)
  // Where a read opening now would start: past the trims that are due.
  const collected = state.collect(Math.max(from, state.readableFrom(now)), limits, now)
  return {
    records: collected.records.map((record) => {
      const parts = [...record.headers.flatMap((h) => [h.name, h.value]), record.body]
      const { texts, encoding } = encodeParts(parts)
      return {
        seqNum: record.seqNum,
        timestamp: record.timestamp,
        headers: record.headers.map((_, i) => [texts[2 * i] as string, texts[2 * i + 1] as string] as const),
        body: texts[parts.length - 1] as string,
        encoding,
      }
    }),
    tail: state.tail(),
    next: collected.next,
  }
}
