import type { HttpBindings } from '@hono/node-server'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { setTimeout as wait } from 'node:timers/promises'

/** Control over the connection a request came on, for faults that break it. */
export interface Connection {
  /**
   * Drops the whole connection: the TCP socket (HTTP/1.1) or the HTTP/2 session. What was already
   * sent is flushed first, so a drop "after N records" really lets those N records through.
   */
  drop(): Promise<void>
  /**
   * Resets only this request, as a failing network path or proxy would: RST_STREAM CANCEL on HTTP/2
   * (other requests on the connection carry on, and clients retry it like a dropped connection);
   * on HTTP/1.1, which has one request at a time, the connection is dropped.
   */
  cancel(): Promise<void>
  /** Resets only this request with RST_STREAM INTERNAL_ERROR, which clients treat as fatal; on HTTP/1.1 the connection is dropped. */
  resetStream(): Promise<void>
}

/**
 * Node's own AbortError, which is not exported: destroying an HTTP/2 stream with it is the only way
 * to send RST_STREAM CANCEL on a stream whose client side has ended (`close(code)` then ends it
 * cleanly instead); any other error sends INTERNAL_ERROR.
 */
export const abortError: Promise<unknown> = wait(0, undefined, { signal: AbortSignal.abort() }).catch((error: unknown) => error)

interface Writable {
  readonly writableLength: number
  readonly destroyed: boolean
}

/** Waits (a bounded number of turns of the event loop) until every writer has handed its bytes on. */
async function flushed(writers: readonly (Writable | undefined)[]): Promise<void> {
  const busy = (): boolean => writers.some((w) => w !== undefined && !w.destroyed && w.writableLength > 0)
  for (let turn = 0; turn < 200 && busy(); turn++) await new Promise((resolve) => setImmediate(resolve))
  // One more turn lets HTTP/2 turn the last writes into frames on the socket.
  await new Promise((resolve) => setImmediate(resolve))
}

/** The connection of a request served by @hono/node-server (HTTP/1.1 or HTTP/2 compat API). */
export function connectionOf(env: HttpBindings | undefined): Connection {
  const incoming = env?.incoming as HttpBindings['incoming'] | Http2ServerRequest | undefined
  const outgoing = env?.outgoing as HttpBindings['outgoing'] | Http2ServerResponse | undefined
  if (incoming && 'stream' in incoming) {
    const stream = incoming.stream
    const writers = (): (Writable | undefined)[] => [outgoing, stream, stream.session?.socket]
    return {
      drop: async () => {
        await flushed(writers())
        stream.session?.destroy()
      },
      cancel: async () => {
        await flushed(writers())
        stream.destroy((await abortError) as Error)
      },
      // On a half-closed stream, close(code) sends no RST; destroy with an error does.
      resetStream: async () => {
        await flushed(writers())
        stream.destroy(new Error('RST_STREAM injected by s2-emulator'))
      },
    }
  }
  const socket = incoming?.socket
  const drop = async (): Promise<void> => {
    await flushed([outgoing, socket ?? undefined])
    socket?.destroy()
  }
  return { drop, cancel: drop, resetStream: drop }
}

/** What identifies the connection a request came on (its socket, or its HTTP/2 session); undefined in-process. */
export function connectionKey(env: HttpBindings | undefined): object | undefined {
  const incoming = env?.incoming as HttpBindings['incoming'] | Http2ServerRequest | undefined
  if (incoming === undefined) return undefined
  if ('stream' in incoming) return incoming.stream.session ?? undefined
  return incoming.socket ?? undefined
}
