import { createServer, type Server } from 'node:http'
import { createServer as createH2Server, type Http2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReadClient, type ReadClient, type ReadRequest } from '../bench/lib/read-client.ts'
import { frame } from '../bench/lib/wire.ts'

/** What the servers answer (after `failAfter` requests, a 503 instead). */
const BODY = Buffer.alloc(64 * 1024, 0x61)
const FRAMES = Buffer.concat([frame(Buffer.alloc(40_000, 1)), frame(Buffer.alloc(24_000, 2))])

describe("the bench's read client (bench/lib/read-client.ts)", () => {
  let client: ReadClient
  let http: Server
  let h2: Http2Server
  let served = 0
  let failAfter = Infinity
  /** After this many requests, the HTTP/1.1 server answers 10 bytes instead of BODY. */
  let shortAfter = Infinity
  const url = (server: Server | Http2Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  beforeAll(async () => {
    http = createServer((_req, res) => {
      served++
      if (served > failAfter) res.writeHead(503).end()
      else res.writeHead(200, { 'content-type': 'text/event-stream' }).end(served > shortAfter ? BODY.subarray(0, 10) : BODY)
    })
    h2 = createH2Server((_req, res) => {
      served++
      if (served > failAfter) res.writeHead(503).end()
      else res.writeHead(200, { 'content-type': 's2s/proto' }).end(FRAMES)
    })
    await Promise.all([new Promise<void>((r) => http.listen(0, '127.0.0.1', r)), new Promise<void>((r) => h2.listen(0, '127.0.0.1', r))])
    client = await startReadClient()
  })
  afterAll(async () => {
    await client.close()
    await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => h2.close(r))])
  })

  it('reads once without forMs, and again and again until forMs of reading has passed with it', async () => {
    const requests: ReadRequest[] = [
      { kind: 'sse', url: url(http), path: '/read', headers: {} },
      { kind: 's2s', url: url(h2), headers: { ':path': '/read' } },
    ]
    for (const request of requests) {
      const size = request.kind === 'sse' ? BODY.length : FRAMES.length
      served = 0
      failAfter = Infinity
      const once = await client.read(request)
      expect(once).toMatchObject({ status: 200, reads: 1, bytes: size })
      expect(served).toBe(1)

      served = 0
      const repeated = await client.read({ ...request, forMs: 60 })
      expect(repeated.status).toBe(200)
      expect(repeated.reads).toBeGreaterThan(1)
      expect(repeated.reads).toBe(served)
      expect(repeated.bytes).toBe(repeated.reads * size)
      expect(repeated.elapsedMs).toBeGreaterThanOrEqual(60)
    }
  })

  it('stops at a read that got other bytes than the first, so that the bytes are not reads times one read', async () => {
    served = 0
    failAfter = Infinity
    shortAfter = 2
    const result = await client.read({ kind: 'sse', url: url(http), path: '/read', headers: {}, forMs: 60_000 })
    shortAfter = Infinity
    expect(result).toMatchObject({ status: 200, reads: 3, bytes: 2 * BODY.length + 10 })
    expect(served).toBe(3)
  })

  it('stops at the first answer other than 200 and reports its status', async () => {
    served = 0
    failAfter = 3
    const result = await client.read({ kind: 'sse', url: url(http), path: '/read', headers: {}, forMs: 60_000 })
    expect(result).toMatchObject({ status: 503, reads: 4, bytes: 3 * BODY.length })
    expect(served).toBe(4)
  })
})
