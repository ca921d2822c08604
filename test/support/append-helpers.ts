import { expect } from 'vitest'
import type { RawRequest, RawResponse, useEmulator } from './emulator.ts'

/** The context `useEmulator()` returns. */
export type EmulatorContext = ReturnType<typeof useEmulator>

/** A `{seq_num, timestamp}` pair as the JSON API sends it. */
export interface WirePosition {
  readonly seq_num: number
  readonly timestamp: number
}

export interface WireAck {
  readonly start: WirePosition
  readonly end: WirePosition
  readonly tail: WirePosition
}

/** A `SequencedRecord` as a JSON read returns it (`headers` and `body` omitted when empty). */
export interface WireRecord {
  readonly seq_num: number
  readonly timestamp: number
  readonly headers?: readonly (readonly [string, string])[]
  readonly body?: string
}

/** A JSON append record, as a request sends it. */
export interface JsonInputRecord {
  timestamp?: number
  headers?: [string, string][]
  body?: string
}

/** A JSON read's body: the records, and the tail when the read reached it. */
export interface ReadBody {
  records: WireRecord[]
  tail?: WirePosition
}

/** `…/records` of a stream, with `?<query>` unless the query is empty. */
export const recordsPath = (stream: string, query = ''): string =>
  `/v1/streams/${encodeURIComponent(stream)}/records${query === '' ? '' : `?${query}`}`

/** Appends JSON records (unary; a string is a record with that body) and throws unless the answer is 200; returns the ack. */
export async function appendJson(
  t: Pick<EmulatorContext, 'raw'>,
  basin: string,
  stream: string,
  records: readonly (JsonInputRecord | string)[],
  headers: Record<string, string> = {},
): Promise<WireAck> {
  const body = { records: records.map((r) => (typeof r === 'string' ? { body: r } : r)) }
  const res = await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin, ...headers }, body })
  if (res.status !== 200) throw new Error(`append failed: ${res.status} ${res.text}`)
  return res.json as WireAck
}

/** GET …/records with this query (none when it is empty); returns the raw response. */
export function readJson(
  t: Pick<EmulatorContext, 'raw'>,
  basin: string,
  stream: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return t.raw('GET', recordsPath(stream, query), { headers: { 's2-basin': basin, ...headers } })
}

/** `n` records with bodies `${prefix}-0`, `${prefix}-1`, … */
export function textRecords(prefix: string, n: number): JsonInputRecord[] {
  return Array.from({ length: n }, (_, i) => ({ body: `${prefix}-${i}` }))
}

/** Records without their timestamps (for comparing what the emulator stamped itself). */
export const withoutTimestamp = (records: readonly WireRecord[]) => records.map(({ timestamp: _ts, ...rest }) => rest)

/** Records, or a read's body holding them. */
export type RecordsOrBatch = readonly WireRecord[] | { readonly records: readonly WireRecord[] }

const recordsOf = (from: RecordsOrBatch): readonly WireRecord[] => ('records' in from ? from.records : from)

/** The bodies of records (or of a read's records), in order. */
export const bodies = (from: RecordsOrBatch): (string | undefined)[] => recordsOf(from).map((r) => r.body)

/** The sequence numbers of records (or of a read's records), in order. */
export const seqNums = (from: RecordsOrBatch): number[] => recordsOf(from).map((r) => r.seq_num)

/** POST …/records with `S2-Basin`; an object body is sent as JSON. */
export function appendRaw(
  t: EmulatorContext,
  basin: string,
  stream: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const init: RawRequest = { headers: { 's2-basin': basin, ...headers }, body }
  return t.raw('POST', recordsPath(stream), init)
}

/** Appends and asserts a 200 JSON ack, which it returns. */
export async function appendOk(
  t: EmulatorContext,
  basin: string,
  stream: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<WireAck> {
  const res = await appendRaw(t, basin, stream, body, headers)
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 200 })
  expect(res.headers['content-type']).toBe('application/json')
  return res.json as WireAck
}

/** GET …/records?<query>; returns the raw response. */
export function readRaw(
  t: EmulatorContext,
  basin: string,
  stream: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return t.raw('GET', `${recordsPath(stream)}?${query}`, { headers: { 's2-basin': basin, ...headers } })
}

/** Reads every record from `from` up to the current tail (several unary reads of at most 1000). */
export async function readAll(
  t: EmulatorContext,
  basin: string,
  stream: string,
  headers: Record<string, string> = {},
  from = 0,
): Promise<WireRecord[]> {
  const tail = await checkTail(t, basin, stream)
  const out: WireRecord[] = []
  let next = from
  while (next < tail.seq_num) {
    const res = await readRaw(t, basin, stream, `seq_num=${next}&count=1000`, headers)
    expect({ status: res.status, text: res.text }).toMatchObject({ status: 200 })
    const records = (res.json as { records: WireRecord[] }).records
    if (records.length === 0) break
    out.push(...records)
    next = (records[records.length - 1] as WireRecord).seq_num + 1
  }
  return out
}

/** GET …/records/tail, asserting 200. */
export async function checkTail(t: EmulatorContext, basin: string, stream: string): Promise<WirePosition> {
  const res = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 200 })
  return (res.json as { tail: WirePosition }).tail
}

/** Asserts a `{code, message}` error response with this status, code and (exact) message if given. */
export function expectS2Error(res: RawResponse, status: number, code: string, message?: string): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  expect(res.headers['content-type']).toBe('application/json')
  const body = res.json as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['code', 'message'])
  expect(body.code).toBe(code)
  if (message !== undefined) expect(body.message).toBe(message)
  else expect(typeof body.message).toBe('string')
}

/** Asserts a 412 whose body is exactly `expected` (no `code`/`message`). */
export function expect412(res: RawResponse, expected: Record<string, unknown>): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 412 })
  expect(res.headers['content-type']).toBe('application/json')
  expect(res.json).toEqual(expected)
}

/** Names of the streams in a basin (including ones pending deletion). */
export async function streamNames(t: EmulatorContext, basin: string): Promise<string[]> {
  const res = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
  expect(res.status).toBe(200)
  return (res.json as { streams: { name: string }[] }).streams.map((s) => s.name)
}

/** A fresh stream name. */
export const newStreamName = (label = 'stream'): string => `${label}-${Math.random().toString(36).slice(2, 10)}`

/** Standard padded base64 of bytes or of a string's UTF-8. */
export const b64 = (value: Uint8Array | string): string =>
  (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64')

/** The 8-byte big-endian body of a `trim` command, in base64. */
export function trimBody(seqNum: number): string {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(seqNum))
  return bytes.toString('base64')
}

/** A trim command record for a request sent with `S2-Format: base64`. */
export const trimRecord = (seqNum: number): { headers: [string, string][]; body: string } => ({
  headers: [['', b64('trim')]],
  body: trimBody(seqNum),
})

/** A fence command record setting the fencing token to `token`; header and body as text (S2-Format raw). */
export const fenceRecord = (token: string): { headers: [string, string][]; body: string } => ({ headers: [['', 'fence']], body: token })

export const BASE64 = { 's2-format': 'base64' } as const

/** 1 MiB, the metered size limit of a batch. */
export const MiB = 1024 * 1024
