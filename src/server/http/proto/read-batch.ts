import type { AppendAck, RecordList, StreamPosition } from '../../store/index.ts'

/**
 * `ReadBatch` and `AppendAck` (proto/s2.proto) written by hand: the size is computed first, then
 * every field goes straight into one buffer, each body copied once. protobufjs would build an
 * object per record, grow its writer and copy each body twice. The bytes are the ones protobufjs
 * writes for the same message: proto3, so a scalar or bytes field at its default (0, empty) is left
 * out, while a message field present (a tail) is written even when empty.
 */

/** Bytes of `value` (a non-negative integer up to 2^53) as a varint. */
function varintSize(value: number): number {
  if (value < 2 ** 28) return value < 2 ** 7 ? 1 : value < 2 ** 14 ? 2 : value < 2 ** 21 ? 3 : 4
  return value < 2 ** 35 ? 5 : value < 2 ** 42 ? 6 : value < 2 ** 49 ? 7 : 8
}

/**
 * Writes `value` (a non-negative integer up to 2^53) as a varint. Above 32 bits it is taken as two
 * 32-bit halves, as protobufjs does: `%` and division on a double that large cost more than the
 * rest of a record (timestamps in ms are).
 */
function writeVarint(out: Uint8Array, at: number, value: number): number {
  let lo = value >>> 0
  if (value > 0xffffffff) {
    let hi = (value - lo) / 4294967296
    while (hi > 0) {
      out[at++] = (lo & 127) | 128
      lo = ((lo >>> 7) | (hi << 25)) >>> 0
      hi >>>= 7
    }
  }
  while (lo > 127) {
    out[at++] = (lo & 127) | 128
    lo >>>= 7
  }
  out[at++] = lo
  return at
}

/** A length-delimited field of `size` bytes under a one-byte tag. */
const fieldSize = (size: number): number => 1 + varintSize(size) + size
/** A varint field under a one-byte tag; nothing when 0. */
const uintSize = (value: number): number => (value === 0 ? 0 : 1 + varintSize(value))

function writeUint(out: Uint8Array, at: number, tag: number, value: number): number {
  if (value === 0) return at
  out[at++] = tag
  return writeVarint(out, at, value)
}

/** StreamPosition: seq_num = 1, timestamp = 2. */
const positionSize = (p: StreamPosition): number => uintSize(p.seqNum) + uintSize(p.timestamp)

function writePosition(out: Uint8Array, at: number, tag: number, p: StreamPosition): number {
  out[at++] = tag
  at = writeVarint(out, at, positionSize(p))
  at = writeUint(out, at, 0x08, p.seqNum)
  return writeUint(out, at, 0x10, p.timestamp)
}

/** A bytes field of `length` bytes under a one-byte tag; nothing when empty. */
const lengthSize = (length: number): number => (length === 0 ? 0 : fieldSize(length))

/** SequencedRecord: seq_num = 1, timestamp = 2, headers = 3 (Header: name = 1, value = 2), body = 4. */
const headerSize = (records: RecordList, i: number, h: number): number =>
  lengthSize(records.headerNameLength(i, h)) + lengthSize(records.headerValueLength(i, h))

function recordSize(records: RecordList, i: number): number {
  let size = uintSize(records.seqNum(i)) + uintSize(records.timestamp(i)) + lengthSize(records.bodyLength(i))
  const headers = records.headerCount(i)
  for (let h = 0; h < headers; h++) size += fieldSize(headerSize(records, i, h))
  return size
}

/** The tag and length of a bytes field of `length` bytes (nothing when empty); returns where its bytes go. */
function writeLength(out: Uint8Array, at: number, tag: number, length: number): number {
  if (length === 0) return at
  out[at++] = tag
  return writeVarint(out, at, length)
}

function writeRecord(out: Uint8Array, at: number, records: RecordList, i: number, size: number): number {
  out[at++] = 0x0a // ReadBatch.records
  at = writeVarint(out, at, size)
  at = writeUint(out, at, 0x08, records.seqNum(i))
  at = writeUint(out, at, 0x10, records.timestamp(i))
  const headers = records.headerCount(i)
  for (let h = 0; h < headers; h++) {
    out[at++] = 0x1a
    at = writeVarint(out, at, headerSize(records, i, h))
    at = records.copyHeaderName(i, h, out, writeLength(out, at, 0x0a, records.headerNameLength(i, h)))
    at = records.copyHeaderValue(i, h, out, writeLength(out, at, 0x12, records.headerValueLength(i, h)))
  }
  return records.copyBody(i, out, writeLength(out, at, 0x22, records.bodyLength(i)))
}

/** The encoded size of a `ReadBatch`, and the size of each of its records (to write them without measuring again). */
export function readBatchSize(records: RecordList, tail: StreamPosition | null): { total: number; sizes: Uint32Array } {
  const sizes = new Uint32Array(records.length)
  let total = tail === null ? 0 : fieldSize(positionSize(tail))
  for (let i = 0; i < records.length; i++) {
    const size = recordSize(records, i)
    sizes[i] = size
    total += fieldSize(size)
  }
  return { total, sizes }
}

/** Writes a `ReadBatch` measured by {@link readBatchSize} at `at`; returns where it ends. */
export function writeReadBatch(out: Uint8Array, at: number, records: RecordList, tail: StreamPosition | null, sizes: Uint32Array): number {
  for (let i = 0; i < records.length; i++) at = writeRecord(out, at, records, i, sizes[i] as number)
  if (tail !== null) at = writePosition(out, at, 0x12, tail)
  return at
}

/** A `ReadBatch`; with no records and a tail it is a session heartbeat. */
export function encodeReadBatch(records: RecordList, tail: StreamPosition | null): Uint8Array {
  const { total, sizes } = readBatchSize(records, tail)
  const out = Buffer.allocUnsafe(total)
  writeReadBatch(out, 0, records, tail, sizes)
  return out
}

/** An `AppendAck`: start = 1, end = 2, tail = 3. */
export function encodeAppendAck(ack: AppendAck): Uint8Array {
  const size = fieldSize(positionSize(ack.start)) + fieldSize(positionSize(ack.end)) + fieldSize(positionSize(ack.tail))
  const out = Buffer.allocUnsafe(size)
  let at = writePosition(out, 0, 0x0a, ack.start)
  at = writePosition(out, at, 0x12, ack.end)
  writePosition(out, at, 0x1a, ack.tail)
  return out
}
