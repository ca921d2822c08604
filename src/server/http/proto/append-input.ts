import type { AppendInput } from '../../engine/index.ts'
import { RecordBatchBuilder } from '../../store/index.ts'

/**
 * `AppendInput` (proto/s2.proto) read by hand, straight into a RecordBatch: bodies and header
 * bytes stay where they lie in the request, and nothing is built per record but the header refs
 * of a record that has headers. protobufjs would build a message object per record and header
 * first. The rules are protobufjs's (and prost's where they agree): unknown fields are skipped, a
 * repeated field accumulates, a scalar or bytes field seen twice keeps the last value, and a
 * uint64 above 2^53 loses precision as everywhere in the emulator.
 */

/** Why bytes are not an `AppendInput`; the caller turns it into its 400. */
export class ProtobufDecodeError extends Error {}

const utf8 = new TextDecoder()
const EMPTY: Uint8Array = new Uint8Array(0)

const WIRE_VARINT = 0
const WIRE_I64 = 1
const WIRE_LEN = 2
const WIRE_START_GROUP = 3
const WIRE_END_GROUP = 4
const WIRE_I32 = 5

class Reader {
  pos = 0
  /** End of the message being read; nested messages narrow it while they are read. */
  end: number
  readonly bytes: Uint8Array

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
    this.end = bytes.length
  }

  /** A varint as a number: exact up to 2^53, as close as a double gets above. */
  varint(): number {
    const bytes = this.bytes
    let pos = this.pos
    let low = 0
    // The first four bytes fit a 32-bit int exactly (28 bits).
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw this.outOfRange(1)
      const b = bytes[pos++] as number
      low |= (b & 0x7f) << shift
      if (b < 0x80) {
        this.pos = pos
        return low >>> 0
      }
    }
    let value = low >>> 0
    let scale = 2 ** 28
    for (let i = 4; i < 10; i++) {
      if (pos >= this.end) throw this.outOfRange(1)
      const b = bytes[pos++] as number
      // The tenth byte carries the 64th bit; anything above it is dropped, as protobufjs does.
      value += (i === 9 ? b & 0x01 : b & 0x7f) * scale
      scale *= 128
      if (b < 0x80) {
        this.pos = pos
        return value
      }
    }
    throw new ProtobufDecodeError('invalid varint encoding')
  }

  /** A field's tag: its number and wire type. */
  tag(): number {
    const tag = this.varint()
    if (tag >>> 3 === 0 || tag > 0xffffffff) throw new ProtobufDecodeError(`invalid tag ${tag} at offset ${this.pos}`)
    return tag
  }

  /** Enters a length-delimited field; returns the end to restore once it is read. */
  enter(): number {
    const length = this.varint()
    if (this.pos + length > this.end) throw this.outOfRange(length)
    const outer = this.end
    this.end = this.pos + length
    return outer
  }

  /** Steps over a length-delimited field's bytes; returns their length (they end at `pos`). */
  span(): number {
    const length = this.varint()
    if (this.pos + length > this.end) throw this.outOfRange(length)
    this.pos += length
    return length
  }

  bytesField(): Uint8Array {
    const length = this.span()
    return length === 0 ? EMPTY : this.bytes.subarray(this.pos - length, this.pos)
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint()
        return
      case WIRE_I64:
        return this.advance(8)
      case WIRE_LEN:
        return this.advance(this.varint())
      case WIRE_START_GROUP:
        for (;;) {
          const tag = this.tag()
          if ((tag & 7) === WIRE_END_GROUP) return
          this.skip(tag & 7)
        }
      case WIRE_I32:
        return this.advance(4)
      default:
        throw new ProtobufDecodeError(`invalid wire type ${wireType} at offset ${this.pos}`)
    }
  }

  /** Skips an unknown field; a known field number with another wire type is an error, as in prost. */
  unknown(tag: number, known: number): void {
    if (tag >>> 3 <= known) throw new ProtobufDecodeError(`invalid wire type ${tag & 7} for field ${tag >>> 3} at offset ${this.pos}`)
    this.skip(tag & 7)
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw this.outOfRange(n)
    this.pos += n
  }

  private outOfRange(n: number): ProtobufDecodeError {
    return new ProtobufDecodeError(`index out of range: ${this.pos} + ${n} > ${this.end}`)
  }
}

/** Header: name = 1, value = 2. Appends its refs (see RecordBatch.headers) to `refs`. */
function readHeader(r: Reader, refs: number[]): void {
  let nameStart = 0
  let nameLength = 0
  let valueStart = 0
  let valueLength = 0
  while (r.pos < r.end) {
    const tag = r.tag()
    if (tag === 0x0a) {
      nameLength = r.span()
      nameStart = r.pos - nameLength
    } else if (tag === 0x12) {
      valueLength = r.span()
      valueStart = r.pos - valueLength
    } else r.unknown(tag, 2)
  }
  refs.push(nameStart, nameLength, valueStart, valueLength)
}

/** AppendRecord: timestamp = 1 (optional uint64), headers = 2 (repeated Header), body = 3. */
function readRecord(r: Reader, batch: RecordBatchBuilder): void {
  let timestamp: number | undefined
  let headers: number[] | null = null
  let bodyStart = 0
  let bodyLength = 0
  while (r.pos < r.end) {
    const tag = r.tag()
    if (tag === 0x1a) {
      bodyLength = r.span()
      bodyStart = r.pos - bodyLength
    } else if (tag === 0x08) timestamp = r.varint()
    else if (tag === 0x12) {
      const outer = r.enter()
      readHeader(r, (headers ??= []))
      r.end = outer
    } else r.unknown(tag, 3)
  }
  batch.add(bodyStart, bodyLength, timestamp, headers === null ? null : Uint32Array.from(headers))
}

/**
 * How many records (field 1) the message has, so its batch is built at its size. Of bytes that are
 * not a message, it counts those before the fault, which the decoding then reports.
 */
function countRecords(bytes: Uint8Array): number {
  const r = new Reader(bytes)
  let count = 0
  try {
    while (r.pos < r.end) {
      const tag = r.tag()
      if (tag === 0x0a) {
        r.span()
        count++
      } else r.skip(tag & 7)
    }
  } catch (error) {
    if (!(error instanceof ProtobufDecodeError)) throw error
  }
  return count
}

/**
 * Decodes an `AppendInput`: records = 1, match_seq_num = 2 (optional uint64), fencing_token = 3
 * (optional string). Throws ProtobufDecodeError on bytes that are not one.
 */
export function readAppendInput(bytes: Uint8Array): AppendInput {
  const r = new Reader(bytes)
  const records = new RecordBatchBuilder(countRecords(bytes))
  let matchSeqNum: number | undefined
  let fencingToken: string | undefined
  while (r.pos < r.end) {
    const tag = r.tag()
    if (tag === 0x0a) {
      const outer = r.enter()
      readRecord(r, records)
      r.end = outer
    } else if (tag === 0x10) matchSeqNum = r.varint()
    else if (tag === 0x1a) {
      const field = r.bytesField()
      fencingToken = field.length === 0 ? '' : utf8.decode(field)
    } else r.unknown(tag, 3)
  }
  return { records: records.build(bytes), matchSeqNum, fencingToken }
}
