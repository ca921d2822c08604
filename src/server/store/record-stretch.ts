import type { AppendRecord, Header } from './record.ts'

/**
 * Where a batch's bytes lie when its records were decoded from one request: every non-empty part
 * (header names and values, bodies) a view of one buffer, in order, from `start` to `end`. What
 * lies between the parts is the request's framing. Decoded records are never changed, so the
 * store and the journal can keep such bytes as they are rather than copy them part by part.
 */
export interface RecordStretch {
  readonly source: ArrayBufferLike
  readonly start: number
  readonly end: number
}

/** Bytes worth keeping for `size` bytes of parts: a quarter more, and what a small request's framing takes. */
export const maxStretchBytes = (size: number): number => size + (size >> 2) + 64

/**
 * The stretch of the first `count` records, whose parts add up to `size` bytes, or null when they
 * are not views of one buffer in order, or span more than {@link maxStretchBytes}.
 */
export function recordStretch(records: readonly AppendRecord[], count: number, size: number): RecordStretch | null {
  let source: ArrayBufferLike | null = null
  let start = 0
  let end = 0
  const fits = (part: Uint8Array): boolean => {
    if (part.length === 0) return true
    if (source === null) {
      source = part.buffer
      start = part.byteOffset
    } else if (part.buffer !== source || part.byteOffset < end) return false
    end = part.byteOffset + part.length
    return true
  }
  for (let i = 0; i < count; i++) {
    const record = records[i] as AppendRecord
    const headers = record.headers
    for (let h = 0; h < headers.length; h++) if (!fits((headers[h] as Header).name) || !fits((headers[h] as Header).value)) return null
    if (!fits(record.body)) return null
  }
  if (source === null || end - start > maxStretchBytes(size)) return null
  return { source, start, end }
}

/**
 * The request's buffer as it is, for the stretch's records to point into: when the whole buffer
 * is not much larger than the `size` bytes of the records kept from it ({@link maxStretchBytes}),
 * so keeping it keeps little else alive. Null otherwise (the bytes are to be copied).
 */
export function wholeRequestBytes(stretch: RecordStretch, size: number): Buffer | null {
  if (stretch.source.byteLength > maxStretchBytes(size)) return null
  return Buffer.from(stretch.source, stretch.start, stretch.end - stretch.start)
}

/** Batches of fewer bytes are copied: a buffer kept for them alone would cost more than their bytes. */
const MIN_SHARED_BYTES = 4096

/**
 * The buffer a batch's records can point into rather than be copied (see Chunk.add): the request's
 * own ({@link wholeRequestBytes}), for batches of at least {@link MIN_SHARED_BYTES}. Null otherwise.
 */
export function sharedRecordBytes(records: readonly AppendRecord[], size: number): Buffer | null {
  if (size < MIN_SHARED_BYTES) return null
  const stretch = recordStretch(records, records.length, size)
  return stretch === null ? null : wholeRequestBytes(stretch, size)
}
