/**
 * Raw wire helpers for tests, written independently of the emulator's own codecs (nothing here
 * imports src), so wire tests check the emulator against the protocol rather than against itself:
 * - S2S framing (s2-specs `s2s.md`): encode, decode, decompress, terminal frames;
 * - protobuf messages of `proto/s2.proto`, through protobufjs;
 * - an h2c client (prior knowledge) and an HTTP/1.1 client with a streaming (chunked) request body,
 *   behind one interface so a test can run the same case over both;
 * - an SSE event parser;
 * - a file's shared h2c connection, S2S and SSE session requests, and assertions on session heads and frames;
 * - `/metrics` gauge reading.
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http'
import { connect as h2connect, constants as h2constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2'
import { PassThrough, type Readable } from 'node:stream'
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import protobuf from 'protobufjs'
import { afterAll, beforeAll, expect } from 'vitest'
import { recordsPath } from './append-helpers.ts'

// ---------------------------------------------------------------------------------------------
// S2S frames

export type FrameCompression = 'none' | 'zstd' | 'gzip' | 'invalid'

export const FLAG_TERMINAL = 0x80
export const FLAG_ZSTD = 0x20
export const FLAG_GZIP = 0x40
export const COMPRESSION_BITS = 0x60
export const MAX_FRAME_LENGTH = 2 * 1024 * 1024

export interface WireFrame {
  /** The flag byte as received. */
  readonly flag: number
  readonly terminal: boolean
  readonly compression: FrameCompression
  /** The payload as sent (still compressed when `compression` says so). */
  readonly payload: Buffer
}

function compressionOf(flag: number): FrameCompression {
  switch (flag & COMPRESSION_BITS) {
    case 0:
      return 'none'
    case FLAG_ZSTD:
      return 'zstd'
    case FLAG_GZIP:
      return 'gzip'
    default:
      return 'invalid'
  }
}

/** A frame with an explicit length field (which may lie), flag byte and payload: for malformed frames. */
export function rawFrame(length: number, flag: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const header = Buffer.from([(length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, flag & 0xff])
  return Buffer.concat([header, payload])
}

/** A regular frame: `payload` compressed with `compression` (the flag bits set to match) unless 'none'. */
export function frame(payload: Uint8Array, compression: 'none' | 'zstd' | 'gzip' = 'none', extraFlag = 0): Buffer {
  const body = compression === 'zstd' ? zstdCompressSync(payload) : compression === 'gzip' ? gzipSync(payload) : payload
  const bits = compression === 'zstd' ? FLAG_ZSTD : compression === 'gzip' ? FLAG_GZIP : 0
  return rawFrame(body.length + 1, bits | extraFlag, body)
}

/** A terminal frame as a server would send it: status (2 bytes) then the JSON body. */
export function terminalFrameBytes(status: number, body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body))
  const payload = Buffer.concat([Buffer.from([(status >>> 8) & 0xff, status & 0xff]), json])
  return rawFrame(payload.length + 1, FLAG_TERMINAL, payload)
}

/** Splits bytes into whole frames; `rest` is an incomplete trailing frame. Throws on a zero length. */
export function splitFrames(bytes: Buffer): { frames: WireFrame[]; rest: Buffer } {
  const frames: WireFrame[] = []
  let offset = 0
  while (bytes.length - offset >= 3) {
    const length = bytes.readUIntBE(offset, 3)
    if (length === 0) throw new Error(`frame at offset ${offset} has length 0`)
    if (bytes.length - offset < 3 + length) break
    const flag = bytes[offset + 3] as number
    frames.push({
      flag,
      terminal: (flag & FLAG_TERMINAL) !== 0,
      compression: compressionOf(flag),
      payload: Buffer.from(bytes.subarray(offset + 4, offset + 3 + length)),
    })
    offset += 3 + length
  }
  return { frames, rest: Buffer.from(bytes.subarray(offset)) }
}

/** The payload of a frame, decompressed per its flag. */
export function payloadOf(f: WireFrame): Buffer {
  switch (f.compression) {
    case 'none':
      return f.payload
    case 'zstd':
      return zstdDecompressSync(f.payload)
    case 'gzip':
      return gunzipSync(f.payload)
    case 'invalid':
      throw new Error(`frame flag 0x${f.flag.toString(16)} has compression bits 11`)
  }
}

