import type { Engine } from '../engine/index.ts'
import { S2Error } from '../errors/index.ts'
import { encryptionKeyHeader } from '../http/request/headers.ts'
import { decodeBytes, type RecordFormat } from '../http/wire/records-json.ts'
import { basinNameProblem, RecordBatch, streamNameProblem, type AppendRecord, type Header } from '../store/index.ts'

/**
 * One record to seed: a line of an NDJSON file (`.ndjson`, `.jsonl`) or an element of a JSON array
 * (`.json`). Records are appended in file order through the S2 append rules: the stream must exist
 * (listed in the init file) unless its basin has `create_stream_on_append`; timestamps follow the
 * stream's timestamping mode.
 *
 * ```json
 * {"basin": "my-basin-01", "stream": "orders", "body": "hello", "headers": [["type", "greeting"]], "timestamp": 1700000000000}
 * ```
 */
export interface RecordSeed {
  readonly basin: string
  readonly stream: string
  /** The record body. [default empty] */
  readonly body?: string
  /** `[name, value]` pairs. [default none] */
  readonly headers?: readonly (readonly [string, string])[]
  /** Client timestamp in ms; the stream's timestamping mode decides what is stored. [default arrival time] */
  readonly timestamp?: number
  /** How `body` and `headers` are written: UTF-8 text or base64 bytes. [default 'raw'] */
  readonly format?: 'raw' | 'base64'
  /** The bearer token whose namespace (account) holds the basin, for `isolation: 'token'`. [default ''] */
  readonly namespace?: string
  /** Base64 of the 32-byte key, for a stream of a basin with `stream_cipher`. [default none] */
  readonly encryption_key?: string
}

/** A checked record, with where it came from (`file, line N`). */
export interface SeedRecord {
  readonly where: string
  readonly namespace: string
  readonly basin: string
  readonly stream: string
  readonly keyId: string | null
  readonly record: AppendRecord
}

/** A bad records file; the message names the file and line. */
export class RecordsFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RecordsFileError'
  }
}

const FIELDS = ['basin', 'stream', 'body', 'headers', 'timestamp', 'format', 'namespace', 'encryption_key']

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : JSON.stringify(value)

