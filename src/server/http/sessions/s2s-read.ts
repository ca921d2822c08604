import { RecordList, type StreamPosition } from '../../store/index.ts'
import { COMPRESS_MIN_BYTES, type Compression } from '../encoding.ts'
import { encodeReadBatch, readBatchSize, writeReadBatch } from '../proto/read-batch.ts'
import type { SessionBody } from './body-sink.ts'
import { SESSION_HEADERS } from './headers.ts'
import type { ReadEncoder } from './read-pump.ts'
import { sessionResponse } from './session-response.ts'
import { giveSendBuffer, takeSendBuffer } from './send-buffers.ts'
import { FRAME_HEADER_BYTES, framedInPlace, messageFrame, terminalFrame } from './s2s-frame.ts'

/**
 * The last batch framed: followers of one stream get the same batch one after the other. It is
 * known by its stored records and its tail.
 */
let last: { records: RecordList; tail: StreamPosition | null; compression: Compression; frame: Uint8Array } | null = null

/**
 * A `ReadBatch` frame, framed once for every follower that gets the same batch right after another.
 * A catch-up batch (no tail) goes to one reader: its frame is written into a pooled buffer,
 * given back once sent (see send-buffers.ts).
 */
function sharedBatchFrame(records: RecordList, tail: StreamPosition | null, compression: Compression): Uint8Array {
  if (tail === null) return batchFrame(records, tail, compression, takeSendBuffer)
  if (
    last !== null &&
    last.compression === compression &&
    last.tail?.seqNum === tail.seqNum &&
    last.tail?.timestamp === tail.timestamp &&
    last.records.sameRecords(records)
  ) {
    return last.frame
  }
  const frame = batchFrame(records, tail, compression)
  last = records.length === 0 ? null : { records, tail, compression, frame }
  return frame
}

/** A `ReadBatch` frame; uncompressed, the batch is written straight into the frame (a buffer from `allocate`). */
function batchFrame(records: RecordList, tail: StreamPosition | null, compression: Compression, allocate?: (size: number) => Buffer): Uint8Array {
  const { total, sizes } = readBatchSize(records, tail)
  if (compression !== 'none' && total >= COMPRESS_MIN_BYTES) return messageFrame(encodeReadBatch(records, tail), compression)
  return framedInPlace(total, (out) => writeReadBatch(out, FRAME_HEADER_BYTES, records, tail, sizes), allocate)
}

/**
 * S2S frames for a read session (s2-lite §7.4): `ReadBatch` frames (catch-up without a tail, live
 * with one), empty `ReadBatch{tail}` heartbeats, a terminal frame on failure, and a plain end of
 * the body when the read is complete.
 */
export function s2sReadEncoder(compression: Compression): ReadEncoder {
  return {
    batch: (records, tail) => sharedBatchFrame(records, tail, compression),
    heartbeat: (tail) => batchFrame(RecordList.EMPTY, tail, compression),
    error: (status, body) => terminalFrame(status, body),
    done: () => null,
    release: giveSendBuffer,
  }
}

export function s2sResponse(body: SessionBody): Response {
  return sessionResponse(body, { 'content-type': 's2s/proto', ...SESSION_HEADERS })
}