export interface Terminal {
  readonly status: number
  readonly body: unknown
  readonly text: string
}

/** Status and JSON body of a terminal frame. */
export function terminalOf(f: WireFrame): Terminal {
  if (!f.terminal) throw new Error(`not a terminal frame (flag 0x${f.flag.toString(16)})`)
  const payload = payloadOf(f)
  const status = payload.readUInt16BE(0)
  const text = payload.subarray(2).toString('utf8')
  return { status, body: JSON.parse(text) as unknown, text }
}

// ---------------------------------------------------------------------------------------------
// Protobuf (proto/s2.proto)

const root = protobuf.parse(readFileSync(new URL('../../proto/s2.proto', import.meta.url), 'utf8'), { keepCase: true }).root
const AppendInputType = root.lookupType('s2.v1.AppendInput')
const AppendAckType = root.lookupType('s2.v1.AppendAck')
const ReadBatchType = root.lookupType('s2.v1.ReadBatch')

export interface Position {
  seq_num: number
  timestamp: number
}
export interface ProtoHeader {
  name: Uint8Array | string
  value: Uint8Array | string
}
export interface ProtoAppendRecord {
  timestamp?: number
  headers?: ProtoHeader[]
  body?: Uint8Array | string
}
export interface ProtoAppendInput {
  records: ProtoAppendRecord[]
  match_seq_num?: number
  fencing_token?: string
}
export interface Ack {
  start: Position
  end: Position
  tail: Position
}
export interface ProtoRecord {
  seq_num: number
  timestamp: number
  headers: { name: string; value: string }[]
  /** The body decoded as UTF-8 (the tests use text bodies). */
  body: string
  bodyBytes: Buffer
}
export interface ProtoReadBatch {
  records: ProtoRecord[]
  /** Absent (undefined) when the message has no tail. */
  tail?: Position
}

const bytesOf = (value: Uint8Array | string | undefined): Uint8Array =>
  value === undefined ? new Uint8Array(0) : typeof value === 'string' ? Buffer.from(value) : value

export function encodeAppendInput(input: ProtoAppendInput): Buffer {
  const message: Record<string, unknown> = {
    records: input.records.map((r) => {
      const record: Record<string, unknown> = {
        headers: (r.headers ?? []).map((h) => ({ name: bytesOf(h.name), value: bytesOf(h.value) })),
        body: bytesOf(r.body),
      }
      if (r.timestamp !== undefined) record['timestamp'] = r.timestamp
      return record
    }),
  }
  if (input.match_seq_num !== undefined) message['match_seq_num'] = input.match_seq_num
  if (input.fencing_token !== undefined) message['fencing_token'] = input.fencing_token
  const err = AppendInputType.verify(message)
  if (err !== null) throw new Error(`bad AppendInput for the test encoder: ${err}`)
  return Buffer.from(AppendInputType.encode(AppendInputType.fromObject(message)).finish())
}

type Plain = Record<string, unknown>
const toObject = (type: protobuf.Type, bytes: Uint8Array): Plain =>
  type.toObject(type.decode(bytes), { longs: Number, bytes: Buffer, defaults: false, arrays: true }) as Plain

const num = (value: unknown): number => (typeof value === 'number' ? value : 0)
function position(value: unknown): Position {
  const p = (value ?? {}) as Plain
  return { seq_num: num(p['seq_num']), timestamp: num(p['timestamp']) }
}

export function decodeAppendAck(bytes: Uint8Array): Ack {
  const o = toObject(AppendAckType, bytes)
  for (const key of ['start', 'end', 'tail']) if (o[key] === undefined) throw new Error(`AppendAck without ${key}`)
  return { start: position(o['start']), end: position(o['end']), tail: position(o['tail']) }
}

