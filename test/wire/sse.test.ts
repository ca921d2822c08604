import { describe, expect, it } from 'vitest'
import { appendJson, readJson, recordsPath } from '../support/append-helpers.ts'
import { useEmulator, type RawResponse } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'
import {
  expectSessionHead,
  openExchange,
  sseReadInit,
  TRANSPORTS,
  useH2Client,
  type Exchange,
  type SseEvent,
  type Transport,
} from '../support/wire.ts'

const t = useEmulator({ heartbeatMs: 50, deletionDelayMs: 600_000 })
const h2 = useH2Client(t)

/** A whole (bounded) SSE read over HTTP/1.1. */
function sseRaw(basin: string, stream: string, query: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return readJson(t, basin, stream, query, { accept: 'text/event-stream', ...headers })
}

/** An SSE read whose events are taken one at a time. */
function sseSession(
  transport: Transport,
  basin: string,
  stream: string,
  query: string,
  headers: Record<string, string> = {},
  baseUrl = t.url,
): Exchange {
  return openExchange(transport, baseUrl, h2(), sseReadInit(basin, stream, query, headers))
}

async function nextEvent(x: Exchange): Promise<SseEvent> {
  const event = await x.nextEvent()
  if (event === null) throw new Error('the SSE body ended where an event was expected')
  return event
}

/** The next non-ping event. */
async function nextNonPing(x: Exchange): Promise<SseEvent> {
  for (;;) {
    const event = await nextEvent(x)
    if (event.event !== 'ping') return event
  }
}

const PING = /^event: ping\ndata: \{"timestamp":(\d+),"tail":\{"seq_num":(\d+),"timestamp":(\d+)\}\}$/

