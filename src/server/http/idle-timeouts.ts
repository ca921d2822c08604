import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse, Http2Session, ServerHttp2Stream } from 'node:http2'
import { abortError } from './connection.ts'

/**
 * Silence that closes connections: a client that opens a connection and never completes a
 * request (or keeps an HTTP/2 connection with nothing open) must not hold a file descriptor for
 * ever, as s2-lite's server (hyper) does not let it. Sessions and requests being answered are
 * never cut: they may be silent for as long as the client likes.
 */

export interface ConnectionLimits {
  /**
   * How long a connection may stay silent while its request is incomplete (nothing sent yet, part
   * of the HTTP/2 preface, of a request's head or of its body), or while an HTTP/2 connection has
   * no request open, before it is closed. Sessions and requests being answered are never cut.
   */
  readonly idleTimeoutMs: number
  /** Connections open at once; more are closed as soon as they are accepted. */
  readonly maxConnections: number
}

/**
 * Closes the connection of a unary request whose head or body stops coming for `idleMs` (on
 * HTTP/2, resets the request's stream). S2S sessions (`Content-Type: s2s/proto`) are exempt: an
 * append session's body is its inputs, which may pause for as long as the client likes. Once the
 * request has fully arrived, silence is the emulator's (a read waiting for records) and is never cut.
 */
export function timeRequest(incoming: IncomingMessage | Http2ServerRequest, outgoing: ServerResponse | Http2ServerResponse, idleMs: number): void {
  const session = incoming.headers['content-type']?.toLowerCase().startsWith('s2s/proto') === true
  if ('stream' in incoming) {
    const stream = incoming.stream
    if (session || stream.endAfterHeaders) return
    stream.setTimeout(idleMs, () => {
      // remoteClose: the client has sent the whole request (END_STREAM).
      if (!stream.destroyed && stream.state.remoteClose !== 1) void abortError.then((error) => stream.destroy(error as Error))
    })
    return
  }
  // Node's HTTP/1.1 server destroys a socket that times out unless the response handles the event;
  // it also replaces the socket's timeout between requests (keep-alive), so each request sets it again.
  const socket = incoming.socket
  socket.setTimeout(idleMs)
  outgoing.on('timeout', () => {
    if (!session && !incoming.complete) socket.destroy()
  })
}

/** Closes an HTTP/2 connection once it has had no request open for `idleMs`. */
export function closeWhenIdle(session: Http2Session, idleMs: number): void {
  let open = 0
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    timer = setTimeout(() => session.close(), idleMs)
    timer.unref()
  }
  session.on('stream', (stream: ServerHttp2Stream) => {
    open++
    clearTimeout(timer)
    stream.once('close', () => {
      if (--open === 0 && !session.closed) arm()
    })
  })
  session.once('close', () => clearTimeout(timer))
  arm()
}

