/**
 * The physical limit: bare node:http and node:http2 servers on loopback doing the least work for
 * the request shapes of the S2 API. Every request body is read and dropped; the answer is a fixed
 * reply, looked up by method, path and kind (json, proto, sse, s2s); reads replay the bytes the
 * emulator sent for the same read (set beforehand with `PUT /_bench/reply?key=...`). An S2S append
 * session gets one fixed ack frame per input frame. S2S reads with no reply set are followers: each
 * POST to the same path writes one fixed frame to all of them (fan-out).
 *
 * A request with the header `x-bench-keep` has its body kept, joined in one buffer as a store must
 * have it to decode (an S2S session's chunks as they arrive), until `DELETE /_bench/kept`, which
 * answers how many bytes it dropped. That is the least work any store does, which the plain limit
 * skips: the "floor" of the append rows.
 *
 * A protobuf append or an S2S append session with the header `x-bench-store` goes further, to what
 * no S2 store can skip (see least-store.ts): its inputs are kept (an S2S session's frames joined
 * whole), each record's body is found in them, and each input is answered with its real
 * `AppendAck`. `DELETE /_bench/kept` drops those too, and answers their records in `x-bench-records`.
 */
import { createServer as createHttp1, type IncomingHttpHeaders } from 'node:http'
import { createServer as createHttp2, type Http2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { encodeAck, encodeReadBatch, frame, FrameWalker } from '../lib/wire.ts'
import { FrameJoiner, LeastStore, NotAnAppendInput } from './least-store.ts'

/** A request's body as it comes (node:http's request, node:http2's stream). */
interface IncomingBody {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  once(event: 'end', listener: () => void): unknown
}

export interface Reply {
  readonly body: Buffer
  readonly contentType: string
}

/** `METHOD /path kind`, the key of a fixed reply. */
export function replyKey(method: string, path: string, kind: string): string {
  return `${method} ${path} ${kind}`
}

function kindOf(headers: IncomingHttpHeaders): string {
  const contentType = headers['content-type']
  if (contentType === 's2s/proto') return 's2s'
  const accept = headers['accept']
  if (accept === 'text/event-stream') return 'sse'
  if (accept === 'application/protobuf') return 'proto'
  return 'json'
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

export interface Baseline {
  /** HTTP/1.1 endpoint. */
  readonly url: string
  /** HTTP/2 cleartext endpoint (sessions). */
  readonly h2url: string
  stop(): Promise<void>
}

export async function startBaseline(): Promise<Baseline> {
  const replies = new Map<string, Reply>()
  const followers = new Map<string, Set<ServerHttp2Stream>>()
  const json = (text: string): Reply => ({ body: Buffer.from(text), contentType: 'application/json' })
  const defaultReply = json('{"ok":true}')
  const health: Reply = { body: Buffer.from('OK'), contentType: 'text/plain' }
  const now = Date.now()
  const defaultAck = frame(encodeAck(0, 1, now))
  const defaultData = frame(encodeReadBatch([{ seq_num: 0, timestamp: now, body: Buffer.from('hello') }], { seq_num: 1, timestamp: now }))
  const heartbeat = frame(encodeReadBatch([], { seq_num: 0, timestamp: now }))

  /** Bodies of requests that asked to be kept (`x-bench-keep`). */
  let kept: Buffer[] = []
  const keeps = (headers: IncomingHttpHeaders): boolean => headers['x-bench-keep'] !== undefined
  /** The records of requests that asked to be stored (`x-bench-store`). */
  const store = new LeastStore()
  const stores = (headers: IncomingHttpHeaders): boolean => headers['x-bench-store'] !== undefined
  /** Reads a protobuf append's body, joined once it ends, and stores it; answers its ack, or 400. */
  const storeBody = (req: IncomingBody, answer: (status: number, body: Buffer) => void): void => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => void chunks.push(chunk))
    req.once('end', () => {
      try {
        answer(200, store.append(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
      } catch (error) {
        if (!(error instanceof NotAnAppendInput)) throw error
        answer(400, Buffer.from(JSON.stringify({ code: 'bad_proto', message: error.message })))
      }
    })
  }
  /** Reads a body, and keeps it, joined once it ends, when asked to. */
  const readBody = (req: IncomingBody, keep: boolean): void => {
    if (!keep) {
      req.on('data', () => {})
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => void chunks.push(chunk))
    req.once('end', () => void kept.push(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
  }

  const fanOut = (path: string): void => {
    const set = followers.get(path)
    if (set === undefined) return
    const data = replies.get(replyKey('FANOUT', path, 's2s'))?.body ?? defaultData
    for (const stream of set) stream.write(data)
  }

  const http1 = createHttp1((req, res) => {
    const url = req.url ?? '/'
    if (req.method === 'PUT' && url.startsWith('/_bench/reply?')) {
      const params = new URLSearchParams(url.slice(url.indexOf('?') + 1))
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        replies.set(params.get('key') ?? '', { body: Buffer.concat(chunks), contentType: params.get('type') ?? 'application/json' })
        res.writeHead(204).end()
      })
      return
    }
    if (req.method === 'DELETE' && url === '/_bench/kept') {
      // Answers how many bytes were kept, so the bench can check the floor did keep every body.
      const stored = store.drop()
      const bytes = kept.reduce((sum, body) => sum + body.length, 0) + stored.bytes
      kept = []
      req.resume()
      res.writeHead(200, { 'content-type': 'text/plain', 'x-bench-records': String(stored.records) }).end(String(bytes))
      return
    }
    if (req.method === 'POST' && stores(req.headers)) {
      storeBody(req, (status, body) => {
        res.writeHead(status, { 'content-type': status === 200 ? 'application/protobuf' : 'application/json', 'content-length': body.length })
        res.end(body)
      })
      return
    }
    readBody(req, keeps(req.headers))
    req.on('end', () => {
      const method = req.method ?? 'GET'
      const path = pathOf(url)
      if (method === 'POST') fanOut(path)
      const reply = replies.get(replyKey(method, path, kindOf(req.headers))) ?? (path === '/health' ? health : defaultReply)
      res.writeHead(200, { 'content-type': reply.contentType, 'content-length': reply.body.length })
      res.end(reply.body)
    })
  })

  const http2 = createHttp2({ settings: { maxConcurrentStreams: 1000, initialWindowSize: 10 * 1024 * 1024 } })
  http2.on('stream', (stream, headers) => {
    stream.on('error', () => {})
    const method = String(headers[':method'])
    const path = pathOf(String(headers[':path']))
    const kind = kindOf(headers as unknown as IncomingHttpHeaders)
    if (method === 'POST' && kind === 's2s') {
      const ack = replies.get(replyKey(method, path, 's2s'))?.body ?? defaultAck
      stream.respond({ ':status': 200, 'content-type': 's2s/proto' })
      if (stores(headers as unknown as IncomingHttpHeaders)) {
        const joiner = new FrameJoiner((input) => {
          // Regular frames only (the bench sends no other); the ack is framed in place.
          let out: Buffer
          try {
            out = store.append(input, 4, input.length, 4)
          } catch (error) {
            stream.destroy(error instanceof Error ? error : new Error(String(error)))
            return
          }
          const length = out.length - 3
          out[0] = (length >>> 16) & 0xff
          out[1] = (length >>> 8) & 0xff
          out[2] = length & 0xff
          out[3] = 0
          stream.write(out)
        })
        stream.on('data', (chunk: Buffer) => joiner.push(chunk))
        stream.on('end', () => stream.end())
        return
      }
      const walker = new FrameWalker(() => stream.write(ack))
      const keep = keeps(headers as unknown as IncomingHttpHeaders)
      stream.on('data', (chunk: Buffer) => {
        if (keep) kept.push(chunk)
        walker.push(chunk)
      })
      stream.on('end', () => stream.end())
      return
    }
    const reply = replies.get(replyKey(method, path, kind))
    if (method === 'GET' && kind === 's2s' && reply === undefined) {
      stream.respond({ ':status': 200, 'content-type': 's2s/proto' })
      stream.write(heartbeat)
      let set = followers.get(path)
      if (set === undefined) followers.set(path, (set = new Set()))
      set.add(stream)
      stream.on('close', () => set.delete(stream))
      return
    }
    readBody(stream, keeps(headers as unknown as IncomingHttpHeaders))
    stream.on('end', () => {
      if (method === 'POST') fanOut(path)
      const answer = reply ?? (path === '/health' ? health : defaultReply)
      if (stream.destroyed) return
      stream.respond({ ':status': 200, 'content-type': answer.contentType })
      stream.end(answer.body)
    })
  })

  const listen = (server: { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }): Promise<number> =>
    new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
  const port1 = await listen(http1)
  const port2 = await listen(http2)
  const sessions = new Set<Http2Session>()
  http2.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  return {
    url: `http://127.0.0.1:${port1}`,
    h2url: `http://127.0.0.1:${port2}`,
    stop: async () => {
      for (const session of sessions) session.destroy()
      http1.closeAllConnections()
      await Promise.all([new Promise((r) => http1.close(r)), new Promise((r) => http2.close(r))])
    },
  }
}
