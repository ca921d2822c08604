import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultRule, FaultRuleInput } from '../../src/index.ts'
import { appendJson, checkTail, recordsPath } from '../support/append-helpers.ts'
import { useEmulator, type RawResponse } from '../support/emulator.ts'
import { h2Get, parseSseBody, sessionClosed, sseRecords } from '../support/fault-wire.ts'
import {
  appendInputFrame as input,
  decodeReadBatch,
  expectAck,
  expectFrame as nextFrame,
  H2Client,
  openExchange,
  payloadOf,
  s2sAppendInit,
  s2sReadInit,
  sseReadInit,
  terminalOf,
  TRANSPORTS,
  useH2Client,
  waitForOpenSessions,
  type Exchange,
  type SseEvent,
  type Transport,
} from '../support/wire.ts'

/**
 * Each fault action as it shows on the wire: unary calls over HTTP/1.1 and h2c, SSE and S2S read
 * sessions, S2S append sessions; and which requests a rule matches. Every rule is confined to the
 * test's own basin, so tests never see each other's faults. Fault delays run on real time; the
 * elapsed times checked are lower bounds only.
 */

const t = useEmulator({ heartbeatMs: 50 })
const h2 = useH2Client(t)

afterEach(async () => {
  await t.emulator.faults.clear()
})

/** Timer slack: a timeout may fire a millisecond or so early by another clock's reading. */
const SLACK = 5

async function arm(rule: FaultRuleInput): Promise<string> {
  return (await t.emulator.faults.add(rule)).id
}
const ruleState = (id: string): Promise<FaultRule> => t.emulator.faults.get(id)

const tailOf = async (basin: string, stream: string): Promise<number> => (await checkTail(t, basin, stream)).seq_num

const appendRequest = (basin: string, stream: string, bodies: string[]): Promise<RawResponse> =>
  t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin }, body: { records: bodies.map((body) => ({ body })) } })

/** An SSE read session. */
const sseRead = (transport: Transport, basin: string, stream: string, query: string): Exchange =>
  openExchange(transport, t.url, h2(), sseReadInit(basin, stream, query))

/** An S2S read session. */
const s2sRead = (transport: Transport, basin: string, stream: string, query: string): Exchange =>
  openExchange(transport, t.url, h2(), s2sReadInit(basin, stream, query))

/** An S2S append session, request body left open. */
const s2sAppend = (transport: Transport, basin: string, stream: string, client: H2Client = h2()): Exchange =>
  openExchange(transport, t.url, client, s2sAppendInit(basin, stream))

/** The start and end seq_nums of the next frame, an ack. */
async function ackRange(x: Exchange): Promise<{ start: number; end: number }> {
  const ack = await expectAck(x)
  return { start: ack.start.seq_num, end: ack.end.seq_num }
}

/** The records of S2S ReadBatch frames until a terminal frame or the end; returns both. */
async function s2sFramesUntilEnd(x: Exchange): Promise<{ seqNums: number[]; terminal: { status: number; body: unknown } | null }> {
  const seqNums: number[] = []
  for (let f = await x.nextFrame(); f !== null; f = await x.nextFrame()) {
    if (f.terminal) {
      const terminal = terminalOf(f)
      expect(await x.nextFrame(), 'nothing after a terminal frame').toBeNull()
      return { seqNums, terminal: { status: terminal.status, body: terminal.body } }
    }
    seqNums.push(...decodeReadBatch(payloadOf(f)).records.map((r) => r.seq_num))
  }
  return { seqNums, terminal: null }
}

const bodies = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

