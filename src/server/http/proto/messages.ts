import { createRequire } from 'node:module'
import type { Long, Type } from 'protobufjs'
import { S2Error, type S2ErrorCode } from '../../errors/index.ts'
import type { AppendInput } from '../../engine/index.ts'
import { NO_HEADERS } from '../../store/index.ts'
import { s2Descriptor } from './s2-descriptor.ts'

/** Protobuf messages of S2 (`proto/s2.proto`), through protobufjs reflection. */

interface MessageTypes {
  readonly appendInput: Type
}

let types: MessageTypes | undefined

/**
 * protobufjs and the descriptor load on the first protobuf message, not at start: loading them
 * takes tens of milliseconds, and runs that speak only JSON never need them.
 */
function messageTypes(): MessageTypes {
  if (types !== undefined) return types
  const protobuf = createRequire(import.meta.url)('protobufjs') as typeof import('protobufjs')
  const root = protobuf.Root.fromJSON(s2Descriptor)
  types = {
    appendInput: root.lookupType('s2.v1.AppendInput'),
  }
  return types
}

type U64 = number | Long
// uint64 arrives as a Long ({low, high}); values above 2^53 lose precision, as everywhere in the emulator.
const toNumber = (value: U64): number => (typeof value === 'number' ? value : (value.high >>> 0) * 2 ** 32 + (value.low >>> 0))

/**
 * protobufjs decodes an absent or empty `bytes` field as a plain `[]` (its default), not a
 * Uint8Array; every byte field is normalised here so the rest of the emulator sees only Uint8Array.
 */
type WireBytes = Uint8Array | readonly number[] | null | undefined
const toBytes = (value: WireBytes): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(value ?? []))

interface WireAppendInput {
  records: { timestamp?: U64 | null; headers: { name?: WireBytes; value?: WireBytes }[]; body?: WireBytes }[]
  match_seq_num?: U64 | null
  fencing_token?: string | null
}

/** Decodes an `AppendInput`; undecodable bytes are a 400 with `code` (`bad_proto` unary, `bad_frame` in S2S). */
export function decodeAppendInput(bytes: Uint8Array, code: S2ErrorCode): AppendInput {
  let message: WireAppendInput
  try {
    message = messageTypes().appendInput.decode(bytes) as unknown as WireAppendInput
  } catch (error) {
    throw new S2Error(code, `invalid protobuf AppendInput: ${(error as Error).message}`)
  }
  // Optional fields are present only as own properties; absent ones read a default from the prototype.
  const has = (obj: object, key: string): boolean => Object.hasOwn(obj, key)
  return {
    records: message.records.map((record) => ({
      timestamp: has(record, 'timestamp') && record.timestamp != null ? toNumber(record.timestamp) : undefined,
      headers: record.headers.length === 0 ? NO_HEADERS : record.headers.map((header) => ({ name: toBytes(header.name), value: toBytes(header.value) })),
      body: toBytes(record.body),
    })),
    matchSeqNum: has(message, 'match_seq_num') && message.match_seq_num != null ? toNumber(message.match_seq_num) : undefined,
    fencingToken: has(message, 'fencing_token') && message.fencing_token != null ? message.fencing_token : undefined,
  }
}

// Written by hand, without protobufjs objects (see read-batch.ts).
export { encodeAppendAck, encodeReadBatch } from './read-batch.ts'
