import protobuf from 'protobufjs'
import { s2Descriptor } from '../../server/http/proto/s2-descriptor.ts'
import type { JsonValue, MessageType } from '../cassette/types.ts'

/**
 * S2's protobuf messages (from the emulator's own descriptor of `proto/s2.proto`) to and from the
 * JSON shape of S2's JSON API, so a cassette shows records as they read in JSON: `headers` as
 * `[name, value]` pairs, `body` and header bytes as UTF-8 text, or base64 for the whole message
 * (`format: "base64"`) when any of them is not valid UTF-8.
 */

const root = protobuf.Root.fromJSON(s2Descriptor).resolveAll()
const types: Record<MessageType, protobuf.Type> = {
  AppendInput: root.lookupType('s2.v1.AppendInput'),
  AppendAck: root.lookupType('s2.v1.AppendAck'),
  ReadBatch: root.lookupType('s2.v1.ReadBatch'),
}

export type BytesFormat = 'raw' | 'base64'

type U64 = number | protobuf.Long
const toNumber = (value: U64 | null | undefined): number =>
  value == null ? 0 : typeof value === 'number' ? value : (value.high >>> 0) * 2 ** 32 + (value.low >>> 0)

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

interface WireHeader {
  name: Uint8Array
  value: Uint8Array
}
interface WireRecord {
  seq_num?: U64
  timestamp?: U64 | null
  headers: WireHeader[]
  body: Uint8Array
}
interface WirePosition {
  seq_num?: U64
  timestamp?: U64
}

const has = (obj: object, key: string): boolean => Object.hasOwn(obj, key)
/** protobufjs gives an absent `bytes` field its default, which may be a plain array. */
const asBytes = (value: Uint8Array | number[] | null | undefined): Uint8Array =>
  value instanceof Uint8Array ? value : new Uint8Array(value ?? [])

function bytesOf(message: protobuf.Message): Uint8Array[] {
  const out: Uint8Array[] = []
  const records = (message as unknown as { records?: WireRecord[] }).records ?? []
  for (const record of records) {
    out.push(asBytes(record.body))
    for (const header of record.headers) out.push(asBytes(header.name), asBytes(header.value))
  }
  return out
}

const position = (p: WirePosition | null | undefined): JsonValue =>
  p == null ? null : { seq_num: toNumber(p.seq_num), timestamp: toNumber(p.timestamp) }

/** Decodes a message into S2's JSON shape; throws if the bytes are not that message. */
export function protoToJson(type: MessageType, bytes: Uint8Array): { message: JsonValue; format: BytesFormat } {
  const decoded = types[type].decode(bytes)
  const format: BytesFormat = bytesOf(decoded).every(isUtf8) ? 'raw' : 'base64'
  const text = (value: Uint8Array): string => {
    const b = asBytes(value)
    return format === 'raw' ? strictUtf8.decode(b) : Buffer.from(b).toString('base64')
  }
  const record = (r: WireRecord, sequenced: boolean): JsonValue => {
    const out: { [key: string]: JsonValue } = {}
    if (sequenced) out.seq_num = toNumber(r.seq_num)
    if (sequenced || (has(r, 'timestamp') && r.timestamp != null)) out.timestamp = toNumber(r.timestamp)
    if (r.headers.length > 0) out.headers = r.headers.map((h) => [text(h.name), text(h.value)])
    if (asBytes(r.body).length > 0) out.body = text(r.body)
    return out
  }
  if (type === 'AppendAck') {
    const ack = decoded as unknown as { start?: WirePosition; end?: WirePosition; tail?: WirePosition }
    return { message: { start: position(ack.start), end: position(ack.end), tail: position(ack.tail) }, format }
  }
  if (type === 'AppendInput') {
    const input = decoded as unknown as { records: WireRecord[]; match_seq_num?: U64 | null; fencing_token?: string | null }
    const out: { [key: string]: JsonValue } = { records: input.records.map((r) => record(r, false)) }
    if (has(input, 'match_seq_num') && input.match_seq_num != null) out.match_seq_num = toNumber(input.match_seq_num)
    if (has(input, 'fencing_token') && input.fencing_token != null) out.fencing_token = input.fencing_token
    return { message: out, format }
  }
  const batch = decoded as unknown as { records: WireRecord[]; tail?: WirePosition | null }
  const out: { [key: string]: JsonValue } = { records: batch.records.map((r) => record(r, true)) }
  if (has(batch, 'tail') && batch.tail != null) out.tail = position(batch.tail)
  return { message: out, format }
}