/** Checks one entry; throws a plain message naming the field. */
function checkEntry(value: unknown): Omit<SeedRecord, 'where'> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected an object like {"basin": "...", "stream": "...", "body": "..."}, got ${describe(value)}`)
  }
  const entry = value as Record<string, unknown>
  for (const key of Object.keys(entry)) {
    if (!FIELDS.includes(key)) throw new Error(`${key}: unknown field, expected one of ${FIELDS.map((f) => `\`${f}\``).join(', ')}`)
  }
  const text = (key: string, required: boolean): string | undefined => {
    const field = entry[key]
    if (field === undefined && !required) return undefined
    if (field === undefined) throw new Error(`${key}: missing field`)
    if (typeof field !== 'string') throw new Error(`${key}: expected a string, got ${describe(field)}`)
    return field
  }
  const basin = text('basin', true) as string
  const basinProblem = basinNameProblem(basin)
  if (basinProblem) throw new Error(`basin: ${basinProblem}`)
  const stream = text('stream', true) as string
  const streamProblem = streamNameProblem(stream)
  if (streamProblem) throw new Error(`stream: ${streamProblem}`)
  const format = (text('format', false) ?? 'raw') as RecordFormat
  if (format !== 'raw' && format !== 'base64') throw new Error(`format: expected "raw" or "base64", got ${describe(format)}`)
  const bytes = (field: string, data: string): Uint8Array => {
    try {
      return decodeBytes(data, format)
    } catch (error) {
      throw new Error(`${field}: ${(error as Error).message}`)
    }
  }
  const body = text('body', false)
  const headers: Header[] = []
  if (entry.headers !== undefined) {
    if (!Array.isArray(entry.headers)) throw new Error(`headers: expected an array of [name, value] pairs, got ${describe(entry.headers)}`)
    entry.headers.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw new Error(`headers[${i}]: expected a [name, value] pair of strings, got ${JSON.stringify(pair)}`)
      }
      headers.push({ name: bytes(`headers[${i}][0]`, pair[0]), value: bytes(`headers[${i}][1]`, pair[1]) })
    })
  }
  const timestamp = entry.timestamp
  if (timestamp !== undefined && !(typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0)) {
    throw new Error(`timestamp: expected an integer >= 0 (ms), got ${describe(timestamp)}`)
  }
  const key = text('encryption_key', false)
  let keyId: string | null = null
  if (key !== undefined) {
    try {
      keyId = encryptionKeyHeader(new Headers({ 's2-encryption-key': key }))
    } catch (error) {
      throw new Error(`encryption_key: ${(error as Error).message}`)
    }
  }
  return {
    namespace: text('namespace', false) ?? '',
    basin,
    stream,
    keyId,
    record: { timestamp, headers, body: body === undefined ? new Uint8Array(0) : bytes('body', body) },
  }
}

/** The line (1-based) on which each top-level element of a valid JSON array starts. */
function elementLines(text: string): number[] {
  const lines: number[] = []
  let line = 1
  let depth = 0
  let inString = false
  let expectElement = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') line++
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue
    if (depth === 1 && expectElement && c !== ']') {
      lines.push(line)
      expectElement = false
    }
    if (c === '"') inString = true
    else if (c === '[' || c === '{') {
      depth++
      if (depth === 1) expectElement = true
    } else if (c === ']' || c === '}') depth--
    else if (c === ',' && depth === 1) expectElement = true
  }
  return lines
}

/**
 * Parses the text of a records file. `kind` is `json` (an array) or `ndjson` (one object a line;
 * blank lines are skipped); `auto` picks `json` when the text starts with `[`. Throws a
 * {@link RecordsFileError} naming `source` and the line of the first bad record.
 */
export function parseRecordsText(text: string, source: string, kind: 'json' | 'ndjson' | 'auto' = 'auto'): SeedRecord[] {
  const resolved = kind === 'auto' ? (text.trimStart().startsWith('[') ? 'json' : 'ndjson') : kind
  const check = (value: unknown, where: string): SeedRecord => {
    try {
      return { where, ...checkEntry(value) }
    } catch (error) {
      throw new RecordsFileError(`${where}: ${(error as Error).message}`)
    }
  }
  if (resolved === 'ndjson') {
    const records: SeedRecord[] = []
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim()
      if (line === '') return
      const where = `${source}, line ${i + 1}`
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        throw new RecordsFileError(`${where}: not valid JSON: ${(error as Error).message}`)
      }
      records.push(check(value, where))
    })
    return records
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new RecordsFileError(`${source}: not valid JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(value)) {
    throw new RecordsFileError(`${source}: a .json records file must hold an array of records (or use .ndjson, one record a line)`)
  }
  const lines = elementLines(text)
  return value.map((entry: unknown, i) => check(entry, `${source}, line ${lines[i] ?? '?'} (records[${i}])`))
}

/** How a failed append reads in a seeding error: what went wrong and what to do. */
function explain(error: S2Error, record: SeedRecord): string {
  if (error.code === 'basin_not_found') {
    return `${error.message}; list the basin in the init file (--init, or the init option) to seed records into it`
  }
  if (error.code === 'stream_not_found') {
    const fix = `list the stream in the init file (--init, or the init option), or set create_stream_on_append on basin \`${record.basin}\``
    return `${error.message}; ${fix}`
  }
  if (error.message.startsWith('missing encryption key')) return `${error.message}; give the key in the record's "encryption_key"`
  return error.message
}

/**
 * Appends records in order, one append each, through the engine (so S2's rules and the clock
 * apply). Throws a {@link RecordsFileError} naming the record's file and line on the first failure.
 */
export function appendSeedRecords(engine: Engine, records: readonly SeedRecord[], nameOf: (token: string) => string): void {
  for (const seed of records) {
    try {
      engine.append(
        { namespace: nameOf(seed.namespace), basin: seed.basin, stream: seed.stream, keyId: seed.keyId },
        { records: RecordBatch.of([seed.record]), matchSeqNum: undefined, fencingToken: undefined },
      )
    } catch (error) {
      if (!(error instanceof S2Error)) throw error
      throw new RecordsFileError(`${seed.where}: ${explain(error, seed)}`)
    }
  }
}
