import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'

/** Where a session reads its request body from, a chunk at a time, as it is ready for more. */
export interface BodySource {
  /** The next chunk, or null at the end of the body; rejects when the body broke off (the client went away). */
  read(): Promise<Uint8Array | null>
  /** Stops reading: what the client still sends is left to the server to discard. */
  stop(): void
}

/**
 * Reads the node request itself: its chunks pay for no web stream on their way in, and a body
 * not read holds the client back through the connection's flow control.
 */
export function nodeSource(incoming: IncomingMessage | Http2ServerRequest): BodySource {
  // Both are Readables; TypeScript cannot call the union's overloads.
  const readable = incoming as IncomingMessage
  let wake: (() => void) | null = null
  let ended = false
  let broken = false
  const notify = (): void => {
    const resume = wake
    wake = null
    resume?.()
  }
  const onEnd = (): void => {
    ended = true
    notify()
  }
  const onBreak = (): void => {
    broken = true
    notify()
  }
  readable.on('readable', notify)
  readable.on('end', onEnd)
  readable.on('error', onBreak)
  readable.on('close', onBreak)
  return {
    async read() {
      for (;;) {
        const chunk = readable.read() as Buffer | null
        if (chunk !== null) return chunk
        if (ended || readable.readableEnded) return null
        if (broken || readable.destroyed) throw new Error('the request body broke off')
        await new Promise<void>((resolve) => (wake = resolve))
      }
    },
    stop() {
      readable.off('readable', notify)
      readable.off('end', onEnd)
      readable.off('error', onBreak)
      readable.off('close', onBreak)
      notify()
    },
  }
}

/** Reads a web-stream body (a request served in-process). */
export function webSource(body: ReadableStream<Uint8Array> | null): BodySource {
  const reader = body?.getReader()
  return {
    async read() {
      if (reader === undefined) return null
      const { done, value } = await reader.read()
      return done ? null : value
    },
    stop() {
      void reader?.cancel().catch(() => {})
    },
  }
}