describe('unary: error', () => {
  for (const transport of TRANSPORTS) {
    it(`over ${transport}: answers with the status, code, message and retry-after, and nothing is appended`, async () => {
      const { basin, stream } = await t.stream()
      const id = await arm({
        match: { basin, operation: 'append' },
        action: { type: 'error', status: 503, code: 'custom_busy', message: 'try later', retryAfter: 3 },
        times: 1,
      })
      const payload = JSON.stringify({ records: [{ body: 'x' }] })
      const headers = { 's2-basin': basin, 'content-type': 'application/json' }
      const res =
        transport === 'h2'
          ? await h2().unary({ method: 'POST', path: recordsPath(stream), headers, body: payload })
          : await t.raw('POST', recordsPath(stream), { headers, body: payload })
      expect(res.status).toBe(503)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.headers['retry-after']).toBe('3')
      expect(JSON.parse(res.body.toString('utf8'))).toEqual({ code: 'custom_busy', message: 'try later' })
      expect(await tailOf(basin, stream)).toBe(0)
      expect(await ruleState(id)).toMatchObject({ matched: 1, fired: 1 })
      // times: 1 -- the next append goes through.
      expect((await appendRequest(basin, stream, ['y'])).status).toBe(200)
      expect(await tailOf(basin, stream)).toBe(1)
    })
  }

  it('sends a custom body exactly as given, with no retry-after unless asked', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'error', status: 412, body: { seq_num_mismatch: 5 } } })
    const res = await appendRequest(basin, stream, ['x'])
    expect(res.status).toBe(412)
    expect(res.text).toBe('{"seq_num_mismatch":5}')
    expect(res.headers['retry-after']).toBeUndefined()
  })

  it.each([
    [503, 'unavailable'],
    [500, 'other'],
    [429, 'rate_limited'],
    [409, 'transaction_conflict'],
  ])('status %i without a code defaults to the code S2 uses for it: %s', async (status, code) => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'check_tail' }, action: { type: 'error', status } })
    const res = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
    expect(res.status).toBe(status)
    expect(res.json).toEqual({ code, message: expect.stringMatching(/\S/) })
  })
})

describe('unary: reset', () => {
  it('before, over HTTP/1.1: the socket is destroyed with no response, and nothing was appended', async () => {
    const { basin, stream } = await t.stream()
    const id = await arm({ match: { basin, operation: 'append' }, action: { type: 'reset' } })
    await expect(appendRequest(basin, stream, ['x'])).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(await ruleState(id)).toMatchObject({ fired: 1 })
    await t.emulator.faults.clear()
    expect(await tailOf(basin, stream)).toBe(0)
  })

  /** An h2c append of `bodies` on a connection of its own, which the rule may reset. */
  async function h2Append(client: H2Client, basin: string, stream: string, bodies: string[]): Promise<Exchange> {
    const x = client.exchange({ method: 'POST', path: recordsPath(stream), headers: { 's2-basin': basin, 'content-type': 'application/json' }, endRequest: false })
    await x.write(Buffer.from(JSON.stringify({ records: bodies.map((body) => ({ body })) })))
    x.end()
    return x
  }

  it('before, over h2c: only the request is reset (RST_STREAM CANCEL), the connection serves on, and nothing was appended', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'reset', when: 'before' } })
    const client = await H2Client.connect(t.url)
    try {
      const x = await h2Append(client, basin, stream, ['x'])
      await expect(x.head).rejects.toThrow(/closed before a response \(code 8\)/)
      expect(client.session.destroyed || client.session.closed).toBe(false)
      expect((await client.unary({ method: 'GET', path: `${recordsPath(stream)}/tail`, headers: { 's2-basin': basin } })).status).toBe(200)
    } finally {
      client.destroy()
    }
    expect(await tailOf(basin, stream)).toBe(0)
  })

  it('before, over h2c, with scope "connection": the whole connection is dropped, and nothing was appended', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'reset', when: 'before', scope: 'connection' } })
    const client = await H2Client.connect(t.url)
    try {
      const x = await h2Append(client, basin, stream, ['x'])
      await expect(x.head).rejects.toThrow(/closed before a response/)
      await sessionClosed(client.session)
      expect(client.session.destroyed || client.session.closed).toBe(true)
    } finally {
      client.destroy()
    }
    expect(await tailOf(basin, stream)).toBe(0)
  })

  it('after, over HTTP/1.1: the socket is destroyed with no response, but the append was committed', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'reset', when: 'after' } })
    await expect(appendRequest(basin, stream, ['a', 'b'])).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(await tailOf(basin, stream)).toBe(2)
  })

  it.each([
    [undefined, 'only the request is reset'],
    ['connection', 'the whole connection is dropped'],
  ] as const)('after, over h2c, with scope %s: %s with no response, but the append was committed', async (scope, _) => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'reset', when: 'after', ...(scope ? { scope } : {}) } })
    const client = await H2Client.connect(t.url)
    try {
      const x = await h2Append(client, basin, stream, ['a'])
      await expect(x.head).rejects.toThrow(/closed before a response/)
      if (scope === 'connection') await sessionClosed(client.session)
      else expect((await client.unary({ method: 'GET', path: '/health' })).status).toBe(200)
      expect(client.session.destroyed || client.session.closed).toBe(scope === 'connection')
    } finally {
      client.destroy()
    }
    expect(await tailOf(basin, stream)).toBe(1)
  })
})

