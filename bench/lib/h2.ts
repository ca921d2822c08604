/** HTTP/2 cleartext (prior knowledge) sessions, as the SDK opens them for S2S. */
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2'
import { FLAG_TERMINAL, FrameWalker } from './wire.ts'

const WINDOW = 10 * 1024 * 1024

/** Connects like the SDK's pool does: 10 MiB stream and connection windows. */
export function h2connect(baseUrl: string): Promise<ClientHttp2Session> {
  if (new URL(baseUrl).hostname !== '127.0.0.1') throw new Error(`benchmarks run on loopback only, not ${baseUrl}`)
  return new Promise((resolve, reject) => {
    const session = connect(baseUrl, { settings: { initialWindowSize: WINDOW } })
    session.once('connect', () => {
      session.setLocalWindowSize(WINDOW)
      session.off('error', reject)
      session.on('error', () => {})
      resolve(session)
    })
    session.once('error', reject)
  })
}

export function closeSession(session: ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) return resolve()
    session.close(() => resolve())
    setTimeout(() => {
      session.destroy()
      resolve()
    }, 1000).unref()
  })
}

function responseStatus(stream: ClientHttp2Stream): Promise<number> {
  return new Promise((resolve, reject) => {
    stream.once('response', (headers) => resolve(Number(headers[':status'])))
    stream.once('error', reject)
  })
}

/**
 * An S2S append session: writes `next()` frames (null: no more) keeping up to `window` un-acked,
 * until `next` returns null, then half-closes and waits for the end. Returns acks and elapsed ms.
 */
export async function s2sAppendSession(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  window: number,
  next: () => Buffer | null,
): Promise<{ acks: number; elapsedMs: number }> {
  const start = performance.now()
  const stream = session.request({ ':method': 'POST', 'content-type': 's2s/proto', accept: 'application/protobuf', ...headers })
  const status = responseStatus(stream)
  let acks = 0
  let sent = 0
  let done = false
  let failure: Error | null = null
  const walker = new FrameWalker((flag) => {
    if ((flag & FLAG_TERMINAL) !== 0) failure ??= new Error('S2S append session ended with a terminal frame')
    else acks++
    pump()
  })
  const pump = (): void => {
    while (!done && sent - acks < window) {
      const bytes = next()
      if (bytes === null) {
        done = true
        break
      }
      stream.write(bytes)
      sent++
    }
    if (done && acks === sent && !stream.writableEnded) stream.end()
  }
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => walker.push(chunk))
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  pump()
  const code = await status
  if (code !== 200) throw new Error(`S2S append session answered ${code}`)
  await ended
  if (failure) throw failure
  if (acks !== sent) throw new Error(`S2S append session ended with ${sent - acks} inputs un-acked`)
  return { acks, elapsedMs: performance.now() - start }
}

/** A GET whose response body is counted (S2S reads over h2); returns status, bytes and elapsed ms. */
export async function h2CountedGet(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
): Promise<{ status: number; bytes: number; frames: number; terminal: boolean; elapsedMs: number }> {
  const start = performance.now()
  const stream = session.request({ ':method': 'GET', ...headers })
  stream.end()
  const status = responseStatus(stream)
  let bytes = 0
  let terminal = false
  const walker = new FrameWalker((flag) => {
    if ((flag & FLAG_TERMINAL) !== 0) terminal = true
  })
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      walker.push(chunk)
    })
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  return { status: await status, bytes, frames: walker.frames, terminal, elapsedMs: performance.now() - start }
}

/** The whole body of a GET over h2 (to capture what a read sends). */
export async function h2Get(session: ClientHttp2Session, headers: OutgoingHttpHeaders): Promise<{ status: number; body: Buffer }> {
  const stream = session.request({ ':method': 'GET', ...headers })
  stream.end()
  const status = responseStatus(stream)
  const chunks: Buffer[] = []
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  return { status: await status, body: Buffer.concat(chunks) }
}

/**
 * A follower: an S2S read session left open. `onData` is called when a data frame (a ReadBatch
 * with records) completes; heartbeats (a ReadBatch with only a tail) call `onHeartbeat`.
 */
export function follow(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  onData: () => void,
  onHeartbeat: () => void,
): { stream: ClientHttp2Stream; status: Promise<number> } {
  const stream = session.request({ ':method': 'GET', 'content-type': 's2s/proto', accept: 'application/protobuf', ...headers })
  stream.end()
  const status = responseStatus(stream)
  status.catch(() => {})
  stream.on('error', () => {})
  // ReadBatch: field 1 (records) is tag 0x0a; a heartbeat holds only field 2 (tail), tag 0x12.
  const walker = new FrameWalker((flag, first) => {
    if ((flag & FLAG_TERMINAL) !== 0) return
    if (first === 0x0a) onData()
    else onHeartbeat()
  })
  stream.on('data', (chunk: Buffer) => walker.push(chunk))
  return { stream, status }
}
