import { Readable } from 'node:stream'
import { pipeline } from 'node:stream'
import { constants, createGunzip, createGzip } from 'node:zlib'
import type { BasinConfig, Cipher, RetentionPolicy, StreamConfig, StreamConfigLayer } from '../store/config.ts'
import { meteredSize, type Header, type StoredRecord } from '../store/record.ts'
import type { AccountData, BasinData, PendingPurgeData, SnapshotData, StreamData } from '../store/snapshot-data.ts'
import type { PendingTrim } from '../store/stream.ts'
import { SnapshotFileError } from './errors.ts'

/**
 * The snapshot file format, version 1 (docs/snapshot-format.md is its description; keep the two
 * in step). In short:
 *
 *   preamble (16 bytes, not compressed): magic "S2EMSNAP", u32 format version, u8 compression, 3 zero bytes
 *   gzip stream of frames: u8 type, u32 payload length, payload
 *     HEADER (JSON), then per account: ACCOUNT (JSON), per basin: BASIN (JSON), per stream:
 *     STREAM (JSON) followed by one RECORD (binary) per record; finally END (JSON, the totals).
 *
 * Integers are big-endian. Writing and reading both stream: neither builds the whole file in memory.
 */

export const MAGIC = 'S2EMSNAP'
export const FORMAT_NAME = 's2-emulator-snapshot'
export const FORMAT_VERSION = 1
export const PREAMBLE_BYTES = 16
/** The only compression of version 1. */
export const COMPRESSION_GZIP = 1

export const FRAME = { header: 0x01, account: 0x02, basin: 0x03, stream: 0x04, record: 0x05, end: 0xff } as const
type FrameType = (typeof FRAME)[keyof typeof FRAME]
const FRAME_NAMES: Record<number, string> = { 1: 'HEADER', 2: 'ACCOUNT', 3: 'BASIN', 4: 'STREAM', 5: 'RECORD', 255: 'END' }
const frameName = (type: number): string => FRAME_NAMES[type] ?? `unknown (0x${type.toString(16).padStart(2, '0')})`

/** No frame is larger: a record is at most 1 MiB metered; JSON frames are small. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024
const FRAME_HEAD = 5
const NULL_KEY_ID = 0xffff
const BATCH_BYTES = 64 * 1024

// ---- writing ----

function preamble(): Buffer {
  const head = Buffer.alloc(PREAMBLE_BYTES)
  head.write(MAGIC, 0, 'ascii')
  head.writeUInt32BE(FORMAT_VERSION, 8)
  head.writeUInt8(COMPRESSION_GZIP, 12)
  return head
}

/** Gathers frames into buffers of about 64 KiB. */
class FrameBatcher {
  #buffer = Buffer.allocUnsafe(BATCH_BYTES)
  #used = 0

