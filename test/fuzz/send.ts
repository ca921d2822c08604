/**
 * Sends a {@link FuzzRequest} over HTTP/1.1 or h2c and reads the answer within a deadline: the
 * whole response, except a read session that started (200, SSE or S2S), which is abandoned once
 * its head is in since it follows the stream for ever.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { constants as h2constants } from 'node:http2'
import { BodyBuffer, H2Client, http1Exchange, responseHead, type Exchange } from '../support/wire.ts'
import type { FuzzRequest } from './generate.ts'

export interface Outcome {
  /** null when no response came. */
  readonly status: number | null
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
  /** A read session that started and was abandoned after its head. */
  readonly liveSession: boolean
  /** The request asked to wait (`wait` > 0) and had no answer by the deadline: abandoned, not a hang. */
  readonly waited: boolean
  /** What went wrong on the wire: no response, no head or no end of body by the deadline. */
  readonly problem?: string
}

const TIMEOUT = Symbol('timeout')
const within = <T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> =>
  Promise.race([promise, delay(ms, TIMEOUT, { ref: false })])

function isLiveSession(request: FuzzRequest, status: number, headers: Record<string, string | string[] | undefined>): boolean {
  const type = String(headers['content-type'] ?? '')
  return request.method === 'GET' && status === 200 && (type.startsWith('text/event-stream') || type.startsWith('s2s/proto'))
}

/** The parts of an exchange the sender uses. */
type Wire = Pick<Exchange, 'head' | 'body' | 'write' | 'end' | 'abort'>

/**
 * An h2 stream for the request. Unlike H2Client.exchange it keeps the request open for a body
 * whatever the method: node:http2 ends GET, HEAD and DELETE requests at once unless told not to.
 */
function h2Exchange(h2: H2Client, request: FuzzRequest): Wire {
  const stream = h2.session.request({ ':method': request.method, ':path': request.path, ...request.headers }, { endStream: false })
  stream.on('error', () => {}) // surfaced through the body
  return {
    head: responseHead(stream),
    body: new BodyBuffer(stream),
    write: (bytes) => new Promise<void>((resolve, reject) => stream.write(bytes, (error) => (error ? reject(error) : resolve()))),
    end: () => void stream.end(),
    abort: () => void stream.close(h2constants.NGHTTP2_CANCEL),
  }
}

/** Sends requests, keeping one h2c connection open across them (re-opened when it is lost). */
export class Sender {
  readonly #url: string
  readonly #deadlineMs: number
  #h2: H2Client | null = null

  constructor(url: string, deadlineMs: number) {
    this.#url = url
    this.#deadlineMs = deadlineMs
  }

  async send(request: FuzzRequest): Promise<Outcome> {
    if (request.transport === 'http1' && request.pieces === undefined) return this.#http1Unary(request)
    const exchange = request.transport === 'h2' ? h2Exchange(await this.#h2Client(), request) : http1Exchange(this.#url, this.#init(request))
    return this.#complete(request, exchange)
  }

  close(): void {
    this.#h2?.destroy()
    this.#h2 = null
  }

  async #h2Client(): Promise<H2Client> {
    if (this.#h2 === null || this.#h2.session.closed || this.#h2.session.destroyed) this.#h2 = await H2Client.connect(this.#url)
    return this.#h2
  }

  #init(request: FuzzRequest) {
    return { method: request.method, path: request.path, headers: request.headers, endRequest: false }
  }

  async #complete(request: FuzzRequest, x: Wire): Promise<Outcome> {
    // The server may answer (and close) before the body is all written: a failed write is its right.
    // A unary body is queued at once with the end of the request, as a client sends it.
    const writing =
      request.pieces === undefined
        ? (request.body.length > 0 && x.write(request.body).catch(() => {}), x.end(), Promise.resolve())
        : (async () => {
            for (const piece of request.pieces ?? []) if (piece.length > 0) await x.write(piece)
            x.end()
          })().catch(() => {})
    const head = await within(x.head.then((h) => h, (error: Error) => error), this.#deadlineMs)
    if (head === TIMEOUT) {
      x.abort()
      return this.#noHead(request)
    }
    if (head instanceof Error) return { status: null, headers: {}, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `no response: ${head.message}` }
    if (isLiveSession(request, head.status, head.headers)) {
      x.abort()
      return { status: head.status, headers: head.headers, body: Buffer.alloc(0), liveSession: true, waited: false }
    }
    const body = await within(x.body.rest().then((b) => b, (error: Error) => error), this.#deadlineMs)
    await writing
    if (body === TIMEOUT) {
      x.abort()
      return { status: head.status, headers: head.headers, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `hang: the body did not end within ${this.#deadlineMs} ms` }
    }
    if (body instanceof Error) {
      return { status: head.status, headers: head.headers, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `the body broke off: ${body.message}` }
    }
    return { status: head.status, headers: head.headers, body, liveSession: false, waited: false }
  }

  #noHead(request: FuzzRequest): Outcome {
    if (request.mayWait) return { status: null, headers: {}, body: Buffer.alloc(0), liveSession: false, waited: true }
    return { status: null, headers: {}, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `hang: no response within ${this.#deadlineMs} ms` }
  }

  /** HTTP/1.1 with a Content-Length body, on a connection of its own. */
  #http1Unary(request: FuzzRequest): Promise<Outcome> {
    const url = new URL(this.#url)
    return new Promise((resolve) => {
      let settled = false
      let head: { status: number; headers: IncomingHttpHeaders } | null = null
      const settle = (outcome: Outcome) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req.destroy()
        resolve(outcome)
      }
      const req = httpRequest({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers, agent: false }, (res) => {
        const headers = res.headers as IncomingHttpHeaders
        const status = res.statusCode ?? 0
        head = { status, headers }
        if (isLiveSession(request, status, headers)) {
          settle({ status, headers, body: Buffer.alloc(0), liveSession: true, waited: false })
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => settle({ status, headers, body: Buffer.concat(chunks), liveSession: false, waited: false }))
        res.on('error', (error) => settle({ status, headers, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `the body broke off: ${error.message}` }))
        res.on('aborted', () => settle({ status, headers, body: Buffer.alloc(0), liveSession: false, waited: false, problem: 'the body broke off (aborted)' }))
      })
      const timer = setTimeout(() => {
        if (head !== null) {
          settle({ status: head.status, headers: head.headers, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `hang: the body did not end within ${this.#deadlineMs} ms` })
        } else settle(this.#noHead(request))
      }, this.#deadlineMs)
      req.on('error', (error) => settle({ status: null, headers: {}, body: Buffer.alloc(0), liveSession: false, waited: false, problem: `no response: ${error.message}` }))
      req.end(request.body.length > 0 ? request.body : undefined)
    })
  }
}
