import type { HttpBindings } from '@hono/node-server'
import type { Http2ServerRequest } from 'node:http2'

/** Control over the connection a request came on, for faults that break it. */
export interface Connection {
  /** Drops the whole connection: the TCP socket (HTTP/1.1) or the HTTP/2 session. */
  drop(): void
  /** Resets only this request: RST_STREAM on HTTP/2; on HTTP/1.1 the connection is dropped. */
  resetStream(): void
}

/** The connection of a request served by @hono/node-server (HTTP/1.1 or HTTP/2 compat API). */
export function connectionOf(env: HttpBindings | undefined): Connection {
  const incoming = env?.incoming as HttpBindings['incoming'] | Http2ServerRequest | undefined
  if (incoming && 'stream' in incoming) {
    const stream = incoming.stream
    return {
      drop: () => stream.session?.destroy(),
      // On a half-closed stream, close(code) sends no RST; destroy with an error does.
      resetStream: () => stream.destroy(new Error('RST_STREAM injected by s2-emulator')),
    }
  }
  const socket = incoming?.socket
  const drop = (): void => {
    socket?.destroy()
  }
  return { drop, resetStream: drop }
}