describe('unary: latency, stall and throttle', () => {
  /** Starts an append and reports when it answered; polls the tail meanwhile. */
  async function appendWhileWatching(basin: string, stream: string) {
    let answered: number | null = null
    const started = performance.now()
    const pending = appendRequest(basin, stream, ['x']).then((res) => {
      answered = performance.now()
      return res
    })
    return { pending, started, answeredAt: () => answered }
  }

  it("latency 'before' delays the request before it is handled: the tail has not moved while it waits", async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'latency', ms: 300, when: 'before' } })
    const run = await appendWhileWatching(basin, stream)
    await delay(50)
    expect(await tailOf(basin, stream)).toBe(0)
    expect(run.answeredAt()).toBeNull()
    expect((await run.pending).status).toBe(200)
    expect((run.answeredAt() as number) - run.started).toBeGreaterThanOrEqual(300 - SLACK)
    expect(await tailOf(basin, stream)).toBe(1)
  })

  it("latency 'after' handles the request at once and delays only the response: the tail moves first", async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append' }, action: { type: 'latency', ms: 300, when: 'after' } })
    const run = await appendWhileWatching(basin, stream)
    while ((await tailOf(basin, stream)) === 0) await delay(5)
    const moved = performance.now()
    expect(run.answeredAt()).toBeNull()
    expect((await run.pending).status).toBe(200)
    expect((run.answeredAt() as number) - run.started).toBeGreaterThanOrEqual(300 - SLACK)
    // The response came well after the commit was visible (half the latency, leaving room for polling).
    expect((run.answeredAt() as number) - moved).toBeGreaterThanOrEqual(150)
  })

  it('latency [min, max] draws a delay within the range', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'check_tail' }, action: { type: 'latency', ms: [100, 150] } })
    const started = performance.now()
    expect(await tailOf(basin, stream)).toBe(0)
    expect(performance.now() - started).toBeGreaterThanOrEqual(100 - SLACK)
  })

  it('stall with ms holds a unary response back for that long, then answers normally', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['a', 'b'])
    await arm({ match: { basin, operation: 'check_tail' }, action: { type: 'stall', ms: 200 } })
    const started = performance.now()
    expect(await tailOf(basin, stream)).toBe(2)
    expect(performance.now() - started).toBeGreaterThanOrEqual(200 - SLACK)
  })

  it('stall without ms never answers; the client can give up and the connection stays usable', async () => {
    const { basin, stream } = await t.stream()
    const id = await arm({ match: { basin, operation: 'check_tail' }, action: { type: 'stall' }, times: 1 })
    const x = h2Get(h2(), `${recordsPath(stream)}/tail`, { 's2-basin': basin })
    const outcome = await Promise.race([x.head.then(() => 'answered', () => 'closed'), delay(150).then(() => 'waiting')])
    expect(outcome).toBe('waiting')
    x.abort()
    await x.closed
    expect(await ruleState(id)).toMatchObject({ fired: 1 })
    const res = await h2().unary({ method: 'GET', path: `${recordsPath(stream)}/tail`, headers: { 's2-basin': basin } })
    expect(res.status).toBe(200)
  })

  it('throttle slows a unary read to the given bandwidth and delivers the body intact', async () => {
    const { basin, stream } = await t.stream()
    const payload = range(5).map((i) => `${i}`.repeat(500))
    await appendJson(t, basin, stream, payload)
    const bytesPerSecond = 10_000
    await arm({ match: { basin, operation: 'read' }, action: { type: 'throttle', bytesPerSecond } })
    const started = performance.now()
    const res = await t.raw('GET', recordsPath(stream, 'seq_num=0&count=5'), { headers: { 's2-basin': basin } })
    const elapsed = performance.now() - started
    expect(res.status).toBe(200)
    expect((res.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual(payload)
    expect(res.body.length).toBeGreaterThan(2500)
    expect(elapsed).toBeGreaterThanOrEqual((res.body.length / bytesPerSecond) * 1000 - SLACK)
  })
})

