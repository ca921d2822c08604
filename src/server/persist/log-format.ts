import { crc32 } from 'node:zlib'
import type { StoreChange } from '../store/changes.ts'
import type { Cipher } from '../store/config.ts'
import type { StoredRecord } from '../store/record.ts'
import { basinConfig, parseRecord, recordSize, streamConfig, writeRecord } from './format.ts'

/**
 * The persist log's file format, version 1 (docs/persist-log.md describes it; keep the two in
 * step). A segment file is a 16-byte preamble, then entries:
 *
 *   u32 payload length, u32 CRC-32 of (seq + payload), u64 seq, payload
 *   payload: u8 kind, u32 JSON length, JSON (namespace and fields), then for `appended` the records:
 *            u32 count, and per record u32 length + the RECORD layout of snapshot files
 *
 * Integers are big-endian. An entry whose bytes end early or whose CRC does not match is a torn
 * write (a crash in the middle of it): it and everything after it in the segment are dropped.
 */

export const LOG_MAGIC = 'S2EMPLOG'
export const LOG_VERSION = 1
export const LOG_PREAMBLE_BYTES = 16
const ENTRY_HEAD = 16
/** No entry is larger (an append is at most 1 MiB metered; JSON is small). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024

/** Segment files are named for the first change they hold: `log-00000000000000000001.s2log`. */
export const segmentName = (firstSeq: number): string => `log-${String(firstSeq).padStart(20, '0')}.s2log`
const SEGMENT = /^log-(\d{20})\.s2log$/
export function segmentFirstSeq(name: string): number | null {
  const match = SEGMENT.exec(name)
  return match ? Number(match[1]) : null
}

export function segmentPreamble(): Buffer {
  const head = Buffer.alloc(LOG_PREAMBLE_BYTES)
  head.write(LOG_MAGIC, 0, 'ascii')
  head.writeUInt32BE(LOG_VERSION, 8)
  return head
}

const KINDS = [
  'basin_created',
  'basin_config',
  'basin_deleted',
  'stream_created',
  'stream_config',
  'stream_deleted',
  'purged',
  'appended',
  'reset',
  'reset_all',
  'restored',
] as const satisfies readonly StoreChange['kind'][]
const KIND_CODE = new Map<string, number>(KINDS.map((kind, i) => [kind, i + 1]))
const NULL_KEY_ID = 0xffff

/** One entry: the change number `seq` of `namespace` (null: every namespace). */
export interface LogEntry {
  readonly seq: number
  readonly namespace: string | null
  readonly change: StoreChange
}

/** The bytes of one entry. */
export function encodeEntry(seq: number, namespace: string | null, change: StoreChange): Buffer {
  const { kind, ...fields } = change
  const records = change.kind === 'appended' ? change.records : []
  const json = Buffer.from(JSON.stringify({ namespace, ...fields, ...(change.kind === 'appended' ? { records: records.length } : {}) }), 'utf8')
  const keyIds = records.map((r) => (r.keyId === null ? null : Buffer.from(r.keyId, 'utf8')))
  let size = ENTRY_HEAD + 1 + 4 + json.length
  if (change.kind === 'appended') {
    size += 4
    records.forEach((r, i) => (size += 4 + recordSize(r, keyIds[i] ?? null)))
  }
  const out = Buffer.allocUnsafe(size)
  let o = ENTRY_HEAD
  o = out.writeUInt8(KIND_CODE.get(kind) as number, o)
  o = out.writeUInt32BE(json.length, o)
  o += json.copy(out, o)
  if (change.kind === 'appended') {
    o = out.writeUInt32BE(records.length, o)
    records.forEach((record, i) => {
      const keyId = keyIds[i] ?? null
      if (keyId !== null && keyId.length >= NULL_KEY_ID) throw new Error(`a key id of ${keyId.length} bytes is too long`)
      const length = recordSize(record, keyId)
      o = out.writeUInt32BE(length, o)
      writeRecord(record, keyId, out, o)
      o += length
    })
  }
  out.writeUInt32BE(size - ENTRY_HEAD, 0)
  out.writeBigUInt64BE(BigInt(seq), 8)
  out.writeUInt32BE(crc32(out.subarray(8)), 4)
  return out
}

/** An entry that cannot be read although its CRC matched: a bug or a foreign file, not a torn write. */
export class LogEntryError extends Error {}