describe('SSE read: event text', () => {
  it('sends a batch event with id "last seq,count,metered bytes" and JSON data, then data: [DONE] at the count limit', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [
      { body: 'a', timestamp: 1000 },
      { body: 'bb', timestamp: 2000, headers: [['h', 'v']] },
      { body: 'ccc', timestamp: 3000 },
    ])
    const res = await sseRaw(basin, stream, 'seq_num=0&count=2')
    expectSessionHead(res, 'text/event-stream')
    // Metered: 8 + 1 = 9 for "a"; 8 + 2*1 + 1 + 1 + 2 = 14 for "bb" with header h: v.
    expect(res.text).toBe(
      'event: batch\n' +
        'id: 1,2,23\n' +
        'data: {"records":[{"seq_num":0,"timestamp":1000,"body":"a"},{"seq_num":1,"timestamp":2000,"headers":[["h","v"]],"body":"bb"}]}\n' +
        '\n' +
        'data: [DONE]\n' +
        '\n',
    )
  })

  for (const transport of TRANSPORTS) {
    it(`gives several readers catching up on megabytes at once every record intact over ${transport} (event buffers are used again once sent)`, async () => {
      const { basin, stream } = await t.stream()
      const bodyOf = (seq: number): string => `${seq}:`.padEnd(1000, String.fromCharCode(97 + (seq % 26)))
      const total = 6000
      for (let from = 0; from < total; from += 1000) {
        await appendJson(t, basin, stream, Array.from({ length: 1000 }, (_, i) => bodyOf(from + i)))
      }
      const readAll = async (x: Exchange): Promise<{ events: number; bodies: string[] }> => {
        const bodies: string[] = []
        let events = 0
        for (let event = await x.nextEvent(); event !== null && event.data !== '[DONE]'; event = await x.nextEvent()) {
          events++
          bodies.push(...(JSON.parse(event.data) as { records: { body: string }[] }).records.map((r) => r.body))
        }
        return { events, bodies }
      }
      const results = await Promise.all([0, 1, 2].map(() => readAll(sseSession(transport, basin, stream, `seq_num=0&count=${total}`))))
      for (const { events, bodies } of results) {
        expect(events).toBeGreaterThan(4)
        expect(bodies.length).toBe(total)
        expect(bodies.flatMap((body, seq) => (body === bodyOf(seq) ? [] : [seq]))).toEqual([])
      }
    })
  }

  it('omits body and headers of a record when they are empty', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 10 }])
    const res = await sseRaw(basin, stream, 'seq_num=0&count=1')
    expect(res.text).toBe('event: batch\nid: 0,1,8\ndata: {"records":[{"seq_num":0,"timestamp":10}]}\n\ndata: [DONE]\n\n')
  })

  it('encodes bodies and header names and values as base64 in data when s2-format is base64', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ body: 'hello', timestamp: 5, headers: [['k', 'v']] }])
    const res = await sseRaw(basin, stream, 'seq_num=0&count=1', { 's2-format': 'base64' })
    expect(res.text).toBe(
      'event: batch\nid: 0,1,17\ndata: {"records":[{"seq_num":0,"timestamp":5,"headers":[["aw==","dg=="]],"body":"aGVsbG8="}]}\n\ndata: [DONE]\n\n',
    )
  })

  for (const transport of TRANSPORTS) {
    it(`over ${transport}: pings with {"timestamp":ms,"tail"} on reaching the tail, then live batches carry the tail and cumulative ids`, async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a', timestamp: 1000 }])
      const before = Date.now()
      const x = sseSession(transport, basin, stream, 'seq_num=0')
      expectSessionHead(await x.head, 'text/event-stream')

      const first = await nextEvent(x)
      expect(first.raw).toBe('event: batch\nid: 0,1,9\ndata: {"records":[{"seq_num":0,"timestamp":1000,"body":"a"}]}')

      const ping = await nextEvent(x)
      const match = PING.exec(ping.raw)
      expect(match, ping.raw).not.toBeNull()
      const [, pingTs, tailSeq, tailTs] = (match as RegExpExecArray).map(Number)
      expect(pingTs).toBeGreaterThanOrEqual(before)
      expect(pingTs).toBeLessThanOrEqual(Date.now())
      expect([tailSeq, tailTs]).toEqual([1, 1000])

      // Idle: more pings with the same tail.
      expect(PING.exec((await nextEvent(x)).raw)?.slice(2)).toEqual(['1', '1000'])

      await appendJson(t, basin, stream, [{ body: 'bb', timestamp: 2000 }])
      const live = await nextNonPing(x)
      expect(live.raw).toBe(
        'event: batch\nid: 1,2,19\ndata: {"records":[{"seq_num":1,"timestamp":2000,"body":"bb"}],"tail":{"seq_num":2,"timestamp":2000}}',
      )
      await appendJson(t, basin, stream, [{ body: 'ccc', timestamp: 3000 }, { body: 'd', timestamp: 3000 }])
      const live2 = await nextNonPing(x)
      expect(live2.id).toBe('3,4,39')
      expect(JSON.parse(live2.data)).toEqual({
        records: [
          { seq_num: 2, timestamp: 3000, body: 'ccc' },
          { seq_num: 3, timestamp: 3000, body: 'd' },
        ],
        tail: { seq_num: 4, timestamp: 3000 },
      })
      x.abort()
    })
  }

  it('sends data: [DONE] (no event field) when a live batch reaches the count limit', async () => {
    const { basin, stream } = await t.stream()
    const x = sseSession('http1', basin, stream, 'count=2&wait=30')
    expect((await nextEvent(x)).event).toBe('ping')
    await appendJson(t, basin, stream, [
      { body: 'a', timestamp: 1 },
      { body: 'b', timestamp: 1 },
      { body: 'c', timestamp: 1 },
    ])
    const batch = await nextNonPing(x)
    expect(batch.id).toBe('1,2,18')
    expect(JSON.parse(batch.data)).toMatchObject({ records: [{ body: 'a' }, { body: 'b' }], tail: { seq_num: 3 } })
    const done = await nextNonPing(x)
    expect(done.raw).toBe('data: [DONE]')
    expect(await x.nextEvent()).toBeNull()
  })

  it('never sends an empty batch event for a bounded read that finds nothing: just data: [DONE]', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ body: 'a', timestamp: 1 }])
    const res = await sseRaw(basin, stream, 'seq_num=0&count=0')
    expect(res.status).toBe(200)
    expect(res.text).toBe('data: [DONE]\n\n')
  })
})

