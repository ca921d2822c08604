import { getRequestListener, RequestError } from '@hono/node-server'
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { S2EmulatorError } from '../errors/index.ts'
import { normalizeRequestTarget } from './request-target.ts'
import { json } from './respond.ts'
import { closeWhenIdle, timeRequest, type ConnectionLimits } from './idle-timeouts.ts'
import { answerParseError, answerUnknownMethod } from './unknown-method.ts'

export interface Listener {
  readonly host: string
  readonly port: number
  /** Stops accepting, drops open connections (ending their sessions) and resolves once the port is free. */
  close(): Promise<void>
}

/** What an HTTP/2 client sends first (RFC 9113 §3.4); no HTTP/1 request starts this way. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

/** The SDK pools up to 100 streams per connection; allow plenty more. */
const H2_SETTINGS = { maxConcurrentStreams: 1000, initialWindowSize: 10 * 1024 * 1024 }

/**
 * Serves `fetch` on one port over HTTP/1.1 and HTTP/2 cleartext with prior knowledge (h2c), told
 * apart by the connection preface: the SDKs send unary calls over HTTP/1.1 and S2S sessions over
 * h2c to the same endpoint. Port 0 picks a free port.
 */
export async function listen(
  fetch: (request: Request, env: never) => Response | Promise<Response>,
  host: string,
  port: number,
  limits: ConnectionLimits,
): Promise<Listener> {
  const adapter = getRequestListener((request, env) => fetch(request, env as never), {
    // What the adapter still cannot turn into a request (an absolute URL it refuses) is the client's fault.
    errorHandler: (error) =>
      error instanceof RequestError
        ? json(400, { code: 'bad_path', message: `Invalid URL: ${error.message}` })
        : json(500, { code: 'other', message: 'internal error in s2-emulator' }),
  })
  const idleMs = limits.idleTimeoutMs
  const handler = (incoming: IncomingMessage | Http2ServerRequest, outgoing: ServerResponse | Http2ServerResponse): void => {
    normalizeRequestTarget(incoming)
    timeRequest(incoming, outgoing, idleMs)
    if ('stream' in incoming) {
      // A stream the client reset (the SDK closes a read session with RST_STREAM NO_ERROR) waits
      // to be destroyed until its request body is read, which nothing does for a GET: the response
      // would go on (heartbeats) and the connection could never close. End it here.
      const stream = incoming.stream
      stream.once('aborted', () => stream.destroy())
    }
    // Node's HTTP/1.1 parser reads nothing after a request asking to upgrade (which the emulator
    // answers as a plain request), so a following request would wait unanswered until the
    // keep-alive timeout: end the connection with this response instead.
    if (!('stream' in incoming) && incoming.headers.upgrade !== undefined) outgoing.setHeader('connection', 'close')
    void adapter(incoming as IncomingMessage, outgoing as ServerResponse)
  }
  // No request timeout: an S2S append session over HTTP/1.1 is one request that lasts as long as
  // the client wants. Silence is timed per socket instead (timeRequest).
  const http1 = createHttp1Server({ requestTimeout: 0, requireHostHeader: false, keepAliveTimeout: Math.min(5000, idleMs) }, handler)
  http1.on('clientError', (error: Error, socket: Socket) => {
    if (!answerUnknownMethod(error, socket, (request) => fetch(request, undefined as never))) answerParseError(error, socket)
  })
  const http2 = createHttp2Server({ settings: H2_SETTINGS }, handler)
  const sockets = new Set<Socket>()
  const sessions = new Set<Http2Session>()
  http2.on('session', (session: Http2Session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    closeWhenIdle(session, idleMs)
  })

  const tcp = createTcpServer((socket) => {
    // Small frames (acks, heartbeats) must not wait on Nagle and the peer's delayed ACK.
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    // Until it is known which protocol the connection speaks, silence closes it.
    const silent = (): void => void socket.destroy()
    socket.setTimeout(idleMs)
    socket.once('timeout', silent)
    let seen: Buffer = Buffer.alloc(0)
    const sniff = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
      const n = Math.min(seen.length, H2_PREFACE.length)
      const isH2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n))
      if (isH2 && seen.length < H2_PREFACE.length) return // a prefix of the preface so far: wait for more
      socket.off('data', sniff)
      socket.off('timeout', silent)
      socket.pause()
      if (isH2) {
        socket.setTimeout(0) // HTTP/2 connections close when no request has been open for a while
        // node:http2 reads the socket natively from here on; the bytes sniffed are put back, and
        // it feeds what is buffered to the session first (before any new read can arrive).
        socket.unshift(seen)
        http2.emit('connection', socket)
      } else {
        socket.unshift(seen)
        http1.emit('connection', socket)
        // The socket keeps its timeout; the HTTP/1.1 server now destroys it if a head stops coming.
        socket.setTimeout(idleMs)
        socket.resume()
      }
    }
    socket.on('data', sniff)
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      tcp.off('listening', onListening)
      reject(
        error.code === 'EADDRINUSE'
          ? new S2EmulatorError(
              'S2EMU_PORT_IN_USE',
              `port ${port} on ${host} is already in use: stop what holds it, or pass port 0 to pick a free one`,
              { cause: error },
            )
          : new S2EmulatorError('S2EMU_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
      )
    }
    const onListening = (): void => {
      tcp.off('error', onError)
      resolve()
    }
    tcp.once('error', onError)
    tcp.once('listening', onListening)
    tcp.maxConnections = limits.maxConnections
    tcp.listen(port, host)
  })

  const address = tcp.address() as AddressInfo
  let closing: Promise<void> | null = null
  return {
    host,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        tcp.close(() => resolve())
        for (const session of sessions) session.destroy()
        for (const socket of sockets) socket.destroy()
        http1.closeAllConnections()
      })
      return closing
    },
  }
}
