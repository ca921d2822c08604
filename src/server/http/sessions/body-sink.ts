import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

/** Where a session writes its response body. */
export interface BodySink {
  /**
   * Sends bytes; when it returns a promise, the client should catch up before more are written.
   * `sent` runs once the bytes were handed on and their buffer may be used again; where that
   * cannot be known (a web stream), never.
   */
  write(bytes: Uint8Array, sent?: () => void): Promise<void> | undefined
  /** Ends the body. */
  end(): void
  /** `fn` runs once if the client goes away before the body ended. */
  onClose(fn: () => void): void
}

/** A session's body, written once it starts (its response head is out by then). */
export type SessionBody = (sink: BodySink) => void

/**
 * Writes straight to the node response, waiting for 'drain' when its buffer is full: a session's
 * events pay for no web stream on their way out.
 */
export function nodeSink(response: ServerResponse | Http2ServerResponse): BodySink & { readonly finished: Promise<void> } {
  // Both are Writables with the same write(); TypeScript cannot call the union's overloads.
  const outgoing = response as ServerResponse
  let ended = false
  let closed = false
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  outgoing.once('close', () => {
    closed = true
    finish()
  })
  return {
    finished,
    write(bytes, sent) {
      if (ended || closed || outgoing.destroyed) return undefined
      // Node calls back with an error too when the write failed: the bytes are not read after that either.
      if (sent === undefined ? outgoing.write(bytes) : outgoing.write(bytes, () => sent())) return undefined
      return new Promise<void>((resolve) => {
        const done = (): void => {
          outgoing.off('drain', done)
          outgoing.off('close', done)
          resolve()
        }
        outgoing.on('drain', done)
        outgoing.on('close', done)
      })
    },
    end() {
      if (ended) return
      ended = true
      if (!closed) outgoing.end()
      finish()
    },
    onClose(fn) {
      outgoing.once('close', () => {
        if (!ended) fn()
      })
    },
  }
}

/**
 * A sink whose client is already gone: the answer to a HEAD request has no body, so the session
 * behind it is closed at once instead of following the stream for nobody.
 */
export function closedSink(): BodySink {
  return {
    write: () => undefined,
    end: () => {},
    onClose: (fn) => fn(),
  }
}

/**
 * The same body as a web stream, pulled as the reader reads (a throttled session, or a request
 * served without a node response).
 */
export function streamOf(body: SessionBody): ReadableStream<Uint8Array> {
  let wanted: (() => void) | null = null
  let cancelled: (() => void) | null = null
  let open = true
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body({
          write(bytes) {
            if (!open) return undefined
            try {
              controller.enqueue(bytes)
            } catch {
              return undefined // the reader went away; onClose follows
            }
            if ((controller.desiredSize ?? 0) > 0) return undefined
            return new Promise<void>((resolve) => (wanted = resolve))
          },
          end() {
            if (!open) return
            open = false
            try {
              controller.close()
            } catch {
              // The reader went away first.
            }
          },
          onClose(fn) {
            cancelled = fn
          },
        })
      },
      pull() {
        const resume = wanted
        wanted = null
        resume?.()
      },
      cancel() {
        if (!open) return
        open = false
        wanted?.()
        cancelled?.()
      },
    },
    { highWaterMark: 0 },
  )
}