describe('SSE read session', () => {
  it('error after {records: 2}: exactly 2 records, then an error event with the body, and no [DONE]', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
    const id = await arm({
      match: { basin, transport: 'sse' },
      action: { type: 'error', status: 503, code: 'unavailable', message: 'mid-session', after: { records: 2 } },
    })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=5')
    expect((await x.head).status).toBe(200)
    const { events, rest } = parseSseBody(await x.text())
    expect(rest).toBe('')
    expect(sseRecords(events).map((r) => r.seq_num)).toEqual([0, 1])
    const last = events.at(-1) as SseEvent
    expect(last.event).toBe('error')
    expect(JSON.parse(last.data)).toEqual({ code: 'unavailable', message: 'mid-session' })
    expect(events.filter((e) => e.event === 'error')).toHaveLength(1)
    expect(events.some((e) => e.data === '[DONE]')).toBe(false)
    expect(await ruleState(id)).toMatchObject({ matched: 1, fired: 1 })
  })

  it('error after a point sends a custom body as the error event data', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, bodies(3))
    await arm({ match: { basin }, action: { type: 'error', status: 416, body: { tail: { seq_num: 3, timestamp: 0 } }, after: { records: 1 } } })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=3')
    const { events } = parseSseBody(await x.text())
    expect(sseRecords(events).map((r) => r.seq_num)).toEqual([0])
    expect(events.at(-1)).toMatchObject({ event: 'error', data: '{"tail":{"seq_num":3,"timestamp":0}}' })
  })

  it('truncate clean after {records: 2}: the body ends after 2 records, with no [DONE] and no error event', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin }, action: { type: 'truncate', after: { records: 2 }, mode: 'clean' } })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=5')
    const { events, rest } = parseSseBody(await x.text())
    expect(rest).toBe('')
    expect(sseRecords(events).map((r) => r.seq_num)).toEqual([0, 1])
    expect(events.length).toBeGreaterThan(0)
    expect(events.every((e) => e.event === 'batch')).toBe(true)
  })

  it('truncate partial: the body ends in the middle of the next event', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin }, action: { type: 'truncate', after: { records: 2 }, mode: 'partial' } })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=5')
    const text = await x.text()
    const { events, rest } = parseSseBody(text)
    expect(sseRecords(events).map((r) => r.seq_num)).toEqual([0, 1])
    expect(events.every((e) => e.event === 'batch')).toBe(true)
    // What follows the last complete event is the start of another batch event, cut short.
    expect(rest.length).toBeGreaterThan(0)
    expect(rest.startsWith('event: batch\n') || 'event: batch\n'.startsWith(rest)).toBe(true)
    expect(rest).not.toContain('[DONE]')
  })

  it('truncate rst over h2c: the stream is reset (RST_STREAM), and the connection lives on', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin }, action: { type: 'truncate', after: { records: 2 }, mode: 'rst' } })
    const x = h2Get(h2(), recordsPath(stream, 'seq_num=0&count=5'), { 's2-basin': basin, accept: 'text/event-stream' })
    expect((await x.head).status).toBe(200)
    const rstCode = await x.closed
    expect(rstCode).not.toBe(0)
    expect(await x.body.finished()).toBe('error')
    const received = x.body.take(x.body.buffered).toString('utf8')
    expect(received).not.toContain('[DONE]')
    expect(received).not.toContain('event: error')
    expect(sseRecords(parseSseBody(received).events).length).toBeLessThanOrEqual(2)
    // Only the stream was reset: the same connection serves the next request.
    const res = await h2().unary({ method: 'GET', path: `${recordsPath(stream)}/tail`, headers: { 's2-basin': basin } })
    expect(res.status).toBe(200)
  })

  it('truncate rst over HTTP/1.1: the connection is closed mid-body', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin }, action: { type: 'truncate', after: { records: 2 }, mode: 'rst' } })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=5')
    expect((await x.head).status).toBe(200)
    expect(await x.body.finished()).toBe('error')
    const received = x.body.take(x.body.buffered).toString('utf8')
    expect(received).not.toContain('[DONE]')
  })

  it('truncate after {batches: 1}: exactly one batch, whole, then a clean end', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin }, action: { type: 'truncate', after: { batches: 1 } } })
    // A following read of an empty stream: each append arrives as its own live batch.
    const x = sseRead('h2', basin, stream, 'seq_num=0')
    expect((await x.nextEvent())?.event).toBe('ping')
    await appendJson(t, basin, stream, ['b0-0', 'b0-1', 'b0-2'])
    const events: SseEvent[] = []
    for (let e = await x.nextEvent(); e !== null; e = await x.nextEvent()) {
      events.push(e)
      // A second live batch, which must never arrive (without the fault it would end the loop).
      if (e.event === 'batch' && events.filter((b) => b.event === 'batch').length === 1) await appendJson(t, basin, stream, ['b1-0'])
      if (events.filter((b) => b.event === 'batch').length > 1) break
    }
    x.abort()
    const batches = events.filter((e) => e.event === 'batch')
    expect(batches).toHaveLength(1)
    expect(sseRecords(batches).map((r) => r.body)).toEqual(['b0-0', 'b0-1', 'b0-2'])
    expect(events.every((e) => e.event === 'batch' || e.event === 'ping')).toBe(true)
    expect(x.body.ended).toBe(true)
  })

  it('a batch larger than the trigger point is split exactly there: 5 records in one batch, truncate after 3', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, bodies(5))
    await arm({ match: { basin }, action: { type: 'truncate', after: { records: 3 } } })
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=5')
    const { events, rest } = parseSseBody(await x.text())
    expect(rest).toBe('')
    expect(events).toHaveLength(1)
    expect(sseRecords(events).map((r) => r.body)).toEqual(['r0', 'r1', 'r2'])
    // The event id carries the last seq num and the cumulative count of the split batch.
    expect(events[0]?.id).toMatch(/^2,3,\d+$/)
  })

  it('stall after {records: 1}: nothing at all (not even a ping) during the stall, then the rest', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['first'])
    const stallMs = 300
    await arm({ match: { basin }, action: { type: 'stall', ms: stallMs, after: { records: 1 } } })
    const started = performance.now()
    // A following read (no limits): idle, it would send a ping every 50 ms.
    const x = sseRead('http1', basin, stream, 'seq_num=0')
    const first = await x.nextEvent()
    expect(first?.event).toBe('batch')
    expect(sseRecords([first as SseEvent]).map((r) => r.body)).toEqual(['first'])
    // Appended during the stall; it must arrive after it.
    await delay(100)
    await appendJson(t, basin, stream, ['second'])
    const after: { event: string | undefined; at: number; bodies: string[] }[] = []
    while (!after.some((e) => e.event === 'ping') || !after.some((e) => e.bodies.includes('second'))) {
      const e = await x.nextEvent()
      if (e === null) throw new Error('the session ended')
      after.push({ event: e.event, at: performance.now() - started, bodies: e.event === 'batch' ? sseRecords([e]).map((r) => r.body ?? '') : [] })
    }
    x.abort()
    expect(after[0]?.at).toBeGreaterThanOrEqual(stallMs - SLACK)
    for (const e of after) expect(e.at).toBeGreaterThanOrEqual(stallMs - SLACK)
  })

  it('latency delays every event of a session: the first ping, and each live batch after its append', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, transport: 'sse' }, action: { type: 'latency', ms: 100 } })
    const started = performance.now()
    const x = sseRead('http1', basin, stream, 'seq_num=0')
    expect((await x.nextEvent())?.event).toBe('ping')
    expect(performance.now() - started).toBeGreaterThanOrEqual(100 - SLACK)
    for (const body of ['a', 'b']) {
      await appendJson(t, basin, stream, [body])
      const appended = performance.now()
      let e = await x.nextEvent()
      while (e?.event === 'ping') e = await x.nextEvent()
      expect(sseRecords([e as SseEvent]).map((r) => r.body)).toEqual([body])
      expect(performance.now() - appended, body).toBeGreaterThanOrEqual(100 - SLACK)
    }
    x.abort()
  })
})