  /** Room for a frame of `size` payload bytes; returns the full batch to emit first, if any. */
  reserve(type: FrameType, size: number): { flushed: Buffer | null; target: Buffer; offset: number } {
    let flushed: Buffer | null = null
    const need = FRAME_HEAD + size
    if (this.#used + need > this.#buffer.length) {
      flushed = this.take()
      if (need > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(need)
    }
    const target = this.#buffer
    const offset = this.#used
    target.writeUInt8(type, offset)
    target.writeUInt32BE(size, offset + 1)
    this.#used += need
    return { flushed, target, offset: offset + FRAME_HEAD }
  }

  /** The frames gathered so far (null if none); later frames go to a new buffer. */
  take(): Buffer | null {
    if (this.#used === 0) return null
    const full = this.#buffer.subarray(0, this.#used)
    this.#buffer = Buffer.allocUnsafe(BATCH_BYTES)
    this.#used = 0
    return full
  }
}

const jsonNumber = (n: number): number | string => (Number.isFinite(n) ? n : String(n))

/** Bytes of a record in the RECORD layout (the persist log uses it too), given its key id's bytes. */
export function recordSize(record: StoredRecord, keyId: Buffer | null): number {
  let size = 8 * 3 + 2 + (keyId?.length ?? 0) + 4 + record.body.length
  for (const h of record.headers) size += 8 + h.name.length + h.value.length
  return size
}

/** Writes a record in the RECORD layout at `at` (room for {@link recordSize} bytes). */
export function writeRecord(record: StoredRecord, keyId: Buffer | null, target: Buffer, at: number): void {
  let o = target.writeDoubleBE(record.seqNum, at)
  o = target.writeDoubleBE(record.timestamp, o)
  o = target.writeDoubleBE(record.expiresAt, o)
  if (keyId === null) o = target.writeUInt16BE(NULL_KEY_ID, o)
  else {
    o = target.writeUInt16BE(keyId.length, o)
    o += keyId.copy(target, o)
  }
  o = target.writeUInt32BE(record.headers.length, o)
  for (const h of record.headers) {
    o = target.writeUInt32BE(h.name.length, o)
    target.set(h.name, o)
    o += h.name.length
    o = target.writeUInt32BE(h.value.length, o)
    target.set(h.value, o)
    o += h.value.length
  }
  target.set(record.body, o)
}

/** The uncompressed frames of a snapshot, in batches. */
function* frames(data: SnapshotData): Generator<Buffer> {
  const batch = new FrameBatcher()
  const totals = { accounts: 0, basins: 0, streams: 0, records: 0 }
  function* json(type: FrameType, value: unknown): Generator<Buffer> {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8')
    const { flushed, target, offset } = batch.reserve(type, bytes.length)
    if (flushed) yield flushed
    bytes.copy(target, offset)
  }
  yield* json(FRAME.header, {
    format: FORMAT_NAME,
    namespace: data.namespace,
    takenAt: data.takenAt,
    accounts: data.accounts.length,
    ...(data.logSeq === undefined ? {} : { logSeq: data.logSeq }),
  })
  for (const account of data.accounts) {
    totals.accounts++
    yield* json(FRAME.account, { namespace: account.namespace, basins: account.basins.length, pendingPurges: account.pendingPurges })
    for (const basin of account.basins) {
      totals.basins++
      yield* json(FRAME.basin, {
        name: basin.name,
        createdAt: basin.createdAt,
        deletedAt: basin.deletedAt,
        idempotencyKey: basin.idempotencyKey,
        config: basin.config,
        streams: basin.streams.length,
      })
      for (const stream of basin.streams) {
        totals.streams++
        const { records, ...fields } = stream
        yield* json(FRAME.stream, { ...fields, maxExpiresAt: jsonNumber(stream.maxExpiresAt) })
        for (const record of records) {
          totals.records++
          const keyId = record.keyId === null ? null : Buffer.from(record.keyId, 'utf8')
          if (keyId !== null && keyId.length >= NULL_KEY_ID) throw new Error(`a key id of ${keyId.length} bytes is too long`)
          const { flushed, target, offset } = batch.reserve(FRAME.record, recordSize(record, keyId))
          if (flushed) yield flushed
          writeRecord(record, keyId, target, offset)
        }
      }
    }
  }
  yield* json(FRAME.end, totals)
  const last = batch.take()
  if (last) yield last
}

/**
 * The bytes of a snapshot file, produced as they are consumed (the records are read lazily).
 * Consuming it fully yields a complete file; stopping early stops the work.
 */
export async function* encodeSnapshot(data: SnapshotData): AsyncGenerator<Uint8Array> {
  yield preamble()
  const gzip = createGzip({ chunkSize: BATCH_BYTES, level: constants.Z_DEFAULT_COMPRESSION })
  const compressed = pipeline(Readable.from(frames(data), { objectMode: false }), gzip, () => {
    // Errors reach the consumer through the iteration below.
  })
  for await (const chunk of compressed) yield chunk as Buffer
}

// ---- reading ----

/** A frame: its payload is `buffer[start, end)`. The parser reuses one object for every frame. */
interface Frame {
  type: number
  buffer: Buffer
  start: number
  end: number
}

/** Splits a byte stream into frames, copying only frames that span chunks. */
class FrameParser {
  readonly #chunks: Buffer[] = []
  readonly #frame: Frame = { type: 0, buffer: Buffer.alloc(0), start: 0, end: 0 }
  #offset = 0
  #size = 0

  get buffered(): number {
    return this.#size
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#size += chunk.length
  }

  /** The next whole frame (valid until the next call), or null until more bytes arrive. */
  next(): Frame | null {
    if (this.#size < FRAME_HEAD) return null
    const head = this.#contiguous(FRAME_HEAD)
    const type = head.readUInt8(this.#offset)
    const length = head.readUInt32BE(this.#offset + 1)
    if (length > MAX_FRAME_BYTES) {
      throw invalid(`a ${frameName(type)} frame claims ${length} bytes, more than any frame can hold`)
    }
    if (this.#size < FRAME_HEAD + length) return null
    const whole = this.#contiguous(FRAME_HEAD + length)
    const frame = this.#frame
    frame.type = type
    frame.buffer = whole
    frame.start = this.#offset + FRAME_HEAD
    frame.end = frame.start + length
    this.#consume(FRAME_HEAD + length)
    return frame
  }

  /** The first chunk, made to hold at least `n` bytes from the read position (n <= buffered). */
  #contiguous(n: number): Buffer {
    const first = this.#chunks[0] as Buffer
    if (first.length - this.#offset >= n) return first
    const parts = [first.subarray(this.#offset)]
    let got = first.length - this.#offset
    let i = 1
    while (got < n) {
      const chunk = this.#chunks[i++] as Buffer
      parts.push(chunk)
      got += chunk.length
    }
    const merged = Buffer.concat(parts, got)
    this.#chunks.splice(0, i, merged)
    this.#offset = 0
    return merged
  }

  #consume(n: number): void {
    this.#offset += n
    this.#size -= n
    const first = this.#chunks[0]
    if (first !== undefined && this.#offset === first.length) {
      this.#chunks.shift()
      this.#offset = 0
    }
  }
}

const invalid = (problem: string): SnapshotFileError => new SnapshotFileError('invalid', `corrupt snapshot file: ${problem}`)

// -- JSON field checks --

type Json = Record<string, unknown>

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where} must be a JSON object`)
  return value as Json
}

class Fields {
  readonly #json: Json
  readonly #where: string

  constructor(value: unknown, where: string) {
    this.#json = object(value, where)
    this.#where = where
  }

  #bad(key: string, what: string): never {
    throw invalid(`${this.#where}.${key} must be ${what} (got ${JSON.stringify(this.#json[key]) ?? 'nothing'})`)
  }

  raw(key: string): unknown {
    return this.#json[key]
  }

  string(key: string): string {
    const v = this.#json[key]
    return typeof v === 'string' ? v : this.#bad(key, 'a string')
  }

  stringOrNull(key: string): string | null {
    const v = this.#json[key]
    return v === null ? null : typeof v === 'string' ? v : this.#bad(key, 'a string or null')
  }

  number(key: string): number {
    const v = this.#json[key]
    return typeof v === 'number' && Number.isFinite(v) ? v : this.#bad(key, 'a number')
  }

  numberOrNull(key: string): number | null {
    const v = this.#json[key]
    return v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : this.#bad(key, 'a number or null')
  }

  /** A finite number >= 0 (config values: a client may send any u64, which need not be a safe integer). */
  nonNegative(key: string): number {
    const v = this.#json[key]
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : this.#bad(key, 'a number >= 0')
  }

  count(key: string): number {
    const v = this.#json[key]
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : this.#bad(key, 'an integer >= 0')
  }

  boolean(key: string): boolean {
    const v = this.#json[key]
    return typeof v === 'boolean' ? v : this.#bad(key, 'true or false')
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.#json[key]
    return allowed.includes(v as T) ? (v as T) : this.#bad(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`)
  }
}

const CIPHERS = ['aegis-256', 'aes-256-gcm'] as const satisfies readonly Cipher[]
const STORAGE_CLASSES = ['standard', 'express'] as const
const TIMESTAMPING_MODES = ['client-prefer', 'client-require', 'arrival'] as const

/** A stream's pending trims; files written before trims were applied in the background have none. */
function pendingTrims(value: unknown, where: string): PendingTrim[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw invalid(`${where} must be an array`)
  return value.map((trim, i) => {
    const f = new Fields(trim, `${where}[${i}]`)
    return { point: f.count('point'), at: f.number('at') }
  })
}

function cipherOrNull(fields: Fields, key: string): Cipher | null {
  return fields.raw(key) === null ? null : fields.oneOf(key, CIPHERS)
}

function retention(value: unknown, where: string): RetentionPolicy {
  const f = new Fields(value, where)
  const kind = f.oneOf('kind', ['age', 'infinite'] as const)
  if (kind === 'infinite') return { kind }
  const ageSecs = f.nonNegative('ageSecs')
  if (ageSecs === 0) throw invalid(`${where}.ageSecs must be greater than 0`)
  return { kind, ageSecs }
}

/** A resolved stream config from its JSON (as snapshot files and the persist log write it). */
export function streamConfig(value: unknown, where: string): StreamConfig {
  const f = new Fields(value, where)
  return {
    storageClass: f.oneOf('storageClass', STORAGE_CLASSES),
    retention: retention(f.raw('retention'), `${where}.retention`),
    timestampingMode: f.oneOf('timestampingMode', TIMESTAMPING_MODES),
    timestampingUncapped: f.boolean('timestampingUncapped'),
    deleteOnEmptyMinAgeSecs: f.nonNegative('deleteOnEmptyMinAgeSecs'),
  }
}

function streamLayer(value: unknown, where: string): StreamConfigLayer {
  const f = new Fields(value, where)
  const layer: { -readonly [K in keyof StreamConfig]?: StreamConfig[K] } = {}
  if (f.raw('storageClass') !== undefined) layer.storageClass = f.oneOf('storageClass', STORAGE_CLASSES)
  if (f.raw('retention') !== undefined) layer.retention = retention(f.raw('retention'), `${where}.retention`)
  if (f.raw('timestampingMode') !== undefined) layer.timestampingMode = f.oneOf('timestampingMode', TIMESTAMPING_MODES)
  if (f.raw('timestampingUncapped') !== undefined) layer.timestampingUncapped = f.boolean('timestampingUncapped')
  if (f.raw('deleteOnEmptyMinAgeSecs') !== undefined) layer.deleteOnEmptyMinAgeSecs = f.nonNegative('deleteOnEmptyMinAgeSecs')
  return layer
}

/** A basin config from its JSON (as snapshot files and the persist log write it). */
export function basinConfig(value: unknown, where: string): BasinConfig {
  const f = new Fields(value, where)
  return {
    defaultStreamConfig: streamLayer(f.raw('defaultStreamConfig'), `${where}.defaultStreamConfig`),
    streamCipher: cipherOrNull(f, 'streamCipher'),
    createStreamOnAppend: f.boolean('createStreamOnAppend'),
    createStreamOnRead: f.boolean('createStreamOnRead'),
  }
}

function parseJson(frame: Frame, what: string): unknown {
  try {
    return JSON.parse(frame.buffer.toString('utf8', frame.start, frame.end)) as unknown
  } catch (error) {
    throw invalid(`the ${what} frame is not valid JSON (${(error as Error).message})`)
  }
}

/** A record in the RECORD layout, from `frame.buffer[start, end)`. */
export function parseRecord(frame: Pick<Frame, 'buffer' | 'start' | 'end'>, where: string): StoredRecord {
  const { buffer: payload, start, end } = frame
  const bad = (): never => {
    throw invalid(`${where}: a RECORD frame of ${end - start} bytes is malformed`)
  }
  const view = (at: number, length: number): Uint8Array => {
    if (at + length > end) bad()
    return new Uint8Array(payload.buffer, payload.byteOffset + at, length)
  }
  if (end - start < 8 * 3 + 2 + 4) bad()
  const seqNum = payload.readDoubleBE(start)
  const timestamp = payload.readDoubleBE(start + 8)
  const expiresAt = payload.readDoubleBE(start + 16)
  if (!Number.isSafeInteger(seqNum) || !Number.isFinite(timestamp) || Number.isNaN(expiresAt)) bad()
  let o = start + 24
  const keyLength = payload.readUInt16BE(o)
  o += 2
  let keyId: string | null = null
  if (keyLength !== NULL_KEY_ID) {
    if (o + keyLength > end) bad()
    keyId = payload.toString('utf8', o, o + keyLength)
    o += keyLength
  }
  if (o + 4 > end) bad()
  const count = payload.readUInt32BE(o)
  o += 4
  if (count > (end - o) / 8) bad()
  const headers: Header[] = new Array(count)
  for (let i = 0; i < count; i++) {
    if (o + 4 > end) bad()
    const nameLength = payload.readUInt32BE(o)
    const name = view(o + 4, nameLength)
    o += 4 + nameLength
    if (o + 4 > end) bad()
    const valueLength = payload.readUInt32BE(o)
    const value = view(o + 4, valueLength)
    o += 4 + valueLength
    headers[i] = { name, value }
  }
  const body = view(o, end - o)
  return { seqNum, timestamp, headers, body, metered: meteredSize({ headers, body }), expiresAt, keyId }
}

interface MutableStream extends Omit<StreamData, 'records'> {
  readonly records: StoredRecord[]
}
interface MutableBasin extends Omit<BasinData, 'streams'> {
  readonly streams: MutableStream[]
  expectStreams: number
}
interface MutableAccount extends Omit<AccountData, 'basins'> {
  readonly basins: MutableBasin[]
  expectBasins: number
}

/** Builds snapshot data from frames in file order, checking the structure as it goes. */
class SnapshotBuilder {
  #header: { namespace: string | null; takenAt: number; accounts: number; logSeq: number | undefined } | null = null
  readonly #accounts: MutableAccount[] = []
  #stream: MutableStream | null = null
  #ended = false
  readonly #totals = { accounts: 0, basins: 0, streams: 0, records: 0 }

  get ended(): boolean {
    return this.#ended
  }

  /** What kind of frame must come next. */
  #expected(): FrameType {
    if (this.#header === null) return FRAME.header
    const stream = this.#stream
    if (stream !== null && stream.logStart + stream.records.length < stream.logNext) return FRAME.record
    const account = this.#accounts.at(-1)
    const basin = account?.basins.at(-1)
    if (basin !== undefined && basin.streams.length < basin.expectStreams) return FRAME.stream
    if (account !== undefined && account.basins.length < account.expectBasins) return FRAME.basin
    if (this.#accounts.length < this.#header.accounts) return FRAME.account
    return FRAME.end
  }

  accept(frame: Frame): void {
    if (this.#ended) throw invalid(`a ${frameName(frame.type)} frame follows the END frame`)
    const expected = this.#expected()
    if (frame.type !== expected) {
      throw invalid(`expected a ${frameName(expected)} frame, found a ${frameName(frame.type)} frame`)
    }
    switch (expected) {
      case FRAME.header:
        return this.#acceptHeader(frame)
      case FRAME.account:
        return this.#acceptAccount(frame)
      case FRAME.basin:
        return this.#acceptBasin(frame)
      case FRAME.stream:
        return this.#acceptStream(frame)
      case FRAME.record:
        return this.#acceptRecord(frame)
      case FRAME.end:
        return this.#acceptEnd(frame)
    }
  }

  #acceptHeader(frame: Frame): void {
    const f = new Fields(parseJson(frame, 'HEADER'), 'header')
    const format = f.raw('format')
    if (format !== FORMAT_NAME) throw invalid(`header.format is ${JSON.stringify(format)}, not "${FORMAT_NAME}"`)
    this.#header = {
      namespace: f.stringOrNull('namespace'),
      takenAt: f.number('takenAt'),
      accounts: f.count('accounts'),
      logSeq: f.raw('logSeq') === undefined ? undefined : f.count('logSeq'),
    }
  }

  #acceptAccount(frame: Frame): void {
    const where = `account ${this.#accounts.length}`
    const f = new Fields(parseJson(frame, 'ACCOUNT'), where)
    const purges = f.raw('pendingPurges')
    if (!Array.isArray(purges)) throw invalid(`${where}.pendingPurges must be an array`)
    const pendingPurges: PendingPurgeData[] = purges.map((p, i) => {
      const pf = new Fields(p, `${where}.pendingPurges[${i}]`)
      return { basin: pf.string('basin'), stream: pf.stringOrNull('stream'), at: pf.number('at') }
    })
    this.#accounts.push({ namespace: f.string('namespace'), basins: [], pendingPurges, expectBasins: f.count('basins') })
    this.#stream = null
    this.#totals.accounts++
  }

  #acceptBasin(frame: Frame): void {
    const account = this.#accounts.at(-1) as MutableAccount
    const where = `namespace "${account.namespace}", basin ${account.basins.length}`
    const f = new Fields(parseJson(frame, 'BASIN'), where)
    account.basins.push({
      name: f.string('name'),
      createdAt: f.number('createdAt'),
      deletedAt: f.numberOrNull('deletedAt'),
      idempotencyKey: f.stringOrNull('idempotencyKey'),
      config: basinConfig(f.raw('config'), `${where}.config`),
      streams: [],
      expectStreams: f.count('streams'),
    })
    this.#stream = null
    this.#totals.basins++
  }

  #acceptStream(frame: Frame): void {
    const account = this.#accounts.at(-1) as MutableAccount
    const basin = account.basins.at(-1) as MutableBasin
    const where = `basin "${basin.name}", stream ${basin.streams.length}`
    const f = new Fields(parseJson(frame, 'STREAM'), where)
    const maxExpiresAt = f.raw('maxExpiresAt') === 'Infinity' ? Infinity : f.number('maxExpiresAt')
    const logStart = f.count('logStart')
    const logNext = f.count('logNext')
    if (logNext < logStart) throw invalid(`${where}: logNext ${logNext} is below logStart ${logStart}`)
    const stream: MutableStream = {
      name: f.string('name'),
      createdAt: f.number('createdAt'),
      deletedAt: f.numberOrNull('deletedAt'),
      idempotencyKey: f.stringOrNull('idempotencyKey'),
      cipher: cipherOrNull(f, 'cipher'),
      config: streamConfig(f.raw('config'), `${where}.config`),
      lastTimestamp: f.number('lastTimestamp'),
      fencingToken: f.string('fencingToken'),
      trimPoint: f.count('trimPoint'),
      pendingTrims: pendingTrims(f.raw('pendingTrims'), `${where}.pendingTrims`),
      lastWriteAt: f.numberOrNull('lastWriteAt'),
      maxExpiresAt,
      logStart,
      logNext,
      records: [],
    }
    basin.streams.push(stream)
    this.#stream = stream
    this.#totals.streams++
  }

  #acceptRecord(frame: Frame): void {
    const stream = this.#stream as MutableStream
    const expected = stream.logStart + stream.records.length
    const record = parseRecord(frame, `stream "${stream.name}"`)
    if (record.seqNum !== expected) {
      throw invalid(`stream "${stream.name}": expected the record with seqNum ${expected}, found ${record.seqNum}`)
    }
    stream.records.push(record)
    this.#totals.records++
  }

  #acceptEnd(frame: Frame): void {
    const f = new Fields(parseJson(frame, 'END'), 'end')
    for (const key of ['accounts', 'basins', 'streams', 'records'] as const) {
      const claimed = f.count(key)
      if (claimed !== this.#totals[key]) throw invalid(`the END frame counts ${claimed} ${key}, the file holds ${this.#totals[key]}`)
    }
    this.#ended = true
  }

  finish(): SnapshotData {
    if (!this.#ended || this.#header === null) {
      throw invalid(`the file is truncated: it ends before its END frame (where a ${frameName(this.#expected())} frame was due)`)
    }
    return {
      namespace: this.#header.namespace,
      takenAt: this.#header.takenAt,
      ...(this.#header.logSeq === undefined ? {} : { logSeq: this.#header.logSeq }),
      accounts: this.#accounts.map(({ expectBasins: _, basins, ...account }) => ({
        ...account,
        basins: basins.map(({ expectStreams: __, ...basin }) => basin),
      })),
    }
  }
}

