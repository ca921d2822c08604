import { describe, expect, it } from 'vitest'
import { appendJson, checkTail, recordsPath } from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'
import {
  appendInputFrame as input,
  decodeAppendAck,
  decodeReadBatch,
  encodeAppendInput,
  expectAck,
  expectBatch,
  expectFrame,
  expectSessionHead,
  frame,
  FLAG_GZIP,
  FLAG_TERMINAL,
  FLAG_ZSTD,
  H2Client,
  MAX_FRAME_LENGTH,
  openExchange,
  payloadOf,
  rawFrame,
  s2sAppendInit,
  s2sReadInit,
  terminalFrameBytes,
  terminalOf,
  TRANSPORTS,
  useH2Client,
  type Exchange,
  type ProtoReadBatch,
  type Transport,
  type WireFrame,
} from '../support/wire.ts'

const t = useEmulator({ heartbeatMs: 50, deletionDelayMs: 600_000 })
const h2 = useH2Client(t)

/** An S2S append session (POST with `Content-Type: s2s/proto`), request body left open. */
function appendSession(transport: Transport, basin: string, stream: string, headers: Record<string, string> = {}): Exchange {
  return openExchange(transport, t.url, h2(), s2sAppendInit(basin, stream, headers))
}

/** An S2S read session (GET with `Content-Type: s2s/proto`). */
function readSession(transport: Transport, basin: string, stream: string, query: string, headers: Record<string, string> = {}): Exchange {
  return openExchange(transport, t.url, h2(), s2sReadInit(basin, stream, query, headers))
}

/** The next batch with records, skipping heartbeats (each of which must carry a tail). */
async function nextDataBatch(x: Exchange): Promise<ProtoReadBatch> {
  for (;;) {
    const batch = await expectBatch(x)
    if (batch.records.length > 0) return batch
    expect(batch.tail).toBeDefined()
  }
}

/** Malformed client frames, each answered by a terminal 400 bad_frame. */
const MALFORMED: { name: string; bytes: () => Buffer }[] = [
  { name: 'a zero length', bytes: () => rawFrame(0, 0) },
  { name: 'a length over 2 MiB', bytes: () => rawFrame(MAX_FRAME_LENGTH + 1, 0, Buffer.alloc(16)) },
  { name: 'reserved flag bit 0 set', bytes: () => rawFrame(1 + 3, 0x01, encodeAppendInput({ records: [{ body: 'r' }] })) },
  { name: 'reserved flag bit 3 set', bytes: () => rawFrame(1 + 3, 0x08, encodeAppendInput({ records: [{ body: 'r' }] })) },
  { name: 'compression bits 11', bytes: () => frame(encodeAppendInput({ records: [{ body: 'r' }] }), 'none', FLAG_ZSTD | FLAG_GZIP) },
  { name: 'a terminal frame from the client', bytes: () => terminalFrameBytes(400, { code: 'bad', message: 'client says so' }) },
  // Field 1 (records), length-delimited, claims 5 bytes but only 1 follows.
  { name: 'undecodable protobuf bytes', bytes: () => rawFrame(1 + 3, 0, Buffer.from([0x0a, 0x05, 0x01])) },
  { name: 'a zstd flag on bytes that are not zstd', bytes: () => rawFrame(1 + 4, FLAG_ZSTD, Buffer.from('nope')) },
  { name: 'a gzip flag on bytes that are not gzip', bytes: () => rawFrame(1 + 4, FLAG_GZIP, Buffer.from('nope')) },
]