describe('S2S read session', () => {
  for (const transport of TRANSPORTS) {
    it(`over ${transport}: error after {records: 2} is a terminal frame with the status and JSON body`, async () => {
      const { basin, stream } = await t.stream()
      for (const body of bodies(5)) await appendJson(t, basin, stream, [body])
      await arm({ match: { basin, transport: 's2s' }, action: { type: 'error', status: 503, message: 'went away', after: { records: 2 } } })
      const x = s2sRead(transport, basin, stream, 'seq_num=0&count=5')
      expect((await x.head).status).toBe(200)
      expect(await s2sFramesUntilEnd(x)).toEqual({ seqNums: [0, 1], terminal: { status: 503, body: { code: 'unavailable', message: 'went away' } } })
    })
  }

  it('truncate clean after {records: 2}: the body just ends after 2 records, with no terminal frame', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, bodies(5))
    await arm({ match: { basin, transport: 's2s' }, action: { type: 'truncate', after: { records: 2 } } })
    const x = s2sRead('h2', basin, stream, 'seq_num=0&count=5')
    expect(await s2sFramesUntilEnd(x)).toEqual({ seqNums: [0, 1], terminal: null })
    expect(x.body.ended).toBe(true)
  })

  it('truncate partial: the body ends inside a frame', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(4)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin, transport: 's2s' }, action: { type: 'truncate', after: { records: 2 }, mode: 'partial' } })
    const x = s2sRead('h2', basin, stream, 'seq_num=0&count=4')
    const records: number[] = []
    let failure: unknown = null
    try {
      for (let f = await x.nextFrame(); f !== null; f = await x.nextFrame()) {
        expect(f.terminal).toBe(false)
        records.push(...decodeReadBatch(payloadOf(f)).records.map((r) => r.seq_num))
      }
    } catch (error) {
      failure = error
    }
    expect(records).toEqual([0, 1])
    expect(String(failure)).toMatch(/ended inside a frame/)
  })

  it('truncate rst over h2c: RST_STREAM on the session stream', async () => {
    const { basin, stream } = await t.stream()
    for (const body of bodies(4)) await appendJson(t, basin, stream, [body])
    await arm({ match: { basin, transport: 's2s' }, action: { type: 'truncate', after: { batches: 1 }, mode: 'rst' } })
    const x = h2Get(h2(), recordsPath(stream, 'seq_num=0&count=4'), { 's2-basin': basin, 'content-type': 's2s/proto' })
    expect((await x.head).status).toBe(200)
    expect(await x.closed).not.toBe(0)
    expect(await x.body.finished()).toBe('error')
  })
})

