import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { connect as h2connect, constants as h2constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Protocol } from '../cassette/types.ts'

/** What the SDK asks of HTTP/2 connections; the same lets large S2S transfers flow. */
const WINDOW = 10 * 1024 * 1024

export interface UpstreamClientOptions {
  /** Extra certificate authorities (PEM) to trust for `https://` upstreams, e.g. a test's self-signed one. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[]
}

export interface OutgoingRequest {
  readonly origin: URL
  /** Path and query, sent as they are. */
  readonly path: string
  /** HTTP/2 (h2c on `http://`, ALPN on `https://`) or HTTP/1.1, as the client used. */
  readonly protocol: Protocol
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  /** A whole body, or one written as it comes (S2S input frames); none for `null`. */
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | null
}

export interface IncomingResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | number | undefined>
  /** The body as it arrives; the iteration throws if the upstream resets the stream or the connection. */
  readonly body: AsyncIterable<Uint8Array>
  /** Abandons the exchange (RST_STREAM on HTTP/2, the socket closed on HTTP/1.1). */
  cancel(): void
  /** Settles once the request body was written to its end (or failed). */
  readonly sent: Promise<void>
}

/**
 * A small HTTP client for talking to an S2 endpoint exactly as a client did: the same protocol,
 * method, raw path, headers and body, streamed both ways. HTTP/2 connections are pooled per origin.
 */
export class UpstreamClient {
  readonly #ca: UpstreamClientOptions['ca']
  readonly #sessions = new Map<string, ClientHttp2Session>()
  readonly #httpAgent = new HttpAgent({ keepAlive: true })
  readonly #httpsAgent: HttpsAgent

  constructor(options: UpstreamClientOptions = {}) {
    this.#ca = options.ca
    // Name HTTP/1.1 by ALPN, as undici does over TLS, so a server that also offers h2 knows which.
    this.#httpsAgent = new HttpsAgent({
      keepAlive: true,
      ALPNProtocols: ['http/1.1'],
      ...(options.ca ? { ca: options.ca as (string | Buffer)[] } : {}),
    })
  }

  request(request: OutgoingRequest): Promise<IncomingResponse> {
    return request.protocol === 'h2' ? this.#h2(request) : this.#h1(request)
  }

  /** Closes pooled connections (open exchanges on them end). */
  close(): void {
    for (const session of this.#sessions.values()) session.destroy()
    this.#sessions.clear()
    this.#httpAgent.destroy()
    this.#httpsAgent.destroy()
  }

  #session(origin: URL): ClientHttp2Session {
    const key = origin.origin
    const pooled = this.#sessions.get(key)
    if (pooled && !pooled.closed && !pooled.destroyed) return pooled
    const session = h2connect(key, {
      settings: { initialWindowSize: WINDOW },
      ...(this.#ca ? { ca: this.#ca as (string | Buffer)[] } : {}),
    })
    const forget = (): void => {
      if (this.#sessions.get(key) === session) this.#sessions.delete(key)
    }
    session.on('error', forget)
    session.on('close', forget)
    session.on('goaway', forget)
    session.once('connect', () => session.setLocalWindowSize(WINDOW))
    this.#sessions.set(key, session)
    return session
  }

  #h2(request: OutgoingRequest): Promise<IncomingResponse> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream
      try {
        stream = this.#session(request.origin).request(
          { ':method': request.method, ':path': request.path, ...request.headers },
          { endStream: request.body === null },
        )
      } catch (error) {
        reject(error)
        return
      }
      const sent = writeBody(stream, request.body)
      stream.on('error', () => {}) // once answered, failures surface through the body's iteration
      stream.once('error', reject)
      stream.once('close', () => reject(new Error(`upstream closed the stream before answering (code ${stream.rstCode})`)))
      stream.once('response', (headers) => {
        stream.off('error', reject)
        resolve({
          status: Number(headers[':status']),
          headers,
          body: stream,
          cancel: () => {
            if (!stream.destroyed) stream.close(h2constants.NGHTTP2_CANCEL)
          },
          sent,
        })
      })
    })
  }

  #h1(request: OutgoingRequest): Promise<IncomingResponse> {
    return new Promise((resolve, reject) => {
      const secure = request.origin.protocol === 'https:'
      const headers: Record<string, string> = { ...request.headers }
      if (request.body instanceof Uint8Array) headers['content-length'] = String(request.body.length)
      const req = (secure ? httpsRequest : httpRequest)({
        protocol: request.origin.protocol,
        hostname: request.origin.hostname.replace(/^\[|\]$/g, ''),
        port: request.origin.port || (secure ? 443 : 80),
        method: request.method,
        path: request.path,
        headers,
        agent: secure ? this.#httpsAgent : this.#httpAgent,
      })
      // A streamed body (S2S) may not start until the response head arrived: send the head now.
      if (request.body !== null && !(request.body instanceof Uint8Array)) req.flushHeaders()
      const sent = writeBody(req, request.body)
      req.once('error', reject)
      req.once('response', (res: IncomingMessage) => {
        req.off('error', reject)
        // Later failures surface through the body's iteration.
        req.on('error', () => {})
        res.on('error', () => {})
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: abortable(res),
          cancel: () => req.destroy(),
          sent,
        })
      })
    })
  }
}

interface BodySink {
  write(chunk: Uint8Array): boolean
  end(): void
  once(event: 'drain' | 'close', listener: () => void): unknown
  readonly destroyed: boolean
  readonly writableEnded: boolean
}

/** Writes the request body, respecting back-pressure; ends the request when the body ends. */
async function writeBody(sink: BodySink, body: OutgoingRequest['body']): Promise<void> {
  if (body === null || body instanceof Uint8Array) {
    if (body !== null && body.length > 0) sink.write(body)
    if (!sink.writableEnded) sink.end()
    return
  }
  try {
    for await (const chunk of body) {
      if (sink.destroyed) return
      if (!sink.write(chunk)) await new Promise<void>((resolve) => {
        sink.once('drain', resolve)
        sink.once('close', resolve)
      })
    }
    if (!sink.destroyed) sink.end()
  } catch {
    // The client went away mid-body; the caller cancels the exchange.
  }
}

/** A response body that throws when the connection is cut mid-body (HTTP/1.1 reports that as `aborted`). */
async function* abortable(res: IncomingMessage): AsyncIterable<Uint8Array> {
  let aborted = false
  res.once('aborted', () => {
    aborted = true
  })
  for await (const chunk of res) yield chunk as Uint8Array
  if (aborted || !res.complete) throw new Error('upstream connection closed in the middle of the response body')
}