export function decodeReadBatch(bytes: Uint8Array): ProtoReadBatch {
  const o = toObject(ReadBatchType, bytes)
  const records = ((o['records'] ?? []) as Plain[]).map((r): ProtoRecord => {
    const body = Buffer.from((r['body'] as Uint8Array | undefined) ?? new Uint8Array(0))
    return {
      seq_num: num(r['seq_num']),
      timestamp: num(r['timestamp']),
      headers: ((r['headers'] ?? []) as Plain[]).map((h) => ({
        name: Buffer.from((h['name'] as Uint8Array | undefined) ?? new Uint8Array(0)).toString('utf8'),
        value: Buffer.from((h['value'] as Uint8Array | undefined) ?? new Uint8Array(0)).toString('utf8'),
      })),
      body: body.toString('utf8'),
      bodyBytes: body,
    }
  })
  const batch: ProtoReadBatch = { records }
  if (o['tail'] !== undefined && o['tail'] !== null) batch.tail = position(o['tail'])
  return batch
}

// ---------------------------------------------------------------------------------------------
// Response bodies read incrementally

/** Collects the chunks of a readable response body; waiters are woken as data or the end arrives. */
export class BodyBuffer {
  #data: Buffer = Buffer.alloc(0)
  #ended = false
  #error: Error | null = null
  #waiters: (() => void)[] = []
  /** How many chunks (for h2: DATA frames) the body arrived in so far. */
  chunks = 0