describe('S2S append session', () => {
  it('reject_before_commit after {acks: 1}: the first ack, then a terminal 503, and the 2nd input is not applied', async () => {
    const { basin, stream } = await t.stream()
    const id = await arm({ match: { basin }, action: { type: 'reject_before_commit', after: { acks: 1 } } })
    const x = s2sAppend('h2', basin, stream)
    await x.write(input(['a', 'b']))
    expect(await ackRange(x)).toEqual({ start: 0, end: 2 })
    await x.write(input(['c']))
    const terminal = terminalOf(await nextFrame(x))
    expect(terminal.status).toBe(503)
    expect(terminal.body).toEqual({ code: 'unavailable', message: expect.stringMatching(/\S/) })
    expect(await x.nextFrame()).toBeNull()
    x.end()
    expect(await tailOf(basin, stream)).toBe(2)
    expect(await ruleState(id)).toMatchObject({ matched: 1, fired: 1 })
  })

  for (const transport of TRANSPORTS) {
    it(`over ${transport}: lose_ack mode error after {acks: 0} sends a terminal 500, but the input WAS applied`, async () => {
      const { basin, stream } = await t.stream()
      await arm({ match: { basin }, action: { type: 'lose_ack', mode: 'error', after: { acks: 0 } } })
      const x = s2sAppend(transport, basin, stream)
      await x.write(input(['a', 'b', 'c']))
      const f = await nextFrame(x)
      expect(f.terminal).toBe(true)
      expect(terminalOf(f)).toMatchObject({ status: 500, body: { code: 'other' } })
      expect(await x.nextFrame()).toBeNull()
      x.end()
      expect(await tailOf(basin, stream)).toBe(3)
    })

    it(`over ${transport}: lose_ack mode reset resets the session (the whole socket over HTTP/1.1), but the input WAS applied`, async () => {
      const { basin, stream } = await t.stream()
      await arm({ match: { basin }, action: { type: 'lose_ack', mode: 'reset' } })
      const client = await H2Client.connect(t.url)
      try {
        const x = s2sAppend(transport, basin, stream, client)
        await x.write(input(['a', 'b']))
        // No ack. Over h2 only the session's stream is reset, with RST_STREAM CANCEL (which a client
        // sees as the end of the body, with the code), and the connection serves on.
        expect(await x.body.finished()).toBe(transport === 'h2' ? 'end' : 'error')
        expect(x.body.buffered).toBe(0)
        if (transport === 'h2') expect(await x.rstCode).toBe(8)
        expect((await client.unary({ method: 'GET', path: '/health' })).status).toBe(200)
      } finally {
        client.destroy()
      }
      expect(await tailOf(basin, stream)).toBe(2)
    })
  }

  it('over h2: lose_ack mode reset with scope "connection" drops the whole connection, but the input WAS applied', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin }, action: { type: 'lose_ack', mode: 'reset', scope: 'connection' } })
    const client = await H2Client.connect(t.url)
    try {
      const x = s2sAppend('h2', basin, stream, client)
      await x.write(input(['a', 'b']))
      expect(await Promise.race([sessionClosed(client.session).then(() => 'closed'), delay(2000).then(() => 'still open')])).toBe('closed')
      await x.body.finished()
      expect(x.body.buffered).toBe(0)
    } finally {
      client.destroy()
    }
    expect(await tailOf(basin, stream)).toBe(2)
  })

  it('error after {acks: 2}: two acks, then the terminal frame, and the third input is not applied', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin }, action: { type: 'error', status: 429, code: 'custom_limit', message: 'third input refused', after: { acks: 2 } } })
    const x = s2sAppend('h2', basin, stream)
    await x.write(input(['a']))
    expect(await ackRange(x)).toEqual({ start: 0, end: 1 })
    await x.write(input(['b']))
    expect(await ackRange(x)).toEqual({ start: 1, end: 2 })
    await x.write(input(['c']))
    const terminal = terminalOf(await nextFrame(x))
    expect(terminal).toMatchObject({ status: 429, body: { code: 'custom_limit', message: 'third input refused' } })
    expect(await x.nextFrame()).toBeNull()
    x.end()
    expect(await tailOf(basin, stream)).toBe(2)
  })

  it('stall after {acks: 1} delays the second ack by the stall', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, transport: 's2s' }, action: { type: 'stall', ms: 250, after: { acks: 1 } } })
    const x = s2sAppend('h2', basin, stream)
    await x.write(input(['a']))
    expect(await ackRange(x)).toEqual({ start: 0, end: 1 })
    const sent = performance.now()
    await x.write(input(['b']))
    expect(await ackRange(x)).toEqual({ start: 1, end: 2 })
    expect(performance.now() - sent).toBeGreaterThanOrEqual(250 - SLACK)
    x.end()
    expect(await x.remainingFrames()).toEqual([])
  })
})