function zlibProblem(error: unknown): SnapshotFileError {
  const message = (error as Error).message
  if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return new SnapshotFileError('invalid', 'corrupt snapshot file: the file is truncated (its compressed data ends early)', {
      cause: error,
    })
  }
  return new SnapshotFileError('invalid', `corrupt snapshot file: the compressed data is damaged (${message})`, { cause: error })
}

/** Checks the 16-byte preamble; throws a clear error for a foreign file or an unknown version. */
function checkPreamble(head: Buffer): void {
  if (head.length < MAGIC.length || head.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new SnapshotFileError('invalid', `not an s2-emulator snapshot file: it does not start with "${MAGIC}"`)
  }
  if (head.length < PREAMBLE_BYTES) throw invalid('the file is truncated: it ends inside its 16-byte preamble')
  const version = head.readUInt32BE(8)
  if (version > FORMAT_VERSION) {
    throw new SnapshotFileError(
      'version',
      `snapshot file format version ${version} is newer than this emulator reads (version ${FORMAT_VERSION}): upgrade s2-emulator to load it`,
    )
  }
  if (version !== FORMAT_VERSION) {
    throw new SnapshotFileError('version', `snapshot file format version ${version} is not one this emulator reads (version ${FORMAT_VERSION})`)
  }
  const compression = head.readUInt8(12)
  if (compression !== COMPRESSION_GZIP) throw invalid(`unknown compression ${compression} in the preamble (version 1 uses 1, gzip)`)
  if (head.readUIntBE(13, 3) !== 0) throw invalid('the reserved bytes 13 to 15 of the preamble are not zero')
}

