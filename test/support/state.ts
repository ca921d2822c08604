/**
 * Helpers for the state tests (test/state/): requests made as a given bearer token (a namespace
 * when the emulator runs with `isolation: 'token'`), fresh tokens, SDK clients per token, appends of
 * arbitrary bytes (base64), and a full capture of what a namespace looks like over the S2 API, to
 * compare state before and after a restore.
 */
import { S2 } from '@s2-dev/streamstore'
import { expect } from 'vitest'
import { b64, BASE64, recordsPath, trimBody } from './append-helpers.ts'
import type { RawRequest, RawResponse } from './emulator.ts'

/** A raw request function, as `useEmulator().raw`. */
export type RawFn = (method: string, path: string, init?: RawRequest) => Promise<RawResponse>

/** Requests sent with `Authorization: Bearer <token>`; `null` sends no Authorization header. */
export function asToken(raw: RawFn, token: string | null): RawFn {
  if (token === null) return raw
  return (method, path, init = {}) => raw(method, path, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })
}

/** An SDK client for the emulator at `url` that sends `token` (no retries). */
export function clientFor(url: string, token: string): S2 {
  return new S2({ accessToken: token, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
}

/** `…/records` of a stream, with `?<query>` unless the query is empty. */
export const records = recordsPath

let tokenCounter = 0
/** A token no other test uses, so each test has namespaces of its own. */
export const freshToken = (label: string): string => `${label}-${++tokenCounter}-${Math.random().toString(36).slice(2, 8)}`

export interface ErrorBody {
  readonly code: string
  readonly message: string
}

/** Asserts a JSON `{code, message}` error with this status and code; returns the body. */
export function expectErrorBody(res: RawResponse, status: number, code: string): ErrorBody {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  const body = res.json as ErrorBody
  expect(Object.keys(body).sort()).toEqual(['code', 'message'])
  expect(body.code).toBe(code)
  return body
}

/** Asserts a status, returning the parsed JSON body. */
export function expectStatus<T = unknown>(res: RawResponse, status: number): T {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  return res.json as T
}

/** Appends JSON records (`S2-Format` raw) and asserts 200; returns the ack. */
export async function appendBodies(
  raw: RawFn,
  basin: string,
  stream: string,
  bodies: readonly string[],
  extra: Record<string, unknown> = {},
): Promise<{ start: { seq_num: number; timestamp: number }; end: { seq_num: number; timestamp: number } }> {
  const res = await raw('POST', records(stream), { headers: { 's2-basin': basin }, body: { records: bodies.map((body) => ({ body })), ...extra } })
  return expectStatus(res, 200)
}

/** A record for `appendBase64`: body and headers as text or bytes. */
export interface AnyRecord {
  body: string | Uint8Array
  headers?: [string, string][]
  timestamp?: number
}

/**
 * Appends records with `S2-Format: base64` (so bodies and headers may be any bytes) and asserts 200;
 * returns the ack. `extraBody` adds fields to the request body (`fencing_token`, …), `extraHeaders` headers.
 */
export async function appendBase64(
  raw: RawFn,
  basin: string,
  stream: string,
  recs: readonly AnyRecord[],
  extraBody: Record<string, unknown> = {},
  extraHeaders: Record<string, string> = {},
): Promise<{ end: { seq_num: number } }> {
  const body = {
    records: recs.map((r) => ({
      body: b64(r.body),
      headers: (r.headers ?? []).map(([k, v]) => [b64(k), b64(v)]),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    })),
    ...extraBody,
  }
  const res = await raw('POST', records(stream), { headers: { 's2-basin': basin, ...BASE64, ...extraHeaders }, body })
  return expectStatus(res, 200)
}

/** A trim command record (to `appendBase64`) trimming the stream up to `seqNum`. */
export const trimCommand = (seqNum: number): AnyRecord => ({ body: Buffer.from(trimBody(seqNum), 'base64'), headers: [['', 'trim']] })

export async function createBasin(raw: RawFn, basin: string, config?: unknown): Promise<void> {
  const res = await raw('POST', '/v1/basins', { body: config === undefined ? { basin } : { basin, config } })
  expectStatus(res, 201)
}

export async function createStream(raw: RawFn, basin: string, stream: string, config?: unknown): Promise<void> {
  const res = await raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: config === undefined ? { stream } : { stream, config } })
  expectStatus(res, 201)
}