describe('matching', () => {
  async function readAll(kind: 'unary' | 'sse' | 's2s', basin: string, stream: string): Promise<number> {
    if (kind === 'unary') return (await t.raw('GET', recordsPath(stream, 'seq_num=0&count=1'), { headers: { 's2-basin': basin } })).status
    const x = kind === 'sse' ? sseRead('http1', basin, stream, 'seq_num=0&count=1') : s2sRead('h2', basin, stream, 'seq_num=0&count=1')
    const { status } = await x.head
    await x.text()
    return status
  }

  it.each(['unary', 'sse', 's2s'] as const)("a rule on transport '%s' fires only on reads over that transport", async (transport) => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, ['x'])
    const id = await arm({ match: { basin, operation: 'read', transport }, action: { type: 'error', status: 503 } })
    const statuses: Record<string, number> = {}
    for (const kind of ['unary', 'sse', 's2s'] as const) statuses[kind] = await readAll(kind, basin, stream)
    expect(statuses).toEqual({ unary: 200, sse: 200, s2s: 200, [transport]: 503 })
    expect(await ruleState(id)).toMatchObject({ matched: 1, fired: 1 })
  })

  it('a rule on an S2S append does not touch unary appends, and the reverse', async () => {
    const { basin, stream } = await t.stream()
    await arm({ match: { basin, operation: 'append', transport: 'unary' }, action: { type: 'error', status: 500 } })
    const x = s2sAppend('h2', basin, stream)
    await x.write(input(['via-s2s']))
    expect(await ackRange(x)).toEqual({ start: 0, end: 1 })
    x.end()
    expect((await appendRequest(basin, stream, ['via-json'])).status).toBe(500)
    expect(await tailOf(basin, stream)).toBe(1)
  })

  it('a header rule fires only on requests that carry the header with that value (name case-insensitive)', async () => {
    const { basin, stream } = await t.stream()
    const id = await arm({ match: { basin, headers: { 'X-Chaos': 'on' } }, action: { type: 'error', status: 503 } })
    const tail = (headers: Record<string, string>) => t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin, ...headers } })
    expect((await tail({})).status).toBe(200)
    expect((await tail({ 'x-chaos': 'off' })).status).toBe(200)
    expect((await tail({ 'x-chaos': 'on' })).status).toBe(503)
    expect(await ruleState(id)).toMatchObject({ matched: 1, fired: 1 })
  })

  it('a basin prefix matches every basin that starts with it, and only those', async () => {
    const suffix = Math.random().toString(36).slice(2, 10)
    const created: Record<string, string> = {}
    for (const label of ['chaos', 'chaotic', 'calm']) {
      const name = `${label}-${suffix}`
      expect((await t.raw('POST', '/v1/basins', { body: { basin: name } })).status).toBe(201)
      expect((await t.raw('POST', '/v1/streams', { headers: { 's2-basin': name }, body: { stream: 's' } })).status).toBe(201)
      created[label] = name
    }
    await arm({ match: { basin: { prefix: `chaos-${suffix}` }, operation: 'check_tail' }, action: { type: 'error', status: 503 } })
    await arm({ match: { basin: `calm-${suffix}`, stream: { prefix: 'nope' } }, action: { type: 'error', status: 500 } })
    const status = async (basin: string) => (await t.raw('GET', `${recordsPath('s')}/tail`, { headers: { 's2-basin': basin } })).status
    expect(await status(created.chaos as string)).toBe(503)
    expect(await status(created.chaotic as string)).toBe(200)
    expect(await status(created.calm as string)).toBe(200)
    // A basin rule never matches account-level calls, which name no basin.
    expect((await t.raw('GET', '/v1/basins')).status).toBe(200)
  })

  it('an exact stream name and a stream prefix', async () => {
    const { basin, stream } = await t.stream()
    expect((await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'logs-a' } })).status).toBe(201)
    expect((await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'logs-b' } })).status).toBe(201)
    await arm({ match: { basin, stream: { prefix: 'logs-' }, operation: 'check_tail' }, action: { type: 'error', status: 503 } })
    await arm({ match: { basin, stream, operation: 'check_tail' }, action: { type: 'error', status: 500 } })
    const status = async (s: string) => (await t.raw('GET', `${recordsPath(s)}/tail`, { headers: { 's2-basin': basin } })).status
    expect([await status('logs-a'), await status('logs-b'), await status(stream)]).toEqual([503, 503, 500])
  })

  it('an operation list matches each listed operation and no other', async () => {
    const { basin, stream } = await t.stream()
    const id = await arm({ match: { basin, operation: ['check_tail', 'get_stream_config'] }, action: { type: 'error', status: 503 } })
    const h = { 's2-basin': basin }
    expect((await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: h })).status).toBe(503)
    expect((await t.raw('GET', `/v1/streams/${stream}`, { headers: h })).status).toBe(503)
    expect((await appendRequest(basin, stream, ['x'])).status).toBe(200)
    expect((await t.raw('GET', '/v1/streams', { headers: h })).status).toBe(200)
    expect(await ruleState(id)).toMatchObject({ matched: 2, fired: 2 })
  })

  it('a rule whose action cannot apply to a request is not counted as matching it', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, bodies(3))
    const truncate = await arm({ match: { basin }, action: { type: 'truncate', after: { records: 1 } } })
    const midError = await arm({ match: { basin }, action: { type: 'error', status: 503, after: { records: 2 } } })
    const loseAck = await arm({ match: { basin }, action: { type: 'lose_ack' } })
    // Unary read and check_tail: neither session action applies, nor does lose_ack on a read.
    expect((await t.raw('GET', recordsPath(stream, 'seq_num=0&count=3'), { headers: { 's2-basin': basin } })).status).toBe(200)
    expect(await tailOf(basin, stream)).toBe(3)
    for (const id of [truncate, midError, loseAck]) expect(await ruleState(id)).toMatchObject({ matched: 0, fired: 0 })
    // An SSE read: both read-session rules apply; the truncate comes first.
    const x = sseRead('http1', basin, stream, 'seq_num=0&count=3')
    expect(sseRecords(parseSseBody(await x.text()).events).map((r) => r.seq_num)).toEqual([0])
    expect(await ruleState(truncate)).toMatchObject({ matched: 1, fired: 1 })
    expect(await ruleState(midError)).toMatchObject({ matched: 1, fired: 1 })
    expect(await ruleState(loseAck)).toMatchObject({ matched: 0, fired: 0 })
  })
})

describe('after all of the above', () => {
  it('every session was closed: s2_emulator_open_sessions returns to 0', async () => {
    expect(await waitForOpenSessions(t.url, (total) => total === 0)).toBe(0)
  })
})