for (const transport of TRANSPORTS) {
  describe(`S2S append session over ${transport}`, () => {
    it('answers 200 with s2s/proto and the no-cache, no-buffering headers, before any input', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      expectSessionHead(await x.head, 's2s/proto')
      x.end()
      expect(await x.remainingFrames()).toEqual([])
    })

    it('ends with no frames when the client closes its side without sending anything', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      x.end()
      expectSessionHead(await x.head, 's2s/proto')
      expect(await x.remainingFrames()).toEqual([])
      expect(x.body.ended).toBe(true)
      expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 0, timestamp: 0 })
    })

    it('acks every input with one AppendAck frame, in order, and ends cleanly after the client half-closes', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      // Three inputs in one write, then one more on its own.
      await x.write(Buffer.concat([input(['a']), input(['b', 'c']), input(['d', 'e', 'f'])]))
      await x.write(input(['g']))
      const acks = [await expectAck(x), await expectAck(x), await expectAck(x), await expectAck(x)]
      expect(acks.map((a) => [a.start.seq_num, a.end.seq_num])).toEqual([
        [0, 1],
        [1, 3],
        [3, 6],
        [6, 7],
      ])
      for (const ack of acks) {
        expect(ack.tail.seq_num).toBeGreaterThanOrEqual(ack.end.seq_num)
        expect(ack.end.timestamp).toBeGreaterThanOrEqual(ack.start.timestamp)
      }
      x.end()
      // No terminal frame: the body just ends.
      expect(await x.remainingFrames()).toEqual([])
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 7 })
    })

    it('sends ack frames uncompressed and never as terminal frames', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream, { 'accept-encoding': 'zstd, gzip' })
      await x.write(input(['x'.repeat(3000)]))
      const f = await expectFrame(x)
      // An AppendAck is far below 1 KiB, so it is never compressed even when compression was negotiated.
      expect(f.flag).toBe(0)
      expect(decodeAppendAck(f.payload).end.seq_num).toBe(1)
      x.end()
      expect(await x.remainingFrames()).toEqual([])
    })

    it('after a match_seq_num mismatch sends a terminal 412 {"seq_num_mismatch":N} and applies no later input', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([input(['one']), input(['two'], { match_seq_num: 5 }), input(['three'])]))
      const ack = await expectAck(x)
      expect(ack.end.seq_num).toBe(1)
      const last = await expectFrame(x)
      expect(last.flag & FLAG_TERMINAL).toBe(FLAG_TERMINAL)
      const terminal = terminalOf(last)
      expect(terminal.status).toBe(412)
      expect(terminal.body).toEqual({ seq_num_mismatch: 1 })
      expect(terminal.text).toBe('{"seq_num_mismatch":1}')
      expect(await x.remainingFrames()).toEqual([])
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })
    })

    it('after a fencing token mismatch sends a terminal 412 {"fencing_token_mismatch":token}', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      const fence = frame(encodeAppendInput({ records: [{ headers: [{ name: '', value: 'fence' }], body: 'tok-1' }] }))
      const wrong = frame(encodeAppendInput({ records: [{ body: 'x' }], fencing_token: 'tok-2' }))
      await x.write(Buffer.concat([fence, wrong, input(['after'])]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 412, body: { fencing_token_mismatch: 'tok-1' } })
      expect(await x.remainingFrames()).toEqual([])
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })
    })

    for (const bad of MALFORMED) {
      it(`ends with a terminal 400 bad_frame after the earlier acks when the client sends ${bad.name}`, async () => {
        const { basin, stream } = await t.stream()
        const x = appendSession(transport, basin, stream)
        await x.write(input(['before']))
        expect((await expectAck(x)).end.seq_num).toBe(1)
        await x.write(bad.bytes()).catch(() => {})
        const last = await expectFrame(x)
        const terminal = terminalOf(last)
        expect(terminal.status).toBe(400)
        expect(terminal.body).toMatchObject({ code: 'bad_frame' })
        expect(await x.remainingFrames()).toEqual([])
        x.abort()
        expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })

        // The server (and, over h2, the shared connection) keeps working.
        const y = appendSession(transport, basin, stream)
        await y.write(input(['after']))
        expect((await expectAck(y)).start.seq_num).toBe(1)
        y.end()
        expect(await y.remainingFrames()).toEqual([])
      })
    }

    // §7.3: the terminal frame comes after the acks of the inputs that preceded the bad one.
    it('acks inputs that precede a malformed frame in the same write before the terminal 400', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([input(['before']), rawFrame(0, 0)]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      expect(terminalOf(await expectFrame(x))).toMatchObject({ status: 400, body: { code: 'bad_frame' } })
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })
    })

    it('applies and acks an input that precedes a client terminal frame in the same write', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([input(['before']), terminalFrameBytes(200, {}), input(['never'])]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 400, body: { code: 'bad_frame' } })
      expect(await x.remainingFrames()).toEqual([])
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })
    })

    it('ends with a terminal 422 invalid after the earlier acks when an input is an empty batch', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([input(['ok']), frame(encodeAppendInput({ records: [] })), input(['never'])]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal.status).toBe(422)
      expect(terminal.body).toEqual({ code: 'invalid', message: 'record batch must not be empty' })
      expect(await x.remainingFrames()).toEqual([])
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 1 })
    })

    it('ends with a terminal 400 bad_frame when the request body stops in the middle of a frame', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      const whole = input(['cut'])
      await x.write(whole.subarray(0, whole.length - 1))
      x.end()
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 400, body: { code: 'bad_frame' } })
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 0 })
    })

    for (const algorithm of ['zstd', 'gzip'] as const) {
      it(`accepts client frames compressed with ${algorithm}`, async () => {
        const { basin, stream } = await t.stream()
        const x = appendSession(transport, basin, stream)
        const big = 'z'.repeat(5000)
        await x.write(frame(encodeAppendInput({ records: [{ body: big }, { body: 'small' }] }), algorithm))
        expect((await expectAck(x)).end.seq_num).toBe(2)
        x.end()
        expect(await x.remainingFrames()).toEqual([])
        const read = readSession(transport, basin, stream, 'seq_num=0&count=2')
        const batch = await expectBatch(read)
        expect(batch.records.map((r) => r.body)).toEqual([big, 'small'])
        expect(await read.remainingFrames()).toEqual([])
      })
    }

    it('accepts a frame of exactly 2 MiB (then rejects its oversized batch with a terminal 422 invalid)', async () => {
      const { basin, stream } = await t.stream()
      // Encoded AppendInput = 8 bytes of tags and lengths + the body; the frame length adds the flag byte.
      const payload = encodeAppendInput({ records: [{ body: Buffer.alloc(MAX_FRAME_LENGTH - 1 - 8, 0x61) }] })
      expect(payload.length + 1).toBe(MAX_FRAME_LENGTH)
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([input(['ok']), frame(payload)]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 422, body: { code: 'invalid' } })
      x.abort()
    })

    it('ends with a terminal 400 bad_frame when a compressed frame inflates past 2 MiB', async () => {
      const { basin, stream } = await t.stream()
      const huge = encodeAppendInput({ records: [{ body: Buffer.alloc(3 * 1024 * 1024, 0x61) }] })
      const x = appendSession(transport, basin, stream)
      await x.write(frame(huge, 'zstd'))
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 400, body: { code: 'bad_frame' } })
      x.abort()
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 0 })
    })

    it('accepts small client frames compressed below 1 KiB too', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(Buffer.concat([frame(encodeAppendInput({ records: [{ body: 'tiny' }] }), 'gzip'), input(['plain'])]))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      expect((await expectAck(x)).end.seq_num).toBe(2)
      x.end()
      expect(await x.remainingFrames()).toEqual([])
    })

    it('auto-creates the stream at session open when the basin has create_stream_on_append', async () => {
      const basin = await t.basin({ create_stream_on_append: true })
      const x = appendSession(transport, basin, 'auto-created')
      expectSessionHead(await x.head, 's2s/proto')
      await x.write(input(['first']))
      expect((await expectAck(x)).start.seq_num).toBe(0)
      x.end()
      expect(await x.remainingFrames()).toEqual([])
      expect(await checkTail(t, basin, 'auto-created')).toMatchObject({ seq_num: 1 })
    })

    it('ends with a terminal 409 stream_deletion_pending when the stream is deleted during the session', async () => {
      const { basin, stream } = await t.stream()
      const x = appendSession(transport, basin, stream)
      await x.write(input(['before']))
      expect((await expectAck(x)).end.seq_num).toBe(1)
      const del = await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })
      expect(del.status).toBe(202)
      await x.write(input(['after']))
      const terminal = terminalOf(await expectFrame(x))
      expect(terminal).toMatchObject({ status: 409, body: { code: 'stream_deletion_pending' } })
      expect(await x.remainingFrames()).toEqual([])
      x.abort()
    })

    it('answers a missing stream with a plain 404 JSON response, not a frame', async () => {
      const { basin } = await t.stream()
      const x = appendSession(transport, basin, 'no-such-stream')
      x.end()
      const head = await x.head
      expect(head.status).toBe(404)
      expect(head.headers['content-type']).toBe('application/json')
      expect(JSON.parse(await x.text())).toMatchObject({ code: 'stream_not_found' })
    })
  })

  describe(`S2S read session over ${transport}`, () => {
    it('sends catch-up batches without a tail, a heartbeat with the tail on reaching it, then live batches with a tail', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [
        { body: 'a', timestamp: 1000 },
        { body: 'b', timestamp: 2000 },
        { body: 'c', timestamp: 3000 },
      ])
      const x = readSession(transport, basin, stream, 'seq_num=0')
      expectSessionHead(await x.head, 's2s/proto')

      const catchUp = await expectBatch(x)
      expect(catchUp.tail).toBeUndefined()
      expect(catchUp.records.map((r) => [r.seq_num, r.timestamp, r.body])).toEqual([
        [0, 1000, 'a'],
        [1, 2000, 'b'],
        [2, 3000, 'c'],
      ])

      const heartbeat = await expectBatch(x)
      expect(heartbeat).toEqual({ records: [], tail: { seq_num: 3, timestamp: 3000 } })

      // Idle: more heartbeats, each an empty ReadBatch with the tail.
      expect(await expectBatch(x)).toEqual({ records: [], tail: { seq_num: 3, timestamp: 3000 } })

      await appendJson(t, basin, stream, [
        { body: 'd', timestamp: 4000 },
        { body: 'e', timestamp: 5000 },
      ])
      const live = await nextDataBatch(x)
      expect(live.records.map((r) => [r.seq_num, r.body])).toEqual([
        [3, 'd'],
        [4, 'e'],
      ])
      expect(live.tail).toEqual({ seq_num: 5, timestamp: 5000 })
      x.abort()
    })

    it('gives several readers catching up on megabytes at once every record intact (frame buffers are used again once sent)', async () => {
      const { basin, stream } = await t.stream()
      const bodyOf = (seq: number): string => `${seq}:`.padEnd(1000, String.fromCharCode(97 + (seq % 26)))
      const total = 6000
      for (let from = 0; from < total; from += 1000) {
        await appendJson(t, basin, stream, Array.from({ length: 1000 }, (_, i) => bodyOf(from + i)))
      }
      const readers = [0, 1, 2].map(() => readSession(transport, basin, stream, `seq_num=0&count=${total}`))
      const results = await Promise.all(readers.map((x) => x.remainingFrames()))
      for (const frames of results) {
        const bodies = frames.flatMap((f) => decodeReadBatch(payloadOf(f)).records.map((r) => r.body))
        expect(frames.length).toBeGreaterThan(4)
        expect(bodies.length).toBe(total)
        const wrong = bodies.flatMap((body, seq) => (body === bodyOf(seq) ? [] : [seq]))
        expect(wrong).toEqual([])
      }
    })

    it('sends headers of records as name/value pairs', async () => {
      const { basin, stream } = await t.stream()
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin },
        body: { records: [{ headers: [['k', 'v'], ['k2', '']], body: 'b' }] },
      })
      expect(res.status).toBe(200)
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1')
      const batch = await expectBatch(x)
      expect(batch.records[0]?.headers).toEqual([
        { name: 'k', value: 'v' },
        { name: 'k2', value: '' },
      ])
      expect(await x.remainingFrames()).toEqual([])
    })

    it('ends a bounded read (count) with a plain end of the body and no terminal frame', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }, { body: 'b' }, { body: 'c' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=2')
      expectSessionHead(await x.head, 's2s/proto')
      const frames = await x.remainingFrames()
      expect(frames.map((f) => f.flag)).toEqual([0])
      const batch = decodeReadBatch(payloadOf(frames[0] as WireFrame))
      expect(batch.records.map((r) => r.body)).toEqual(['a', 'b'])
      expect(batch.tail).toBeUndefined()
    })

    it('ends a bounded read that runs out of records at the tail without following (no heartbeat)', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }, { body: 'b' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=5')
      const frames = await x.remainingFrames()
      expect(frames).toHaveLength(1)
      expect(decodeReadBatch(payloadOf(frames[0] as WireFrame)).records.map((r) => r.body)).toEqual(['a', 'b'])
    })

    it('ends a read at the count limit with the live batch that reaches it', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=3&wait=30')
      expect((await expectBatch(x)).records.map((r) => r.body)).toEqual(['a'])
      expect(await expectBatch(x)).toMatchObject({ records: [], tail: { seq_num: 1 } })
      await appendJson(t, basin, stream, [{ body: 'b' }, { body: 'c' }, { body: 'd' }])
      const live = await nextDataBatch(x)
      expect(live.records.map((r) => r.body)).toEqual(['b', 'c'])
      expect(live.tail).toMatchObject({ seq_num: 4 })
      // Any heartbeats aside, the body ends with no terminal frame.
      const rest = await x.remainingFrames()
      for (const f of rest) expect(decodeReadBatch(payloadOf(f)).records).toEqual([])
      expect(rest.every((f) => !f.terminal)).toBe(true)
    })

    it('answers a start beyond the tail with a plain 416 JSON response carrying the tail', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a', timestamp: 1234 }])
      const x = readSession(transport, basin, stream, 'seq_num=10')
      const head = await x.head
      expect(head.status).toBe(416)
      expect(head.headers['content-type']).toBe('application/json')
      expect(JSON.parse(await x.text())).toEqual({ tail: { seq_num: 1, timestamp: 1234 } })
    })

    it('answers a missing stream with a plain 404 JSON response', async () => {
      const { basin } = await t.stream()
      const x = readSession(transport, basin, 'missing', 'seq_num=0')
      const head = await x.head
      expect(head.status).toBe(404)
      expect(head.headers['content-type']).toBe('application/json')
      expect(JSON.parse(await x.text())).toMatchObject({ code: 'stream_not_found' })
    })

    it('answers a bounded read at the tail with a plain 416 JSON response (it may not follow)', async () => {
      const { basin, stream } = await t.stream()
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1')
      const head = await x.head
      expect(head.status).toBe(416)
      expect(JSON.parse(await x.text())).toEqual({ tail: { seq_num: 0, timestamp: 0 } })
    })

    it('answers conflicting start parameters with a plain 422 JSON response', async () => {
      const { basin, stream } = await t.stream()
      const x = readSession(transport, basin, stream, 'seq_num=0&tail_offset=1')
      const head = await x.head
      expect(head.status).toBe(422)
      expect(head.headers['content-type']).toBe('application/json')
      expect(JSON.parse(await x.text())).toEqual({
        code: 'invalid',
        message: 'only one of seq_num, timestamp, or tail_offset can be provided',
      })
    })

    it('chooses S2S over SSE when the request has Content-Type s2s/proto and Accept text/event-stream', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1', { accept: 'text/event-stream' })
      expectSessionHead(await x.head, 's2s/proto')
      const frames = await x.remainingFrames()
      expect(frames).toHaveLength(1)
      expect(decodeReadBatch(payloadOf(frames[0] as WireFrame)).records.map((r) => r.body)).toEqual(['a'])
    })

    it('splits a long catch-up into batches of at most 1000 records', async () => {
      const { basin, stream } = await t.stream()
      for (let i = 0; i < 3; i++) {
        const res = await t.raw('POST', recordsPath(stream), {
          headers: { 's2-basin': basin },
          body: { records: Array.from({ length: 600 }, (_, j) => ({ body: `${i}-${j}` })) },
        })
        expect(res.status).toBe(200)
      }
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1800')
      const batches = (await x.remainingFrames()).map((f) => decodeReadBatch(payloadOf(f)))
      expect(batches.length).toBeGreaterThanOrEqual(2)
      for (const b of batches) {
        expect(b.records.length).toBeGreaterThan(0)
        expect(b.records.length).toBeLessThanOrEqual(1000)
        expect(b.tail).toBeUndefined()
      }
      expect(batches.flatMap((b) => b.records.map((r) => r.seq_num))).toEqual(Array.from({ length: 1800 }, (_, i) => i))
    })

    it('splits a catch-up of large records into batches of at most 1 MiB metered', async () => {
      const { basin, stream } = await t.stream()
      const size = 700 * 1024
      for (const c of ['a', 'b', 'c']) await appendJson(t, basin, stream, [{ body: c.repeat(size) }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=3')
      const batches = (await x.remainingFrames()).map((f) => decodeReadBatch(payloadOf(f)))
      expect(batches.map((b) => b.records.map((r) => r.seq_num))).toEqual([[0], [1], [2]])
      expect(batches.map((b) => b.records[0]?.body.length)).toEqual([size, size, size])
    })

    it('ends a read with count=0 at once, with no frames', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=0')
      expectSessionHead(await x.head, 's2s/proto')
      expect(await x.remainingFrames()).toEqual([])
    })

    it('ends an until-bounded read with a plain end of the body', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [
        { body: 'a', timestamp: 10 },
        { body: 'b', timestamp: 20 },
        { body: 'c', timestamp: 30 },
      ])
      const x = readSession(transport, basin, stream, 'seq_num=0&until=30')
      const frames = await x.remainingFrames()
      expect(frames.every((f) => !f.terminal)).toBe(true)
      expect(frames.flatMap((f) => decodeReadBatch(payloadOf(f)).records.map((r) => r.body))).toEqual(['a', 'b'])
    })

    it('does not apply Last-Event-ID to S2S reads', async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ body: 'a' }, { body: 'b' }])
      const x = readSession(transport, basin, stream, 'seq_num=0&count=2', { 'last-event-id': '0,1,9' })
      const batch = await expectBatch(x)
      expect(batch.records.map((r) => r.body)).toEqual(['a', 'b'])
      expect(await x.remainingFrames()).toEqual([])
    })

    it('ends with a terminal 409 stream_deletion_pending when the stream is deleted while following', async () => {
      const { basin, stream } = await t.stream()
      const x = readSession(transport, basin, stream, '')
      expect(await expectBatch(x)).toMatchObject({ records: [], tail: { seq_num: 0 } })
      const del = await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })
      expect(del.status).toBe(202)
      let f = await expectFrame(x)
      while (!f.terminal) {
        expect(decodeReadBatch(payloadOf(f)).records).toEqual([])
        f = await expectFrame(x)
      }
      expect(terminalOf(f)).toMatchObject({ status: 409, body: { code: 'stream_deletion_pending' } })
      expect(await x.remainingFrames()).toEqual([])
    })
  })

  describe(`S2S per-frame compression over ${transport}`, () => {
    async function bigStream(): Promise<{ basin: string; stream: string; big: string }> {
      const { basin, stream } = await t.stream()
      const big = 'q'.repeat(4000)
      await appendJson(t, basin, stream, [{ body: big, timestamp: 7 }])
      return { basin, stream, big }
    }

    for (const [acceptEncoding, algorithm, bits] of [
      ['zstd', 'zstd', FLAG_ZSTD],
      ['gzip', 'gzip', FLAG_GZIP],
      ['gzip, zstd', 'zstd', FLAG_ZSTD],
      ['br, gzip;q=0.5', 'gzip', FLAG_GZIP],
    ] as const) {
      it(`with accept-encoding "${acceptEncoding}" compresses frames of 1 KiB or more with ${algorithm} and leaves smaller ones alone`, async () => {
        const { basin, stream, big } = await bigStream()
        const x = readSession(transport, basin, stream, 'seq_num=0', { 'accept-encoding': acceptEncoding })
        const head = await x.head
        expectSessionHead(head, 's2s/proto')
        const data = await expectFrame(x)
        expect(data.terminal).toBe(false)
        expect(data.flag).toBe(bits)
        const payload = payloadOf(data)
        expect(payload.length).toBeGreaterThanOrEqual(1024)
        expect(data.payload.length).toBeLessThan(payload.length)
        const batch = decodeReadBatch(payload)
        expect(batch.records.map((r) => [r.seq_num, r.timestamp, r.body])).toEqual([[0, 7, big]])
        // The heartbeat is tiny: not compressed.
        const heartbeat = await expectFrame(x)
        expect(heartbeat.flag).toBe(0)
        expect(decodeReadBatch(heartbeat.payload)).toEqual({ records: [], tail: { seq_num: 1, timestamp: 7 } })
        x.abort()
      })
    }

    it('compresses nothing when the client sends no accept-encoding', async () => {
      const { basin, stream, big } = await bigStream()
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1')
      const frames = await x.remainingFrames()
      expect(frames.map((f) => f.flag)).toEqual([0])
      expect(decodeReadBatch((frames[0] as WireFrame).payload).records[0]?.body).toBe(big)
    })

    it('compresses nothing when no accept-encoding entry is zstd or gzip', async () => {
      const { basin, stream } = await bigStream()
      const x = readSession(transport, basin, stream, 'seq_num=0&count=1', { 'accept-encoding': 'br, deflate' })
      const frames = await x.remainingFrames()
      expect(frames.map((f) => f.flag)).toEqual([0])
    })

    it('compresses exactly the frames whose payload is at least 1024 bytes', async () => {
      const { basin, stream } = await t.stream()
      // Bodies of 980..1019 bytes give ReadBatch payloads on both sides of 1024, one byte apart.
      const sizes = Array.from({ length: 40 }, (_, i) => 980 + i)
      for (const size of sizes) await appendJson(t, basin, stream, [{ body: 'm'.repeat(size), timestamp: 5 }])
      const observed: { size: number; compressed: boolean }[] = []
      await Promise.all(
        sizes.map(async (_, seq) => {
          const x = readSession(transport, basin, stream, `seq_num=${seq}&count=1`, { 'accept-encoding': 'zstd' })
          const frames = await x.remainingFrames()
          expect(frames).toHaveLength(1)
          const f = frames[0] as WireFrame
          const payload = payloadOf(f)
          expect(decodeReadBatch(payload).records[0]?.seq_num).toBe(seq)
          observed.push({ size: payload.length, compressed: f.compression === 'zstd' })
        }),
      )
      const payloadSizes = observed.map((o) => o.size)
      expect(payloadSizes).toContain(1023)
      expect(payloadSizes).toContain(1024)
      for (const o of observed) expect(o, `payload of ${o.size} bytes`).toEqual({ size: o.size, compressed: o.size >= 1024 })
    })
  })
}

