import { Agent } from 'node:http'
import { connect as h2connect, type Settings } from 'node:http2'
import { createConnection, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { appendJson, recordsPath } from '../support/append-helpers.ts'
import { basinName, useEmulator } from '../support/emulator.ts'
import {
  decodeAppendAck,
  decodeReadBatch,
  encodeAppendInput,
  frame,
  H2Client,
  http1Exchange,
  openSessions,
  payloadOf,
  waitForOpenSessions,
  type Exchange,
  type ExchangeInit,
  type Position,
  useH2Client,
} from '../support/wire.ts'

const t = useEmulator({ heartbeatMs: 50 })
const h2 = useH2Client(t)

async function expectServerWorks(basin: string, stream: string): Promise<void> {
  const res = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
  expect(res.status, res.text).toBe(200)
}

describe('one port, two protocols', () => {
  it('serves HTTP/1.1 and h2c (prior knowledge) on the same port', async () => {
    const http1 = await t.raw('GET', '/health')
    expect(http1.status).toBe(200)
    expect(http1.text).toBe('OK')
    const overH2 = await h2().unary({ method: 'GET', path: '/health' })
    expect(overH2.status).toBe(200)
    expect(overH2.text).toBe('OK')
  })

  it('serves unary API calls over h2c: create basin and stream, append, read, check tail', async () => {
    const basin = basinName()
    const created = await h2().unary({
      method: 'POST',
      path: '/v1/basins',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ basin }),
    })
    expect(created.status, created.text).toBe(201)
    const stream = await h2().unary({
      method: 'POST',
      path: '/v1/streams',
      headers: { 'content-type': 'application/json', 's2-basin': basin },
      body: JSON.stringify({ stream: 's' }),
    })
    expect(stream.status, stream.text).toBe(201)
    const append = await h2().unary({
      method: 'POST',
      path: recordsPath('s'),
      headers: { 'content-type': 'application/json', 's2-basin': basin },
      body: JSON.stringify({ records: [{ body: 'over-h2' }] }),
    })
    expect(append.status, append.text).toBe(200)
    expect(append.headers['content-type']).toBe('application/json')
    expect(JSON.parse(append.text)).toMatchObject({ end: { seq_num: 1 } })
    const read = await h2().unary({ method: 'GET', path: recordsPath('s', 'seq_num=0'), headers: { 's2-basin': basin } })
    expect(JSON.parse(read.text)).toMatchObject({ records: [{ seq_num: 0, body: 'over-h2' }] })
    const tail = await h2().unary({ method: 'GET', path: `${recordsPath('s')}/tail`, headers: { 's2-basin': basin } })
    expect(JSON.parse(tail.text)).toMatchObject({ tail: { seq_num: 1 } })
    const missing = await h2().unary({ method: 'GET', path: '/no/such/path' })
    expect(missing.status).toBe(404)
  })

  it('serves an HTTP/1.1 request whose first bytes ("P", like the h2 preface) arrive in separate packets', async () => {
    const basin = basinName()
    const body = JSON.stringify({ basin })
    const request =
      `POST /v1/basins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    const { port } = new URL(t.url)
    const socket = createConnection({ host: '127.0.0.1', port: Number(port), noDelay: true })
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    for (const piece of [request.slice(0, 1), request.slice(1, 2), request.slice(2)]) {
      await new Promise<void>((resolve) => socket.write(piece, () => resolve()))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await closed
    const response = Buffer.concat(chunks).toString('utf8')
    expect(response.startsWith('HTTP/1.1 201 ')).toBe(true)
    expect(response).toContain(`"name":"${basin}"`)
  })

  it('reuses a keep-alive HTTP/1.1 connection after an SSE read and after an S2S append session', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['a'])
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const sockets: Socket[] = []
      const track = (x: ReturnType<typeof http1Exchange>): void => void x.request.once('socket', (s: Socket) => sockets.push(s))

      const sse = http1Exchange(t.url, {
        method: 'GET',
        path: recordsPath(stream, 'seq_num=0&count=1'),
        headers: { 's2-basin': basin, accept: 'text/event-stream' },
        agent,
      })
      track(sse)
      expect(await sse.text()).toMatch(/data: \[DONE\]\n\n$/)

      const append = http1Exchange(t.url, {
        method: 'POST',
        path: recordsPath(stream),
        headers: { 's2-basin': basin, 'content-type': 's2s/proto' },
        endRequest: false,
        agent,
      })
      track(append)
      await append.write(frame(encodeAppendInput({ records: [{ body: 'b' }] })))
      const f = await append.nextFrame()
      expect(f && decodeAppendAck(payloadOf(f)).end.seq_num).toBe(2)
      append.end()
      expect(await append.nextFrame()).toBeNull()

      const tail = http1Exchange(t.url, { method: 'GET', path: `${recordsPath(stream)}/tail`, headers: { 's2-basin': basin }, agent })
      track(tail)
      expect(JSON.parse(await tail.text())).toMatchObject({ tail: { seq_num: 2 } })
      expect(sockets).toHaveLength(3)
      expect(new Set(sockets).size).toBe(1)
    } finally {
      agent.destroy()
    }
  })

  it('advertises at least 100 concurrent streams per h2 connection', async () => {
    const session = h2connect(t.url)
    try {
      const settings = await new Promise<Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve)
        session.once('error', reject)
      })
      // Absent means unlimited; when present it must let the SDK's pool put 100 streams on one connection.
      expect(settings.maxConcurrentStreams ?? Infinity).toBeGreaterThanOrEqual(100)
    } finally {
      session.destroy()
    }
  })
})

describe('many streams on one h2 connection', () => {
  it('answers 150 concurrent check-tail requests on one connection', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['a', 'b'])
    const client = await H2Client.connect(t.url)
    try {
      const responses = await Promise.all(
        Array.from({ length: 150 }, () =>
          client.unary({ method: 'GET', path: `${recordsPath(stream)}/tail`, headers: { 's2-basin': basin } }),
        ),
      )
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 150 }, () => 200))
      for (const r of responses) expect((JSON.parse(r.text) as { tail: Position }).tail.seq_num).toBe(2)
    } finally {
      await client.close()
    }
  })

  it('serves 150 concurrent S2S read sessions on one connection, delivers a live batch to each, and frees them all when the connection drops', async () => {
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    const { basin, stream } = await t.stream()
    const client = await H2Client.connect(t.url)
    const sessions: Exchange[] = Array.from({ length: 150 }, () =>
      client.exchange({ method: 'GET', path: recordsPath(stream), headers: { 's2-basin': basin, 'content-type': 's2s/proto' } }),
    )
    for (const x of sessions) {
      expect((await x.head).status).toBe(200)
      const f = await x.nextFrame()
      expect(f && decodeReadBatch(payloadOf(f))).toEqual({ records: [], tail: { seq_num: 0, timestamp: 0 } })
    }
    expect((await openSessions(t.url)).byKey.get('read/s2s')).toBe(150)

    await appendJson(t, basin, stream, ['live'])
    for (const x of sessions) {
      for (;;) {
        const f = await x.nextFrame()
        if (f === null) throw new Error('session ended early')
        const batch = decodeReadBatch(payloadOf(f))
        if (batch.records.length === 0) continue
        expect(batch.records.map((r) => r.body)).toEqual(['live'])
        break
      }
    }

    client.destroy()
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    await expectServerWorks(basin, stream)
  })
})

type Kind = 's2s-read' | 's2s-append' | 'sse-read'
type Disconnect = 'h2 stream reset' | 'h2 session destroyed' | 'HTTP/1.1 socket destroyed'

const METRIC_KEY: Record<Kind, string> = { 's2s-read': 'read/s2s', 's2s-append': 'append/s2s', 'sse-read': 'read/sse' }

describe('clients that disconnect mid-session', () => {
  for (const kind of ['s2s-read', 's2s-append', 'sse-read'] as const) {
    for (const how of ['h2 stream reset', 'h2 session destroyed', 'HTTP/1.1 socket destroyed'] as const) {
      it(`${kind}: after a ${how}, s2_emulator_open_sessions returns to 0 and the server keeps working`, async () => {
        await disconnectCase(kind, how)
      })
    }
  }

  async function disconnectCase(kind: Kind, how: Disconnect): Promise<void> {
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['existing'])
    const client = how === 'HTTP/1.1 socket destroyed' ? null : await H2Client.connect(t.url)
    const init: ExchangeInit = {
      method: kind === 's2s-append' ? 'POST' : 'GET',
      path: recordsPath(stream, kind === 's2s-append' ? '' : 'seq_num=0'),
      headers: {
        's2-basin': basin,
        ...(kind === 'sse-read' ? { accept: 'text/event-stream' } : { 'content-type': 's2s/proto' }),
      },
      endRequest: kind !== 's2s-append',
    }
    const x = client ? client.exchange(init) : http1Exchange(t.url, init)
    expect((await x.head).status).toBe(200)

    // Wait until the session is really running.
    if (kind === 's2s-append') {
      await x.write(frame(encodeAppendInput({ records: [{ body: 'in-session' }] })))
      const f = await x.nextFrame()
      expect(f && decodeAppendAck(payloadOf(f)).end.seq_num).toBe(2)
      // Half a frame more, so the server is in the middle of reading one.
      await x.write(frame(encodeAppendInput({ records: [{ body: 'cut' }] })).subarray(0, 3))
    } else if (kind === 's2s-read') {
      const catchUp = await x.nextFrame()
      expect(catchUp && decodeReadBatch(payloadOf(catchUp)).records.map((r) => r.body)).toEqual(['existing'])
      const heartbeat = await x.nextFrame()
      expect(heartbeat && decodeReadBatch(payloadOf(heartbeat)).tail).toEqual(expect.objectContaining({ seq_num: 1 }))
    } else {
      expect((await x.nextEvent())?.event).toBe('batch')
      expect((await x.nextEvent())?.event).toBe('ping')
    }
    expect((await openSessions(t.url)).byKey.get(METRIC_KEY[kind])).toBe(1)

    if (how === 'h2 session destroyed') client?.destroy()
    else x.abort()

    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    client?.destroy()
    await expectServerWorks(basin, stream)
    // The half-sent input of an abandoned append session is not applied.
    const tail = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
    expect((tail.json as { tail: Position }).tail.seq_num).toBe(kind === 's2s-append' ? 2 : 1)

    // A new session of the same kind works.
    const again = http1Exchange(t.url, { ...init, path: recordsPath(stream, kind === 's2s-append' ? '' : 'seq_num=0&count=1') })
    expect((await again.head).status).toBe(200)
    if (kind === 's2s-append') {
      await again.write(frame(encodeAppendInput({ records: [{ body: 'after' }] })))
      const f = await again.nextFrame()
      expect(f && decodeAppendAck(payloadOf(f)).start.seq_num).toBe(2)
      again.end()
      expect(await again.nextFrame()).toBeNull()
    } else if (kind === 's2s-read') {
      expect(await again.remainingFrames()).toHaveLength(1)
    } else {
      expect(await again.text()).toMatch(/^event: batch\nid: 0,1,16\n.*\n\ndata: \[DONE\]\n\n$/)
    }
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
  }

  it('idle S2S append sessions reset by the client on a shared h2 connection all close', async () => {
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    const { basin, stream } = await t.stream()
    const client = await H2Client.connect(t.url)
    const xs = Array.from({ length: 10 }, () =>
      client.exchange({
        method: 'POST',
        path: recordsPath(stream),
        headers: { 's2-basin': basin, 'content-type': 's2s/proto' },
        endRequest: false,
      }),
    )
    for (const x of xs) expect((await x.head).status).toBe(200)
    expect((await openSessions(t.url)).byKey.get('append/s2s')).toBe(10)
    for (const x of xs) x.abort()
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    await client.close()
  })
})

describe('HEAD on a read session', () => {
  // axum answers HEAD with the GET handler's head and drops the body; the session behind it must go too.
  for (const kind of ['sse-read', 's2s-read'] as const) {
    it(`${kind}: answers the session's head with no body, and closes the session (HTTP/1.1 and h2c)`, async () => {
      expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, ['existing'])
      const headers = { 's2-basin': basin, ...(kind === 'sse-read' ? { accept: 'text/event-stream' } : { 'content-type': 's2s/proto' }) }
      const head = await t.raw('HEAD', recordsPath(stream, 'seq_num=0'), { headers })
      expect(head.status).toBe(200)
      expect(head.headers['content-type']).toBe(kind === 'sse-read' ? 'text/event-stream' : 's2s/proto')
      expect(head.body.length).toBe(0)
      const client = await H2Client.connect(t.url)
      try {
        const x = client.exchange({ method: 'HEAD', path: recordsPath(stream, 'seq_num=0'), headers, endRequest: true })
        expect((await x.head).status).toBe(200)
        expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
        // A missing stream is the GET's 404, head only.
        const missing = await t.raw('HEAD', recordsPath('no-such-stream', 'seq_num=0'), { headers })
        expect(missing.status).toBe(404)
      } finally {
        client.destroy()
      }
      await expectServerWorks(basin, stream)
    })
  }
})
