/** The process of read-client.ts: answers each `{id, request}` with `{id, result}` or `{id, error}`. */
import type { ClientHttp2Session } from 'node:http2'
import { closeSession, h2connect, h2CountedGet } from './h2.ts'
import { HttpClient } from './http1.ts'
import type { ReadRequest, ReadResult } from './read-client.ts'

const http = new Map<string, HttpClient>()
const sessions = new Map<string, ClientHttp2Session>()

/**
 * Reads until `forMs` of reading has passed (at least once). A status other than 200, or a read of
 * other bytes than the first, stops it: then `bytes` is not `reads` times what one read should get.
 */
async function read(request: ReadRequest): Promise<ReadResult> {
  let reads = 0
  let bytes = 0
  let elapsedMs = 0
  let first = -1
  for (;;) {
    const one = await readOnce(request)
    reads++
    bytes += one.bytes
    elapsedMs += one.elapsedMs
    if (one.status !== 200) return { status: one.status, reads, bytes, elapsedMs }
    if (first === -1) first = one.bytes
    else if (one.bytes !== first) return { status: 200, reads, bytes, elapsedMs }
    if (elapsedMs >= (request.forMs ?? 0)) return { status: 200, reads, bytes, elapsedMs }
  }
}

async function readOnce(request: ReadRequest): Promise<{ status: number; bytes: number; elapsedMs: number }> {
  if (request.kind === 'sse') {
    let client = http.get(request.url)
    if (client === undefined) http.set(request.url, (client = new HttpClient(request.url)))
    const start = performance.now()
    const { status, bytes } = await client.counted('GET', request.path, { headers: request.headers })
    return { status, bytes, elapsedMs: performance.now() - start }
  }
  let session = sessions.get(request.url)
  // A session idle through the append runs may have been closed by the server (its idle timeout).
  if (session === undefined || session.closed || session.destroyed) sessions.set(request.url, (session = await h2connect(request.url)))
  const { status, bytes, elapsedMs } = await h2CountedGet(session, request.headers)
  return { status, bytes, elapsedMs }
}

process.on('message', (message: { id: number; request: ReadRequest }) => {
  read(message.request).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  )
})
process.on('disconnect', () => {
  for (const client of http.values()) client.close()
  void Promise.all([...sessions.values()].map(closeSession)).then(() => process.exit(0))
})
process.send?.('ready')