describe('S2S read session: wait expiry (manual clock)', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const m = useEmulator({ heartbeatMs: 60_000, clock })

  for (const transport of TRANSPORTS) {
    it(`over ${transport}: ends the body with no terminal frame when wait runs out`, async () => {
      const { basin, stream } = await m.stream()
      const client = await H2Client.connect(m.url)
      try {
        const x = openExchange(transport, m.url, client, {
          method: 'GET',
          path: recordsPath(stream, 'wait=1'),
          headers: { 's2-basin': basin, 'content-type': 's2s/proto' },
        })
        expect(await expectBatch(x)).toEqual({ records: [], tail: { seq_num: 0, timestamp: 0 } })
        clock.advance(1000)
        expect(await x.nextFrame()).toBeNull()
        expect(x.body.ended).toBe(true)
      } finally {
        client.destroy()
      }
    })
  }
})

describe('S2S over h2: error responses', () => {
  it('sends a pre-session JSON error body in a single DATA frame (the SDK parses each DATA chunk as JSON)', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ body: 'a', timestamp: 99 }])
    const x = readSession('h2', basin, stream, 'seq_num=50')
    expect((await x.head).status).toBe(416)
    const text = await x.text()
    expect(JSON.parse(text)).toEqual({ tail: { seq_num: 1, timestamp: 99 } })
    expect(x.body.chunks).toBe(1)
  })
})

