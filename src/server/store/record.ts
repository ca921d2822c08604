import { errors } from '../errors/index.ts'
import { MAX_FENCING_TOKEN_BYTES } from './names.ts'
import type { RecordBatch } from './record-batch.ts'

/** A position in a stream: the next (or a record's) sequence number and timestamp. */
export interface StreamPosition {
  readonly seqNum: number
  readonly timestamp: number
}

export interface Header {
  readonly name: Uint8Array
  readonly value: Uint8Array
}

/** One empty list for every record without headers, rather than an array per stored record. */
export const NO_HEADERS: readonly Header[] = Object.freeze([])

/** A record as a client submits it, decoded from JSON or protobuf. */
export interface AppendRecord {
  /** Client timestamp (ms by convention, opaque to S2); undefined when not given. */
  readonly timestamp: number | undefined
  readonly headers: readonly Header[]
  readonly body: Uint8Array
}

export type Command = { readonly kind: 'fence'; readonly token: string } | { readonly kind: 'trim'; readonly seqNum: number }

/**
 * A batch that passed validation: its records as decoded, with what validation learnt of them
 * alongside (rather than a copy of each record carrying it).
 */
export interface AppendBatch {
  readonly records: RecordBatch
  /** The records that are commands, by index; null when none is (almost every batch). */
  readonly commands: ReadonlyMap<number, Command> | null
  readonly matchSeqNum: number | undefined
  readonly fencingToken: string | undefined
}

/** A stored record. Immutable once written, so snapshots can share it. */
export interface StoredRecord {
  readonly seqNum: number
  readonly timestamp: number
  readonly headers: readonly Header[]
  readonly body: Uint8Array
  readonly metered: number
  /** When retention expires it (ms since epoch), or Infinity. */
  readonly expiresAt: number
  /**
   * On an encrypted stream, which key the record was written with (an opaque fingerprint); null
   * for plaintext records, command records included. The emulator stores records as they are and
   * checks keys instead of encrypting.
   */
  readonly keyId: string | null
}

export const MAX_BATCH_RECORDS = 1000
export const MAX_BATCH_METERED_BYTES = 1024 * 1024

// An indexed loop: a for-of loop left an iterator behind per call.

/** S2's metered size: 8 + 2 per header + header bytes + body bytes. Commands are metered the same way. */
export function meteredSize(record: { readonly headers: readonly Header[]; readonly body: Uint8Array }): number {
  const headers = record.headers
  let size = 8 + 2 * headers.length + record.body.length
  for (let h = 0; h < headers.length; h++) size += (headers[h] as Header).name.length + (headers[h] as Header).value.length
  return size
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const asciiOf = (bytes: Uint8Array): string => String.fromCharCode(...bytes)

function parseCommand(record: AppendRecord): Command | null {
  const only = record.headers.length === 1 ? record.headers[0] : undefined
  if (only === undefined || only.name.length !== 0) return null
  const name = only.value.length <= 8 ? asciiOf(only.value) : ''
  if (name === 'fence') {
    let token: string
    try {
      token = strictUtf8.decode(record.body)
    } catch {
      throw errors.invalid('invalid `fence` command: invalid UTF-8')
    }
    if (record.body.length > MAX_FENCING_TOKEN_BYTES) {
      throw errors.invalid('invalid `fence` command: fencing token must not exceed 36 bytes in length')
    }
    return { kind: 'fence', token }
  }
  if (name === 'trim') {
    if (record.body.length !== 8) {
      throw errors.invalid(
        `invalid \`trim\` command: earliest sequence number to trim to was ${record.body.length} bytes, must be 8`,
      )
    }
    const view = new DataView(record.body.buffer, record.body.byteOffset, 8)
    return { kind: 'trim', seqNum: Number(view.getBigUint64(0)) }
  }
  throw errors.invalid('unknown command')
}

/** The command a stored record is (it passed validation when appended), or null. */
export function commandOf(record: StoredRecord): Command | null {
  return parseCommand({ timestamp: record.timestamp, headers: record.headers, body: record.body })
}

/**
 * Checks a batch against S2's append rules (s2-lite §5.2). Runs before any lookup, so an invalid
 * batch to a missing stream is a 422, as in s2-lite. Only records with headers are looked at one
 * by one: a record is a command, or has a header to check, only if it has one.
 */
export function validateBatch(
  records: RecordBatch,
  matchSeqNum: number | undefined,
  fencingToken: string | undefined,
): AppendBatch {
  if (records.length === 0) throw errors.invalid('record batch must not be empty')
  if (records.length > MAX_BATCH_RECORDS) throw errors.invalid('record batch must not exceed 1000 records')
  // No record can be above the limit without the batch being above it: one check covers both.
  if (records.meteredBytes > MAX_BATCH_METERED_BYTES) {
    throw errors.invalid('record batch must not exceed a metered size of 1 MiB')
  }
  let commands: Map<number, Command> | null = null
  if (records.headers !== null) {
    for (let i = 0; i < records.length; i++) {
      if (records.headers[i] == null) continue // neither a command nor a header to check
      const record = records.record(i)
      const command = parseCommand(record)
      if (command !== null) (commands ??= new Map()).set(i, command)
      else if (record.headers.some((h) => h.name.length === 0)) throw errors.invalid('invalid header: empty name')
    }
  }
  if (fencingToken !== undefined && new TextEncoder().encode(fencingToken).length > MAX_FENCING_TOKEN_BYTES) {
    throw errors.invalid('fencing token must not exceed 36 bytes in length')
  }
  return { records, commands, matchSeqNum, fencingToken }
}