  constructor(source: Readable) {
    source.on('data', (chunk: Buffer) => {
      this.chunks++
      this.#data = Buffer.concat([this.#data, chunk])
      this.#wake()
    })
    source.on('end', () => {
      this.#ended = true
      this.#wake()
    })
    source.on('error', (error: Error) => {
      this.#error ??= error
      this.#wake()
    })
    source.on('close', () => {
      if (!this.#ended) this.#error ??= new Error('response closed before its end')
      this.#wake()
    })
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }

  /** Resolves on the next change (data, end, error). */
  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  /** Takes bytes from the front of the buffer. */
  take(n: number): Buffer {
    const out = this.#data.subarray(0, n)
    this.#data = this.#data.subarray(n)
    return Buffer.from(out)
  }

  /** Waits until `ready` returns a value for the buffered bytes, or the body ends (then null). */
  async until<T>(ready: (data: Buffer) => T | null): Promise<T | null> {
    for (;;) {
      const value = ready(this.#data)
      if (value !== null) return value
      if (this.#error) throw this.#error
      if (this.#ended) return null
      await this.#changed()
    }
  }

  /** All remaining bytes once the body has ended cleanly. */
  async rest(): Promise<Buffer> {
    while (!this.#ended) {
      if (this.#error) throw this.#error
      await this.#changed()
    }
    return this.take(this.#data.length)
  }

  /** Resolves when the body is over, however it ended: 'end' (clean) or 'error'. */
  async finished(): Promise<'end' | 'error'> {
    for (;;) {
      if (this.#ended) return 'end'
      if (this.#error) return 'error'
      await this.#changed()
    }
  }

  get ended(): boolean {
    return this.#ended
  }

  get buffered(): number {
    return this.#data.length
  }
}

// ---------------------------------------------------------------------------------------------
// Exchanges over h2c or HTTP/1.1

export type Transport = 'h2' | 'http1'
export const TRANSPORTS: readonly Transport[] = ['h2', 'http1']

export interface ResponseHead {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
}

/** One request whose body is written as the test goes, and whose response is read as it arrives. */
export interface Exchange {
  readonly transport: Transport
  /** The status and headers, once they arrive. */
  readonly head: Promise<ResponseHead>
  readonly body: BodyBuffer
  write(bytes: Uint8Array): Promise<void>
  /** Half-closes the request (ends its body). */
  end(): void
  /** The next S2S frame of the response, or null when the body ended cleanly after whole frames. */
  nextFrame(): Promise<WireFrame | null>
  /** Every remaining frame until the body ends; throws if it ends inside a frame. */
  remainingFrames(): Promise<WireFrame[]>
  /** The next SSE event (the text up to a blank line), or null at a clean end of the body. */
  nextEvent(): Promise<SseEvent | null>
  /** The rest of the body as text, once it ends. */
  text(): Promise<string>
  /** Abandons the exchange: an h2 stream reset (RST_STREAM CANCEL), or a destroyed HTTP/1.1 socket. */
  abort(): void
  /** h2: resolves once the stream is closed, with its RST_STREAM code (0 for a clean end); HTTP/1.1: null. */
  readonly rstCode: Promise<number | null>
}

export interface ExchangeInit {
  readonly method: string
  readonly path: string
  readonly headers?: Record<string, string>
  /** End the request body right away (a GET, or a session with nothing to send). [default: GET only] */
  readonly endRequest?: boolean
  /** HTTP/1.1 only: the agent to use (for keep-alive); default a fresh connection. */
  readonly agent?: Agent
}

function frameFrom(body: BodyBuffer) {
  return async (): Promise<WireFrame | null> => {
    const next = await body.until((data) => {
      if (data.length < 3) return null
      const length = data.readUIntBE(0, 3)
      if (length === 0) throw new Error('server sent a frame of length 0')
      return data.length >= 3 + length ? 3 + length : null
    })
    if (next === null) {
      if (body.buffered > 0) throw new Error(`response ended inside a frame (${body.buffered} bytes left)`)
      return null
    }
    const { frames } = splitFrames(body.take(next))
    return frames[0] as WireFrame
  }
}

export interface SseEvent {
  /** The raw text of the event, without the blank line that ends it. */
  readonly raw: string
  readonly event?: string
  readonly id?: string
  readonly data: string
}

/** Parses one SSE event block (lines of `field: value`). */
export function parseSseEvent(raw: string): SseEvent {
  let event: string | undefined
  let id: string | undefined
  const data: string[] = []
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'id') id = value
    else if (field === 'data') data.push(value)
  }
  const parsed: { raw: string; event?: string; id?: string; data: string } = { raw, data: data.join('\n') }
  if (event !== undefined) parsed.event = event
  if (id !== undefined) parsed.id = id
  return parsed
}

function eventFrom(body: BodyBuffer) {
  return async (): Promise<SseEvent | null> => {
    const next = await body.until((data) => {
      const at = data.indexOf('\n\n')
      return at < 0 ? null : at
    })
    if (next === null) {
      if (body.buffered > 0) throw new Error(`response ended inside an event: ${body.take(body.buffered).toString()}`)
      return null
    }
    const raw = body.take(next + 2).toString('utf8').slice(0, -2)
    return parseSseEvent(raw)
  }
}

function exchangeMethods(body: BodyBuffer) {
  const nextFrame = frameFrom(body)
  return {
    nextFrame,
    async remainingFrames(): Promise<WireFrame[]> {
      const frames: WireFrame[] = []
      for (let f = await nextFrame(); f !== null; f = await nextFrame()) frames.push(f)
      return frames
    },
    nextEvent: eventFrom(body),
    async text(): Promise<string> {
      return (await body.rest()).toString('utf8')
    },
  }
}

/** The status and headers of an h2 stream's response; rejects if the stream closes first (never unhandled). */
export function responseHead(stream: ClientHttp2Stream): Promise<ResponseHead> {
  const head = new Promise<ResponseHead>((resolve, reject) => {
    stream.once('response', (headers) => {
      const { ':status': status, ...rest } = headers
      resolve({ status: Number(status), headers: rest as Record<string, string | string[] | undefined> })
    })
    stream.once('close', () => reject(new Error(`h2 stream closed before a response (code ${stream.rstCode})`)))
  })
  head.catch(() => {})
  return head
}

/** An HTTP/2 cleartext (prior knowledge) connection; many exchanges may share it. */
export class H2Client {
  readonly session: ClientHttp2Session

  private constructor(session: ClientHttp2Session) {
    this.session = session
  }

  static connect(baseUrl: string): Promise<H2Client> {
    return new Promise((resolve, reject) => {
      const session = h2connect(baseUrl)
      session.once('connect', () => {
        session.off('error', reject)
        session.on('error', () => {}) // surfaced through the streams
        resolve(new H2Client(session))
      })
      session.once('error', reject)
    })
  }

  exchange(init: ExchangeInit): Exchange {
    const stream: ClientHttp2Stream = this.session.request({
      ':method': init.method,
      ':path': init.path,
      ...init.headers,
    })
    stream.on('error', () => {}) // surfaced through the body
    const head = responseHead(stream)
    const body = new BodyBuffer(stream)
    const rstCode = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode ?? 0)))
    if (init.endRequest ?? init.method === 'GET') stream.end()
    return {
      transport: 'h2',
      head,
      body,
      write: (bytes) =>
        new Promise<void>((resolve, reject) => stream.write(bytes, (error) => (error ? reject(error) : resolve()))),
      end: () => void stream.end(),
      abort: () => void stream.close(h2constants.NGHTTP2_CANCEL),
      rstCode,
      ...exchangeMethods(body),
    }
  }

  /** A whole unary request over this connection. */
  async unary(init: ExchangeInit & { body?: Uint8Array | string }): Promise<ResponseHead & { body: Buffer; text: string }> {
    const x = this.exchange({ ...init, endRequest: false })
    if (init.body !== undefined) await x.write(typeof init.body === 'string' ? Buffer.from(init.body) : init.body)
    x.end()
    const head = await x.head
    const body = await x.body.rest()
    return { ...head, body, text: body.toString('utf8') }
  }

  /** Closes gracefully (after open streams). */
  close(): Promise<void> {
    return new Promise((resolve) => this.session.close(() => resolve()))
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.session.destroy()
  }
}

/**
 * An HTTP/1.1 exchange with a streaming request body (chunked transfer encoding when the request
 * is not ended right away) and a streaming response, full duplex: the response is read while the
 * request is still being written. Each exchange has its own connection.
 */
export function http1Exchange(baseUrl: string, init: ExchangeInit): Exchange & { request: ClientRequest } {
  const url = new URL(init.path, baseUrl)
  const endNow = init.endRequest ?? init.method === 'GET'
  const headers: Record<string, string> = { ...init.headers }
  if (!endNow) headers['transfer-encoding'] ??= 'chunked'
  const req = httpRequest({
    host: url.hostname,
    port: url.port,
    method: init.method,
    path: url.pathname + url.search,
    headers,
    agent: init.agent ?? false,
  })
  req.on('error', () => {}) // surfaced through the body
  let resolveResponse: (res: IncomingMessage) => void = () => {}
  let rejectResponse: (error: Error) => void = () => {}
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    resolveResponse = resolve
    rejectResponse = reject
  })
  response.catch(() => {})
  req.once('response', resolveResponse)
  req.once('close', () => rejectResponse(new Error('HTTP/1.1 request closed before a response')))
  const head = response.then((res) => ({ status: res.statusCode ?? 0, headers: res.headers }))
  head.catch(() => {})
  const body = new BodyBufferLater(response)
  if (endNow) req.end()
  else req.flushHeaders()
  return {
    transport: 'http1',
    request: req,
    head,
    body,
    write: (bytes) => new Promise<void>((resolve, reject) => req.write(bytes, (error) => (error ? reject(error) : resolve()))),
    end: () => void req.end(),
    abort: () => void req.destroy(),
    rstCode: Promise.resolve(null),
    ...exchangeMethods(body),
  }
}

/** A BodyBuffer over a response that has not arrived yet. */
class BodyBufferLater extends BodyBuffer {
  constructor(response: Promise<IncomingMessage>) {
    const relay = new PassThrough()
    super(relay)
    response.then(
      (res) => {
        res.on('error', (error) => relay.destroy(error))
        res.on('aborted', () => relay.destroy(new Error('response aborted')))
        res.pipe(relay)
      },
      (error: Error) => relay.destroy(error),
    )
  }
}

/** Opens an exchange over `transport`: h2 on the given connection, HTTP/1.1 on its own socket. */
export function openExchange(transport: Transport, baseUrl: string, h2: H2Client, init: ExchangeInit): Exchange {
  return transport === 'h2' ? h2.exchange(init) : http1Exchange(baseUrl, init)
}

// ---------------------------------------------------------------------------------------------
// Test setup: a shared h2c connection, session requests, and what a session must answer

/**
 * An h2c connection to the emulator at `t.url`, opened before the tests of the enclosing file (or
 * describe block) and dropped after them. Returns a getter for it.
 */
export function useH2Client(t: { readonly url: string }): () => H2Client {
  let h2: H2Client | undefined
  beforeAll(async () => {
    h2 = await H2Client.connect(t.url)
  })
  afterAll(() => {
    h2?.destroy()
  })
  return () => {
    if (h2 === undefined) throw new Error('the h2c connection is opened in beforeAll')
    return h2
  }
}

/** An S2S read session (GET with `Content-Type: s2s/proto`) of a stream, with this query. */
export function s2sReadInit(basin: string, stream: string, query: string, headers: Record<string, string> = {}): ExchangeInit {
  return { method: 'GET', path: recordsPath(stream, query), headers: { 's2-basin': basin, 'content-type': 's2s/proto', ...headers } }
}

/** An S2S append session (POST with `Content-Type: s2s/proto`) to a stream, its request body left open. */
export function s2sAppendInit(basin: string, stream: string, headers: Record<string, string> = {}): ExchangeInit {
  return {
    method: 'POST',
    path: recordsPath(stream),
    headers: { 's2-basin': basin, 'content-type': 's2s/proto', ...headers },
    endRequest: false,
  }
}

/** An SSE read session (GET with `Accept: text/event-stream`) of a stream, with this query. */
export function sseReadInit(basin: string, stream: string, query: string, headers: Record<string, string> = {}): ExchangeInit {
  return { method: 'GET', path: recordsPath(stream, query), headers: { 's2-basin': basin, accept: 'text/event-stream', ...headers } }
}

/** Asserts the head of a session response: 200, this content type, no caching, no proxy buffering, no compression. */
export function expectSessionHead(head: ResponseHead, contentType: 's2s/proto' | 'text/event-stream'): void {
  expect(head.status).toBe(200)
  expect(head.headers['content-type']).toBe(contentType)
  expect(head.headers['cache-control']).toBe('no-cache, no-transform')
  expect(head.headers['x-accel-buffering']).toBe('no')
  expect(head.headers['content-encoding']).toBeUndefined()
}

/** The next S2S frame of an exchange; fails if the response ends instead. */
export async function expectFrame(x: Exchange, where = 'response'): Promise<WireFrame> {
  const f = await x.nextFrame()
  if (f === null) throw new Error(`the ${where} ended where a frame was expected`)
  return f
}

/** The next S2S frame, which must be a data (not terminal) frame; returns its payload. */
async function expectDataPayload(x: Exchange): Promise<Buffer> {
  const f = await expectFrame(x)
  expect(f.terminal, f.terminal ? terminalOf(f).text : '').toBe(false)
  return payloadOf(f)
}

/** The next S2S frame as an AppendAck; fails on a terminal frame (showing it) or the end. */
export async function expectAck(x: Exchange): Promise<Ack> {
  return decodeAppendAck(await expectDataPayload(x))
}

/** The next S2S frame as a ReadBatch; fails on a terminal frame (showing it) or the end. */
export async function expectBatch(x: Exchange): Promise<ProtoReadBatch> {
  return decodeReadBatch(await expectDataPayload(x))
}

/** An S2S AppendInput frame of text records. */
export const appendInputFrame = (bodies: readonly string[], extra: { match_seq_num?: number } = {}): Buffer =>
  frame(encodeAppendInput({ records: bodies.map((body) => ({ body })), ...extra }))

// ---------------------------------------------------------------------------------------------
// Metrics

/** `s2_emulator_open_sessions` gauges from `GET /metrics`, keyed `kind/transport`, plus their total. */
export async function openSessions(baseUrl: string): Promise<{ total: number; byKey: Map<string, number> }> {
  const res = await fetch(new URL('/metrics', baseUrl))
  const text = await res.text()
  const byKey = new Map<string, number>()
  let total = 0
  for (const match of text.matchAll(/^s2_emulator_open_sessions\{kind="([^"]+)",transport="([^"]+)"\} (\d+)$/gm)) {
    const value = Number(match[3])
    byKey.set(`${match[1]}/${match[2]}`, value)
    total += value
  }
  if (byKey.size === 0) throw new Error(`no s2_emulator_open_sessions in /metrics:\n${text}`)
  return { total, byKey }
}

/** Polls `/metrics` until the open-session total satisfies `test`; returns the last value seen. */
export async function waitForOpenSessions(baseUrl: string, test: (total: number) => boolean, attempts = 200): Promise<number> {
  let total = -1
  for (let i = 0; i < attempts; i++) {
    total = (await openSessions(baseUrl)).total
    if (test(total)) return total
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return total
}