/**
 * Reads a snapshot file from a byte stream. Throws {@link SnapshotFileError}: `invalid` for a
 * foreign, corrupt or truncated file, `version` for a format version it does not read. Nothing is
 * returned until the whole file has been read and checked, gzip checksum included.
 */
export async function decodeSnapshot(source: AsyncIterable<Uint8Array>): Promise<SnapshotData> {
  const input = source[Symbol.asyncIterator]()
  let head = Buffer.alloc(0)
  let exhausted = false
  while (head.length < PREAMBLE_BYTES) {
    const { done, value } = await input.next()
    if (done) {
      exhausted = true
      break
    }
    head = Buffer.concat([head, value])
  }
  try {
    checkPreamble(head)
  } catch (error) {
    await input.return?.()
    throw error
  }
  const rest = head.subarray(PREAMBLE_BYTES)
  async function* compressed(): AsyncGenerator<Uint8Array> {
    try {
      if (rest.length > 0) yield rest
      while (!exhausted) {
        const { done, value } = await input.next()
        if (done) exhausted = true
        else yield value
      }
    } finally {
      // Stopped early (a damaged file): release the source (close the file, cancel the upload).
      if (!exhausted) await input.return?.()
    }
  }
  const gunzip = createGunzip({ chunkSize: BATCH_BYTES })
  const plain = pipeline(Readable.from(compressed(), { objectMode: false }), gunzip, () => {
    // Errors reach us through the iteration below.
  })
  const parser = new FrameParser()
  const builder = new SnapshotBuilder()
  try {
    for await (const chunk of plain) {
      parser.push(chunk as Buffer)
      for (let frame = parser.next(); frame !== null; frame = parser.next()) builder.accept(frame)
    }
  } catch (error) {
    plain.destroy()
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    if (typeof code === 'string' && code.startsWith('Z_')) throw zlibProblem(error)
    throw error
  }
  if (parser.buffered > 0) {
    throw builder.ended ? invalid('bytes follow the END frame') : invalid('the file is truncated: it ends inside a frame')
  }
  return builder.finish()
}