describe('SSE read: headers and negotiation', () => {
  for (const acceptEncoding of ['gzip', 'zstd', 'gzip, zstd']) {
    it(`is never compressed, even with accept-encoding ${acceptEncoding} and a body well over 1 KiB`, async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'x'.repeat(5000), timestamp: 1 }])
      const res = await sseRaw(basin, stream, 'seq_num=0&count=1', { 'accept-encoding': acceptEncoding })
      expectSessionHead(res, 'text/event-stream')
      expect(res.body.length).toBeGreaterThan(5000)
      expect(res.text.startsWith('event: batch\nid: 0,1,5008\n')).toBe(true)
      expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true)
    })
  }

  it('answers JSON, not SSE, when text/event-stream is not the first Accept type', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ body: 'a', timestamp: 1 }])
    const res = await t.raw('GET', recordsPath(stream, 'seq_num=0&count=1'), {
      headers: { 's2-basin': basin, accept: 'application/json, text/event-stream' },
    })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.json).toEqual({ records: [{ seq_num: 0, timestamp: 1, body: 'a' }] })
  })
})

describe('SSE read: Last-Event-ID resumption', () => {
  async function fiveRecords(): Promise<{ basin: string; stream: string }> {
    const { basin, stream } = await t.stream()
    // Each record "rN" is 8 + 2 = 10 metered bytes.
    await appendJson(
      t,
      basin,
      stream,
      [0, 1, 2, 3, 4].map((i) => ({ body: `r${i}`, timestamp: 100 + i })),
    )
    return { basin, stream }
  }

  it('starts after the given seq_num, reduces the count limit by what was consumed and continues the ids', async () => {
    const { basin, stream } = await fiveRecords()
    const first = await sseRaw(basin, stream, 'seq_num=0&count=4')
    // A client that saw only the first two records resumes with the id of that event.
    const resumed = await sseRaw(basin, stream, 'seq_num=0&count=4', { 'last-event-id': '1,2,20' })
    expect(first.text.split('\n')[1]).toBe('id: 3,4,40')
    expectSessionHead(resumed, 'text/event-stream')
    expect(resumed.text).toBe(
      'event: batch\n' +
        'id: 3,4,40\n' +
        'data: {"records":[{"seq_num":2,"timestamp":102,"body":"r2"},{"seq_num":3,"timestamp":103,"body":"r3"}]}\n' +
        '\n' +
        'data: [DONE]\n' +
        '\n',
    )
  })

  it('reduces the bytes limit by the bytes already consumed', async () => {
    const { basin, stream } = await fiveRecords()
    const res = await sseRaw(basin, stream, 'bytes=40', { 'last-event-id': '1,2,20' })
    expect(res.status).toBe(200)
    const lines = res.text.split('\n')
    expect(lines[1]).toBe('id: 3,4,40')
    expect(JSON.parse((lines[2] as string).slice('data: '.length))).toEqual({
      records: [
        { seq_num: 2, timestamp: 102, body: 'r2' },
        { seq_num: 3, timestamp: 103, body: 'r3' },
      ],
    })
    expect(res.text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true)
  })

  it('overrides tail_offset and timestamp start parameters', async () => {
    const { basin, stream } = await fiveRecords()
    for (const query of ['tail_offset=1&count=10', 'timestamp=104&count=10', 'seq_num=4&count=10']) {
      const res = await sseRaw(basin, stream, query, { 'last-event-id': '2,3,30' })
      expect(res.status, query).toBe(200)
      const data = JSON.parse((res.text.split('\n')[2] as string).slice('data: '.length)) as { records: { seq_num: number }[] }
      expect(data.records.map((r) => r.seq_num), query).toEqual([3, 4])
      expect(res.text.split('\n')[1], query).toBe('id: 4,5,50')
    }
  })

  it('ends at once with data: [DONE] when the consumed count already meets the limit', async () => {
    const { basin, stream } = await fiveRecords()
    const res = await sseRaw(basin, stream, 'seq_num=0&count=3', { 'last-event-id': '0,3,30' })
    expect(res.status).toBe(200)
    expect(res.text).toBe('data: [DONE]\n\n')
  })

  for (const bad of ['abc', '1,2', '1,2,3,4', '1;2;3', '-1,0,0', '1,x,3']) {
    it(`rejects a malformed Last-Event-ID ${JSON.stringify(bad)} with a 400 bad_header JSON response`, async () => {
      const { basin, stream } = await fiveRecords()
      const res = await sseRaw(basin, stream, 'seq_num=0', { 'last-event-id': bad })
      expect(res.status).toBe(400)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.json).toMatchObject({ code: 'bad_header' })
    })
  }
})