function decodePayload(buffer: Buffer, start: number, end: number, seq: number): LogEntry {
  const bad = (problem: string): never => {
    throw new LogEntryError(`change ${seq}: ${problem}`)
  }
  const kind = KINDS[buffer.readUInt8(start) - 1] ?? bad(`unknown kind ${buffer.readUInt8(start)}`)
  const jsonLength = buffer.readUInt32BE(start + 1)
  const jsonEnd = start + 5 + jsonLength
  if (jsonEnd > end) bad('its JSON runs past the entry')
  let fields: Record<string, unknown>
  try {
    fields = JSON.parse(buffer.toString('utf8', start + 5, jsonEnd)) as Record<string, unknown>
  } catch (error) {
    return bad(`its JSON does not parse (${(error as Error).message})`)
  }
  const { namespace, ...rest } = fields
  if (namespace !== null && typeof namespace !== 'string') bad('namespace must be a string or null')
  const where = `change ${seq}`
  // Written by encodeEntry and guarded by the CRC: the fields have the types the change gave them.
  const f = fields as unknown as EntryFields
  let change: StoreChange
  switch (kind) {
    case 'basin_created':
      change = { kind, basin: f.basin, config: basinConfig(fields.config, `${where}.config`), idempotencyKey: f.idempotencyKey, at: f.at }
      break
    case 'basin_config':
      change = { kind, basin: f.basin, config: basinConfig(fields.config, `${where}.config`) }
      break
    case 'stream_created':
      change = {
        kind,
        basin: f.basin,
        stream: f.stream,
        config: streamConfig(fields.config, `${where}.config`),
        cipher: f.cipher,
        idempotencyKey: f.idempotencyKey,
        at: f.at,
      }
      break
    case 'stream_config':
      change = { kind, basin: f.basin, stream: f.stream, config: streamConfig(fields.config, `${where}.config`) }
      break
    case 'appended': {
      const count = buffer.readUInt32BE(jsonEnd)
      const records: StoredRecord[] = new Array(count)
      let o = jsonEnd + 4
      for (let i = 0; i < count; i++) {
        const length = buffer.readUInt32BE(o)
        if (o + 4 + length > end) bad('a record runs past the entry')
        records[i] = parseRecord({ buffer, start: o + 4, end: o + 4 + length }, where)
        o += 4 + length
      }
      change = { kind, basin: f.basin, stream: f.stream, at: f.at, records }
      break
    }
    case 'reset_all':
    case 'restored':
      change = { kind }
      break
    default:
      // The other kinds hold only names and times.
      change = { kind, ...rest } as unknown as StoreChange
  }
  return { seq, namespace: namespace as string | null, change }
}

interface EntryFields {
  readonly basin: string
  readonly stream: string
  readonly at: number
  readonly idempotencyKey: string | null
  readonly cipher: Cipher | null
}

/** The entries of a segment's bytes, in order, and where the valid ones end. */
export interface SegmentContents {
  readonly entries: LogEntry[]
  /** Bytes after the last whole entry: a write torn by a crash (or zero). */
  readonly tornBytes: number
}

/** Whether the bytes start like a segment of a version this emulator reads (null), or what is wrong. */
export function preambleProblem(bytes: Buffer): string | null {
  if (bytes.length < LOG_PREAMBLE_BYTES || bytes.toString('latin1', 0, LOG_MAGIC.length) !== LOG_MAGIC) {
    return `not an s2-emulator persist log segment: it does not start with "${LOG_MAGIC}"`
  }
  const version = bytes.readUInt32BE(8)
  if (version !== LOG_VERSION) return `persist log format version ${version} is not one this emulator reads (version ${LOG_VERSION})`
  return null
}

/** Reads the entries of a segment; stops at the first one torn by a crash. Throws {@link LogEntryError}. */
export function decodeSegment(bytes: Buffer): SegmentContents {
  const entries: LogEntry[] = []
  let o = LOG_PREAMBLE_BYTES
  while (o < bytes.length) {
    if (bytes.length - o < ENTRY_HEAD) break
    const length = bytes.readUInt32BE(o)
    if (length < 5 || length > MAX_ENTRY_BYTES || bytes.length - o - ENTRY_HEAD < length) break
    const end = o + ENTRY_HEAD + length
    if (crc32(bytes.subarray(o + 8, end)) !== bytes.readUInt32BE(o + 4)) break
    const seq = Number(bytes.readBigUInt64BE(o + 8))
    entries.push(decodePayload(bytes, o + ENTRY_HEAD, end, seq))
    o = end
  }
  return { entries, tornBytes: bytes.length - o }
}
