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

export const recordsPath = (stream: string): string => `/v1/streams/${encodeURIComponent(stream)}/records`

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

export const BASE64 = { 's2-format': 'base64' } as const