describe('SSE read: errors', () => {
  it('answers a missing stream with a 404 JSON response before streaming', async () => {
    const { basin } = await t.stream()
    const res = await sseRaw(basin, 'missing', 'seq_num=0')
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.json).toMatchObject({ code: 'stream_not_found' })
  })

  it('answers a start beyond the tail with a 416 JSON response carrying the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ body: 'a', timestamp: 77 }])
    const res = await sseRaw(basin, stream, 'seq_num=5')
    expect(res.status).toBe(416)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.json).toEqual({ tail: { seq_num: 1, timestamp: 77 } })
  })

  it('answers a bounded read at the tail with 416 (it may not follow)', async () => {
    const { basin, stream } = await t.stream()
    const res = await sseRaw(basin, stream, 'seq_num=0&count=1')
    expect(res.status).toBe(416)
    expect(res.json).toEqual({ tail: { seq_num: 0, timestamp: 0 } })
  })

  for (const transport of TRANSPORTS) {
    it(`over ${transport}: sends event: error with a 409 stream_deletion_pending body and no DONE when the stream is deleted under a follower`, async () => {
      const { basin, stream } = await t.stream()
      const x = sseSession(transport, basin, stream, '')
      expect((await nextEvent(x)).event).toBe('ping')
      const del = await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })
      expect(del.status).toBe(202)
      const error = await nextNonPing(x)
      expect(error.raw).toBe('event: error\ndata: {"code":"stream_deletion_pending","message":"stream deletion pending"}')
      expect(await x.nextEvent()).toBeNull()
    })
  }
})

describe('SSE read: wait expiry (manual clock)', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const m = useEmulator({ heartbeatMs: 60_000, clock })

  it('sends data: [DONE] when wait runs out with no new records', async () => {
    const { basin, stream } = await m.stream()
    await appendJson(m, basin, stream, [{ body: 'a' }])
    const x = sseSession('http1', basin, stream, 'seq_num=0&wait=1', {}, m.url)
    const batch = await nextEvent(x)
    expect(batch.id).toBe('0,1,9')
    const ping = await nextEvent(x)
    expect(ping.raw).toBe(
      `event: ping\ndata: {"timestamp":${clock.now()},"tail":{"seq_num":1,"timestamp":${clock.now()}}}`,
    )
    clock.advance(1000)
    expect((await nextEvent(x)).raw).toBe('data: [DONE]')
    expect(await x.nextEvent()).toBeNull()
  })

  it('restarts the wait after each delivered batch', async () => {
    const { basin, stream } = await m.stream()
    const x = sseSession('http1', basin, stream, 'wait=1', {}, m.url)
    expect((await nextEvent(x)).event).toBe('ping')
    clock.advance(600)
    await appendJson(m, basin, stream, [{ body: 'late' }])
    const live = await nextEvent(x)
    expect(live.event).toBe('batch')
    expect(live.id).toBe('0,1,12')
    // 600 ms after the batch is 1200 ms after the start: past the first deadline, not the new one.
    clock.advance(600)
    await appendJson(m, basin, stream, [{ body: 'later' }])
    expect((await nextEvent(x)).id).toBe('1,2,25')
    clock.advance(1000)
    expect((await nextEvent(x)).raw).toBe('data: [DONE]')
  })
})