export interface WireTail {
  readonly seq_num: number
  readonly timestamp: number
}

export async function tailOf(raw: RawFn, basin: string, stream: string): Promise<WireTail> {
  const res = await raw('GET', `${records(stream)}/tail`, { headers: { 's2-basin': basin } })
  return expectStatus<{ tail: WireTail }>(res, 200).tail
}

/** The bodies of every record readable from seq 0 (JSON, raw format). */
export async function bodiesOf(raw: RawFn, basin: string, stream: string): Promise<string[]> {
  const res = await raw('GET', records(stream, 'seq_num=0&count=1000&wait=0'), { headers: { 's2-basin': basin } })
  if (res.status === 416) return []
  const batch = expectStatus<{ records: { body?: string }[] }>(res, 200)
  return batch.records.map((r) => r.body ?? '')
}

/** Names of the basins the caller sees (deleting ones included). */
export async function basinNames(raw: RawFn): Promise<string[]> {
  const res = await raw('GET', '/v1/basins')
  return expectStatus<{ basins: { name: string }[] }>(res, 200).basins.map((b) => b.name)
}

/** Names of the streams of a basin the caller sees (deleting ones included). */
export async function streamNames(raw: RawFn, basin: string): Promise<string[]> {
  const res = await raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
  return expectStatus<{ streams: { name: string }[] }>(res, 200).streams.map((s) => s.name)
}

/** What one HTTP exchange answered: enough to compare two states exactly. */
export interface Answer {
  readonly status: number
  readonly text: string
}

const answer = (res: RawResponse): Answer => ({ status: res.status, text: res.text })

/** Everything a client can observe of one stream without changing it. */
export interface StreamCapture {
  readonly listing: unknown
  readonly config: Answer
  readonly tail: Answer
  /** Base64 reads from seq 0 up to the tail, each response verbatim. */
  readonly reads: Answer[]
  /** An append with a fencing token that never matches: 412 shows the current token (409 if deleting). */
  readonly fencing: Answer
}

export interface BasinCapture {
  readonly listing: unknown
  readonly config: Answer
  readonly streams: Record<string, StreamCapture>
}

/** Everything a client can observe of its namespace: basins, configs, streams, records, tails, tokens. */
export interface Capture {
  readonly basins: Record<string, BasinCapture>
}

/** A fencing token no test ever sets: appending with it is always refused, so nothing changes. */
const PROBE_TOKEN = 'never-the-token'

/** Captures the whole namespace the requests of `raw` land in. Reading never changes state. */
export async function capture(raw: RawFn): Promise<Capture> {
  const basinsRes = await raw('GET', '/v1/basins?limit=1000')
  const basinList = expectStatus<{ basins: { name: string }[] }>(basinsRes, 200).basins
  const basins: Record<string, BasinCapture> = {}
  for (const basin of basinList) {
    const headers = { 's2-basin': basin.name }
    const config = answer(await raw('GET', `/v1/basins/${basin.name}`))
    const streamsRes = await raw('GET', '/v1/streams?limit=1000', { headers })
    const streamList = expectStatus<{ streams: { name: string }[] }>(streamsRes, 200).streams
    const streams: Record<string, StreamCapture> = {}
    for (const stream of streamList) {
      const tailRes = await raw('GET', `${records(stream.name)}/tail`, { headers })
      const reads: Answer[] = []
      if (tailRes.status === 200) {
        const tail = (tailRes.json as { tail: WireTail }).tail.seq_num
        let next = 0
        while (next < tail) {
          const res = await raw('GET', records(stream.name, `seq_num=${next}&count=1000`), { headers: { ...headers, 's2-format': 'base64' } })
          reads.push(answer(res))
          const batch = res.json as { records?: { seq_num: number }[] } | undefined
          const last = batch?.records?.at(-1)
          if (res.status !== 200 || last === undefined) break
          next = last.seq_num + 1
        }
      }
      const fencing = answer(
        await raw('POST', records(stream.name), { headers, body: { records: [{ body: 'probe' }], fencing_token: PROBE_TOKEN } }),
      )
      streams[stream.name] = {
        listing: stream,
        config: answer(await raw('GET', `/v1/streams/${encodeURIComponent(stream.name)}`, { headers })),
        tail: answer(tailRes),
        reads,
        fencing,
      }
    }
    basins[basin.name] = { listing: basin, config, streams }
  }
  return { basins }
}