type JsonObject = { [key: string]: JsonValue }
const asObject = (value: JsonValue | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
const asArray = (value: JsonValue | undefined): JsonValue[] => (Array.isArray(value) ? value : [])
const num = (value: JsonValue | undefined): number => (typeof value === 'number' ? value : 0)

/**
 * Encodes a message from S2's JSON shape. Fields at their default value are left out, as the
 * servers' encoders do; `optional` fields are written when present.
 */
export function jsonToProto(type: MessageType, message: JsonValue, format: BytesFormat = 'raw'): Uint8Array {
  const bytes = (value: JsonValue | undefined): Uint8Array =>
    typeof value !== 'string' ? new Uint8Array(0) : format === 'raw' ? new TextEncoder().encode(value) : Buffer.from(value, 'base64')
  const scalars = (fields: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== 0))
  const pos = (value: JsonValue | undefined): object | undefined => {
    if (value === null || value === undefined) return undefined
    const p = asObject(value)
    return scalars({ seq_num: num(p.seq_num), timestamp: num(p.timestamp) })
  }
  const record = (value: JsonValue, sequenced: boolean): object => {
    const r = asObject(value)
    const out: Record<string, unknown> = sequenced ? scalars({ seq_num: num(r.seq_num), timestamp: num(r.timestamp) }) : {}
    if (!sequenced && typeof r.timestamp === 'number') out.timestamp = r.timestamp
    const headers = asArray(r.headers).map((h) => ({ ...nonEmpty('name', bytes(asArray(h)[0])), ...nonEmpty('value', bytes(asArray(h)[1])) }))
    if (headers.length > 0) out.headers = headers
    Object.assign(out, nonEmpty('body', bytes(r.body)))
    return out
  }
  const m = asObject(message)
  let object: Record<string, unknown>
  if (type === 'AppendAck') {
    object = {}
    for (const key of ['start', 'end', 'tail']) if (m[key] != null) object[key] = pos(m[key])
  } else if (type === 'AppendInput') {
    object = { records: asArray(m.records).map((r) => record(r, false)) }
    if (typeof m.match_seq_num === 'number') object.match_seq_num = m.match_seq_num
    if (typeof m.fencing_token === 'string') object.fencing_token = m.fencing_token
  } else {
    object = { records: asArray(m.records).map((r) => record(r, true)) }
    if (m.tail != null) object.tail = pos(m.tail)
  }
  return types[type].encode(types[type].fromObject(object)).finish()
}

const nonEmpty = (key: string, value: Uint8Array): Record<string, Uint8Array> => (value.length > 0 ? { [key]: value } : {})

/**
 * Whether the JSON shape holds all of the message: false when the bytes carry fields the schema
 * does not know (a newer server's), or integers too large for a JSON number to hold exactly.
 */
export function protoIsLossless(type: MessageType, bytes: Uint8Array): boolean {
  const scan = (t: protobuf.Type, data: Uint8Array): boolean => {
    const reader = protobuf.Reader.create(data)
    while (reader.pos < reader.len) {
      const tag = reader.uint32()
      const field = t.fieldsById[tag >>> 3]
      if (field === undefined) return false
      const wireType = tag & 7
      if (field.resolvedType instanceof protobuf.Type) {
        if (wireType !== 2 || !scan(field.resolvedType, reader.bytes())) return false
        continue
      }
      const before = reader.pos
      reader.skipType(wireType)
      // A varint of 8 bytes or more may exceed 2^53.
      if (wireType === 0 && reader.pos - before >= 8) return false
    }
    return true
  }
  try {
    return scan(types[type], bytes)
  } catch {
    return false
  }
}
