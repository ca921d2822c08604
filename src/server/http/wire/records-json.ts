import { errors, S2Error, type JsonValue } from '../../errors/index.ts'
import { MAX_FENCING_TOKEN_BYTES, NO_HEADERS, utf8Length } from '../../store/index.ts'
import { RecordBatch, type AppendAck, type AppendRecord, type Header, type RecordList, type StreamPosition } from '../../store/index.ts'
import type { AppendInput } from '../../engine/index.ts'
import { array, join, jsonError, object, optional, required, string, u64 } from './json-decode.ts'
import { asciiBytes, JsonBytes } from './json-bytes.ts'

/** How record bytes travel in JSON (`S2-Format`): UTF-8 text, or standard padded base64. */
export type RecordFormat = 'raw' | 'base64'

const lossyDecoder = new TextDecoder('utf-8')
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Strict base64 (padding required, no stray bits), as Rust's standard engine decodes it. */
function decodeBase64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw errors.invalid('invalid Base64 encoding')
  const bytes = Buffer.from(text, 'base64')
  if (bytes.toString('base64') !== text) throw errors.invalid('invalid Base64 encoding')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function decodeBytes(text: string, format: RecordFormat): Uint8Array {
  if (format === 'base64') return decodeBase64(text)
  // Buffer.from encodes like TextEncoder (a lone surrogate becomes U+FFFD) at a third of the cost.
  const bytes = Buffer.from(text, 'utf8')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function encodeBytes(bytes: Uint8Array, format: RecordFormat): string {
  return format === 'raw' ? lossyDecoder.decode(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

function decodeHeader(value: unknown, path: string, format: RecordFormat): Header {
  const pair = array(value, path, 'a header as a [name, value] array')
  if (pair.length !== 2) throw jsonError(path, `invalid length ${pair.length}, expected a [name, value] array`)
  return {
    name: decodeBytes(string(pair[0], join(path, 0)), format),
    value: decodeBytes(string(pair[1], join(path, 1)), format),
  }
}

function decodeRecord(value: unknown, path: string, format: RecordFormat): AppendRecord {
  const obj = object(value, path, 'struct AppendRecord')
  const timestamp = optional(obj, 'timestamp', path, u64) ?? undefined
  const headerList = optional(obj, 'headers', path, (v, p) => array(v, p, 'a sequence of headers')) ?? []
  const headers = headerList.length === 0 ? NO_HEADERS : headerList.map((h, i) => decodeHeader(h, join(join(path, 'headers'), i), format))
  const body = optional(obj, 'body', path, string)
  return { timestamp, headers, body: body ? decodeBytes(body, format) : new Uint8Array(0) }
}

/** A JSON `AppendInput`. Structural problems are 400 bad_json; bad base64 is 422 invalid. */
export function decodeAppendInput(value: unknown, format: RecordFormat): AppendInput {
  const obj = object(value, '', 'struct AppendInput')
  const records = array(required(obj, 'records', ''), 'records', 'a sequence of records')
  const matchSeqNum = optional(obj, 'match_seq_num', '', u64) ?? undefined
  const fencingToken = optional(obj, 'fencing_token', '', string) ?? undefined
  if (fencingToken !== undefined && utf8Length(fencingToken) > MAX_FENCING_TOKEN_BYTES) {
    throw jsonError('fencing_token', 'fencing token must not exceed 36 bytes in length')
  }
  // Structure first, so a malformed body is bad_json even when a record's base64 is also bad.
  const decoded: AppendRecord[] = []
  let firstInvalid: S2Error | null = null
  for (let i = 0; i < records.length; i++) {
    try {
      decoded.push(decodeRecord(records[i], join('records', i), format))
    } catch (error) {
      if (error instanceof S2Error && error.code === 'invalid') firstInvalid ??= error
      else throw error
    }
  }
  if (firstInvalid) throw firstInvalid
  return { records: RecordBatch.of(decoded), matchSeqNum, fencingToken }
}

export function encodePosition(position: StreamPosition): JsonValue {
  return { seq_num: position.seqNum, timestamp: position.timestamp }
}

/** A `StreamPosition` as JSON text. */
const positionJson = (position: StreamPosition): string => `{"seq_num":${position.seqNum},"timestamp":${position.timestamp}}`

/** An `AppendAck` as JSON text, written straight as text (every unary append answers one). */
export function ackJson(ack: AppendAck): string {
  return `{"start":${positionJson(ack.start)},"end":${positionJson(ack.end)},"tail":${positionJson(ack.tail)}}`
}

/**
 * Writes a `ReadBatch` as JSON, straight as bytes (see {@link JsonBytes}): reads send thousands of
 * records, and an object per record (and per header) only to serialize it costs more than the
 * text. `tail` only when the batch came from following the stream; a `SequencedRecord` leaves out
 * `headers` and `body` when empty.
 */
const FIRST_RECORD = asciiBytes('{"seq_num":')
const NEXT_RECORD = asciiBytes(',{"seq_num":')
const TIMESTAMP = asciiBytes(',"timestamp":')
const BODY = asciiBytes(',"body":')
const END_RECORD = asciiBytes('}')

export function writeReadBatch(out: JsonBytes, records: RecordList, tail: StreamPosition | null, format: RecordFormat): void {
  const raw = format === 'raw'
  const bytes = (part: Uint8Array): void => {
    if (raw) out.utf8String(part, 0, part.length)
    else out.ascii(`"${encodeBytes(part, 'base64')}"`)
  }
  out.ascii('{"records":[')
  for (let i = 0; i < records.length; i++) {
    out.literal(i > 0 ? NEXT_RECORD : FIRST_RECORD)
    out.number(records.seqNum(i))
    out.literal(TIMESTAMP)
    out.number(records.timestamp(i))
    const headers = records.headerCount(i)
    if (headers > 0) {
      out.ascii(',"headers":[')
      for (let h = 0; h < headers; h++) {
        out.ascii(h > 0 ? ',[' : '[')
        bytes(records.headerName(i, h))
        out.ascii(',')
        bytes(records.headerValue(i, h))
        out.ascii(']')
      }
      out.ascii(']')
    }
    const length = records.bodyLength(i)
    if (length > 0) {
      out.literal(BODY)
      if (raw) {
        const start = records.bodyStart(i)
        out.utf8String(records.bodyBuffer(i), start, start + length)
      } else out.ascii(`"${records.bodyText(i, 'base64')}"`)
    }
    out.literal(END_RECORD)
  }
  out.ascii(']')
  if (tail) out.ascii(`,"tail":${positionJson(tail)}`)
  out.ascii('}')
}

/** Room to start a batch's JSON with: its bytes, two fifths more (base64, escapes), and the numbers of each record. */
export const readBatchCapacity = (records: RecordList): number => Math.ceil(records.meteredBytes() * 1.4) + 64 * records.length + 128

/** A `ReadBatch` as JSON bytes. */
export function readBatchJson(records: RecordList, tail: StreamPosition | null, format: RecordFormat): Buffer {
  const out = new JsonBytes(readBatchCapacity(records))
  writeReadBatch(out, records, tail, format)
  return out.bytes()
}
