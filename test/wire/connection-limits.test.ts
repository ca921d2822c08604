import { connect as h2connect } from 'node:http2'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from '../../src/index.ts'
import { useEmulator } from '../support/emulator.ts'
import { RawConnection, requestText } from '../support/raw-http.ts'
import { sessionClosed } from '../support/fault-wire.ts'
import { appendInputFrame, expectAck, H2Client, openExchange, s2sAppendInit, sseReadInit, TRANSPORTS } from '../support/wire.ts'

/**
 * Connections that never complete a request are closed after `idleTimeoutMs` of silence (here
 * 300 ms), whatever stage they stopped at; sessions, which legitimately sit quiet for long, and
 * requests the emulator is still answering (a read waiting for records) are never cut; and the
 * number of open connections is capped by `maxConnections`.
 */

const IDLE_MS = 300
const t = useEmulator({ idleTimeoutMs: IDLE_MS, heartbeatMs: 3_600_000 })
let basin = ''
let stream = ''
beforeAll(async () => {
  ;({ basin, stream } = await t.stream())
})

/** Opens a raw connection, writes `bytes`, and resolves with how long the server took to close it. */
async function closedAfter(bytes: string): Promise<number> {
  const connection = await RawConnection.open(t.url)
  const started = performance.now()
  if (bytes !== '') await connection.write(bytes)
  await connection.closed
  return performance.now() - started
}

describe('connections that never complete a request are closed', () => {
  it.each([
    ['nothing sent', ''],
    ['part of the HTTP/2 preface', 'PRI * HTTP/2.0\r\n'],
    ['an unfinished request line', 'GET /v1/bas'],
    ['unfinished headers', 'GET /v1/basins HTTP/1.1\r\nHost: x\r\n'],
    ['an unfinished body', requestText('POST /v1/basins HTTP/1.1', ['Host: x', 'Content-Type: application/json', 'Content-Length: 100']) + '{"basin":'],
  ])('%s: closed after the idle timeout', async (_, bytes) => {
    expect(await closedAfter(bytes)).toBeGreaterThanOrEqual(IDLE_MS - 5)
  })

  it('an HTTP/2 connection with no request open: closed after the idle timeout', async () => {
    const session = h2connect(t.url)
    session.on('error', () => {})
    const started = performance.now()
    await new Promise((resolve) => session.once('connect', resolve))
    await sessionClosed(session)
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 5)
  })

  it('an HTTP/2 request whose body stops coming: reset after the idle timeout, the connection left open', async () => {
    const client = await H2Client.connect(t.url)
    try {
      const x = client.exchange({ method: 'POST', path: '/v1/basins', headers: { 'content-type': 'application/json' }, endRequest: false })
      await x.write(Buffer.from('{"basin":'))
      expect(await x.body.finished()).toBe('end')
      expect(await x.rstCode).toBe(8)
      expect((await client.unary({ method: 'GET', path: '/health' })).status).toBe(200)
    } finally {
      client.destroy()
    }
  })
})

describe('what is never cut', () => {
  for (const transport of TRANSPORTS) {
    it(`an S2S append session over ${transport} idle for 3 idle timeouts carries on`, async () => {
      const client = await H2Client.connect(t.url)
      try {
        const x = openExchange(transport, t.url, client, s2sAppendInit(basin, stream))
        await x.write(appendInputFrame(['before']))
        const first = await expectAck(x)
        await delay(3 * IDLE_MS)
        await x.write(appendInputFrame(['after']))
        expect((await expectAck(x)).start.seq_num).toBe(first.end.seq_num)
        x.end()
      } finally {
        client.destroy()
      }
    })

    it(`an SSE read session over ${transport} with no heartbeat due stays open past the idle timeout`, async () => {
      const client = await H2Client.connect(t.url)
      try {
        const x = openExchange(transport, t.url, client, sseReadInit(basin, stream, 'tail_offset=0'))
        expect((await x.head).status).toBe(200)
        await delay(3 * IDLE_MS)
        await t.raw('POST', `/v1/streams/${stream}/records`, { headers: { 's2-basin': basin }, body: { records: [{ body: 'late' }] } })
        let event = await x.nextEvent()
        while (event?.event === 'ping') event = await x.nextEvent()
        expect(event?.event).toBe('batch')
        x.abort()
      } finally {
        client.destroy()
      }
    })
  }

  it('a unary read waiting 1 s for records (longer than the idle timeout) is answered, over HTTP/1.1 and h2c', async () => {
    const res = await t.raw('GET', `/v1/streams/${stream}/records?tail_offset=0&wait=1`, { headers: { 's2-basin': basin } })
    expect(res).toMatchObject({ status: 200, json: { records: [] } })
    const client = await H2Client.connect(t.url)
    try {
      const h2 = await client.unary({ method: 'GET', path: `/v1/streams/${stream}/records?tail_offset=0&wait=1`, headers: { 's2-basin': basin } })
      expect(h2.status).toBe(200)
    } finally {
      client.destroy()
    }
  })
})

describe('maxConnections', () => {
  let capped: S2Emulator
  beforeAll(async () => {
    capped = await startS2Emulator({ maxConnections: 3 })
  })
  afterAll(() => capped.stop())

  it('closes connections beyond the cap at once and serves the others', async () => {
    const open = await Promise.all([0, 1, 2].map(() => RawConnection.open(capped.url)))
    try {
      await delay(50) // the server has accepted them
      const extra = await RawConnection.open(capped.url)
      await extra.closed
      await open[0]?.write(requestText('GET /health HTTP/1.1', ['Host: x']))
      expect((await open[0]?.response())?.status).toBe(200)
    } finally {
      for (const c of open) c.destroy()
    }
  })

  it('rejects a cap that is not a positive integer, and an idle timeout below 1 ms', async () => {
    await expect(startS2Emulator({ maxConnections: 0 })).rejects.toThrow(/maxConnections/)
    await expect(startS2Emulator({ idleTimeoutMs: 0 })).rejects.toThrow(/idleTimeoutMs/)
  })
})
