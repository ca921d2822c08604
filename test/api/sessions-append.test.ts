import { randomBytes } from 'node:crypto'
import {
  AppendInput,
  AppendRecord,
  BatchTransform,
  FencingTokenMismatchError,
  Producer,
  S2Error,
  SeqNumMismatchError,
  type AppendAck,
  type S2Compression,
  type SessionTransports,
} from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'
import {
  appendUnary,
  bytesOf,
  makeClient,
  readAll,
  readAllBytes,
  rejection,
  settle,
  stringRecords,
  TRANSPORTS,
  useStreamHandles,
} from '../support/sessions.ts'

/**
 * Append sessions through the SDK, one conformance list run over every session transport:
 * S2S over h2c (pipelined) and fetch (serial unary POSTs). s2-lite §5, §7.3; the SDK's wire behaviour §2.4–2.5, §4.
 */
const t = useEmulator({ heartbeatMs: 50 })
const openStream = useStreamHandles()

const checkAckChain = (acks: readonly AppendAck[], sizes: readonly number[]): void => {
  expect(acks).toHaveLength(sizes.length)
  let expected = 0
  let lastTail = 0
  acks.forEach((ack, i) => {
    expect(ack.start.seqNum).toBe(expected)
    expect(ack.end.seqNum - ack.start.seqNum).toBe(sizes[i])
    expect(ack.tail.seqNum).toBeGreaterThanOrEqual(ack.end.seqNum)
    expect(ack.tail.seqNum).toBeGreaterThanOrEqual(lastTail)
    expect(ack.end.timestamp.getTime()).toBeGreaterThanOrEqual(ack.start.timestamp.getTime())
    lastTail = ack.tail.seqNum
    expected = ack.end.seqNum
  })
}

function appendSessionCases(transport: SessionTransports): void {
  const stream = async () => {
    const { basin, stream: name } = await t.stream()
    return { basin, name, handle: openStream(t.s2, basin, name, transport) }
  }

  it('acks 200 pipelined batches in order, contiguously, each spanning its batch, and the records read back in order', async () => {
    const { handle } = await stream()
    const session = await handle.appendSession()
    const sizes = Array.from({ length: 200 }, (_, i) => (i % 5) + 1)
    const pending: Promise<AppendAck>[] = []
    let n = 0
    for (const size of sizes) {
      const ticket = await session.submit(AppendInput.create(stringRecords('p', size, n)))
      n += size
      pending.push(ticket.ack())
    }
    const acks = await Promise.all(pending)
    await session.close()
    checkAckChain(acks, sizes)
    expect(acks.at(-1)?.end.seqNum).toBe(n)
    expect(session.lastAckedPosition()?.end.seqNum).toBe(n)
    expect(session.failureCause()).toBeUndefined()

    const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: n } } })
    expect(records.map((r) => r.seqNum)).toEqual(Array.from({ length: n }, (_, i) => i))
    expect(records.map((r) => r.body)).toEqual(Array.from({ length: n }, (_, i) => `p${i}`))
    expect((await handle.checkTail()).tail.seqNum).toBe(n)
  })

  it('delivers the same acks on the acks() stream as on the tickets', async () => {
    const { handle } = await stream()
    const session = await handle.appendSession()
    // Read exactly ten acks and release the reader: cancelling the acks stream would abort the session.
    const reader = session.acks().getReader()
    const fromStream: AppendAck[] = []
    const drained = (async () => {
      while (fromStream.length < 10) {
        const { done, value } = await reader.read()
        if (done) break
        fromStream.push(value)
      }
      reader.releaseLock()
    })()
    const tickets = []
    for (let i = 0; i < 10; i++) tickets.push(await session.submit(AppendInput.create(stringRecords('a', 2, 2 * i))))
    const fromTickets = await Promise.all(tickets.map((ticket) => ticket.ack()))
    await drained
    await session.close()
    expect(fromStream.map((a) => [a.start.seqNum, a.end.seqNum])).toEqual(fromTickets.map((a) => [a.start.seqNum, a.end.seqNum]))
    checkAckChain(fromTickets, Array.from({ length: 10 }, () => 2))
  })

  it('applies inputs whose match_seq_num is right, fails the session with SeqNumMismatchError(expected tail) on a wrong one, and applies nothing after it', async () => {
    const { handle } = await stream()
    await appendUnary(handle, 'pre', 1, 2)
    const session = await handle.appendSession()
    const good = settle(session.submit(AppendInput.create(stringRecords('g', 1), { matchSeqNum: 2 })).then((x) => x.ack()))
    const bad = settle(session.submit(AppendInput.create(stringRecords('b', 1), { matchSeqNum: 99 })).then((x) => x.ack()))
    const later = settle(session.submit(AppendInput.create(stringRecords('l', 1))).then((x) => x.ack()))
    const goodAck = await good
    expect(goodAck.ok && goodAck.value.start.seqNum).toBe(2)
    const error = rejection(await bad)
    expect(error).toBeInstanceOf(SeqNumMismatchError)
    expect((error as SeqNumMismatchError).status).toBe(412)
    expect((error as SeqNumMismatchError).expectedSeqNum).toBe(3)
    expect((error as SeqNumMismatchError).message).toContain('sequence number mismatch')
    expect((await later).ok).toBe(false)
    expect(session.failureCause()).toBeInstanceOf(SeqNumMismatchError)
    await expect(session.close()).rejects.toBeInstanceOf(SeqNumMismatchError)
    expect((await handle.checkTail()).tail.seqNum).toBe(3)
    const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(records.map((r) => r.body)).toEqual(['pre0', 'pre1', 'g0'])
  })

  it('applies inputs with the current fencing token, fails with FencingTokenMismatchError on another, and applies nothing after it', async () => {
    const { handle } = await stream()
    await handle.append(AppendInput.create([AppendRecord.fence('tok-a')]))
    const session = await handle.appendSession()
    const good = settle(session.submit(AppendInput.create(stringRecords('g', 2), { fencingToken: 'tok-a' })).then((x) => x.ack()))
    const bad = settle(session.submit(AppendInput.create(stringRecords('b', 1), { fencingToken: 'tok-b' })).then((x) => x.ack()))
    const later = settle(session.submit(AppendInput.create(stringRecords('l', 1), { fencingToken: 'tok-a' })).then((x) => x.ack()))
    const goodAck = await good
    expect(goodAck.ok && [goodAck.value.start.seqNum, goodAck.value.end.seqNum]).toEqual([1, 3])
    const error = rejection(await bad)
    expect(error).toBeInstanceOf(FencingTokenMismatchError)
    expect((error as FencingTokenMismatchError).status).toBe(412)
    expect((error as FencingTokenMismatchError).expectedFencingToken).toBe('tok-a')
    expect((await later).ok).toBe(false)
    await expect(session.close()).rejects.toBeInstanceOf(FencingTokenMismatchError)
    expect((await handle.checkTail()).tail.seqNum).toBe(3)
  })

  it('fails the session with a 422 S2Error for an input that breaks a record rule, after acking the inputs before it', async () => {
    const { handle } = await stream()
    const session = await handle.appendSession()
    const good = settle(session.submit(AppendInput.create(stringRecords('g', 1))).then((x) => x.ack()))
    // A header with an empty name is only allowed as the single header of a command record.
    const invalid = AppendRecord.string({ body: 'x', headers: [['', 'fence'], ['k', 'v']] })
    const bad = settle(session.submit(AppendInput.create([invalid])).then((x) => x.ack()))
    expect((await good).ok).toBe(true)
    const error = rejection(await bad)
    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(422)
    expect((error as S2Error).code).toBe('invalid')
    await expect(session.close()).rejects.toBeInstanceOf(S2Error)
    expect((await handle.checkTail()).tail.seqNum).toBe(1)
  })

  it('appends 1000 records through a Producer: per-record acks with seq_nums in submission order', async () => {
    const { handle } = await stream()
    const producer = new Producer(new BatchTransform({ lingerDurationMillis: 2, maxBatchRecords: 64 }), await handle.appendSession())
    const acks = []
    for (let i = 0; i < 1000; i++) acks.push((await producer.submit(AppendRecord.string({ body: `rec-${i}` }))).ack())
    const resolved = await Promise.all(acks)
    await producer.close()
    expect(resolved.map((a) => a.seqNum())).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    for (const ack of resolved) {
      const batch = ack.batchAppendAck()
      expect(batch.start.seqNum + ack.index).toBe(ack.seqNum())
      expect(ack.seqNum()).toBeLessThan(batch.end.seqNum)
      expect(batch.end.seqNum - batch.start.seqNum).toBeLessThanOrEqual(64)
    }
    // The records were batched, not sent one by one.
    expect(new Set(resolved.map((a) => a.batchAppendAck().start.seqNum)).size).toBeLessThan(1000)
    const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 1000 } } })
    expect(records.map((r) => r.body)).toEqual(Array.from({ length: 1000 }, (_, i) => `rec-${i}`))
  })

  it('round-trips string records with unicode bodies and headers, and empty bodies and header values', async () => {
    const { handle } = await stream()
    const input = [
      { body: 'héllo wörld 🌍', headers: [['k', 'v'] as const, ['ünïcødé', '☃ snow'] as const] },
      { body: '', headers: [['empty-value', ''] as const] },
      { body: 'line1\nline2\r\n"quoted"\u0000nul', headers: [] },
    ]
    const session = await handle.appendSession()
    const ack = await (await session.submit(AppendInput.create(input.map((r) => AppendRecord.string(r))))).ack()
    await session.close()
    expect([ack.start.seqNum, ack.end.seqNum]).toEqual([0, 3])
    const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 } } })
    expect(records.map((r) => ({ body: r.body, headers: r.headers }))).toEqual(input)
  })

  it('round-trips bytes records (any byte value, bytes headers) appended in a session and read with as: "bytes"', async () => {
    const { handle } = await stream()
    const bodies = [Uint8Array.from([0, 1, 2, 0xff, 0xfe, 0x80]), Uint8Array.from([0xc3, 0x28]), new Uint8Array(0)]
    const header: [Uint8Array, Uint8Array] = [Uint8Array.from([0x6b, 0xff]), Uint8Array.from([0x00, 0x9f])]
    const session = await handle.appendSession()
    const ticket = await session.submit(AppendInput.create(bodies.map((body) => AppendRecord.bytes({ body, headers: [header] }))))
    expect((await ticket.ack()).end.seqNum).toBe(3)
    await session.close()
    const records = await readAllBytes(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 } } })
    expect(records.map((r) => bytesOf(r.body))).toEqual(bodies.map(bytesOf))
    for (const r of records) expect(r.headers.map(([k, v]) => [bytesOf(k), bytesOf(v)])).toEqual([header.map(bytesOf)])
  })

  it('appends a batch mixing string and bytes records (sent as protobuf) and reads it back as strings', async () => {
    const { handle } = await stream()
    const session = await handle.appendSession()
    const records = [
      AppendRecord.string({ body: 'text', headers: [['h', 'one']] }),
      AppendRecord.bytes({ body: new TextEncoder().encode('binary-but-utf8'), headers: [['h', 'two']] }),
    ]
    await (await session.submit(AppendInput.create(records))).ack()
    await session.close()
    const read = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 2 } } })
    expect(read.map((r) => [r.body, r.headers])).toEqual([
      ['text', [['h', 'one']]],
      ['binary-but-utf8', [['h', 'two']]],
    ])
  })

  it('reads bytes records appended by a unary protobuf append in a bytes read session', async () => {
    const { handle } = await stream()
    const bodies = Array.from({ length: 5 }, (_, i) => Uint8Array.from([i, 0xff - i, 0]))
    const ack = await handle.append(AppendInput.create(bodies.map((body) => AppendRecord.bytes({ body, headers: [['n', `${bodies.indexOf(body)}`]] }))))
    expect([ack.start.seqNum, ack.end.seqNum, ack.tail.seqNum]).toEqual([0, 5, 5])
    const records = await readAllBytes(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
    expect(records.map((r) => bytesOf(r.body))).toEqual(bodies.map(bytesOf))
    expect(records.map((r) => new TextDecoder().decode(r.headers[0]?.[1]))).toEqual(['0', '1', '2', '3', '4'])
  })

  it('reads session-appended bytes records with a unary protobuf read (as: "bytes")', async () => {
    const { handle } = await stream()
    const bodies = Array.from({ length: 4 }, (_, i) => Uint8Array.from([0x80 + i, 0, i]))
    const session = await handle.appendSession()
    for (const body of bodies) await (await session.submit(AppendInput.create([AppendRecord.bytes({ body })]))).ack()
    await session.close()
    const batch = await handle.read({ start: { from: { seqNum: 1 } }, stop: { limits: { count: 10 } } }, { as: 'bytes' })
    expect(batch.records.map((r) => r.seqNum)).toEqual([1, 2, 3])
    expect(batch.records.map((r) => bytesOf(r.body))).toEqual(bodies.slice(1).map(bytesOf))
    expect(batch.tail).toBeUndefined()
  })

  it('keeps every byte of 1.2 MB of random records appended in 40 KB inputs (which S2S sends in several HTTP/2 frames each)', async () => {
    // Past its first 256 KiB, a session's inputs are joined into shared slabs (store/slabs.ts):
    // each record must read back as it was sent, none overwritten by a later input.
    const { handle } = await stream()
    const inputs = Array.from({ length: 30 }, () => Array.from({ length: 400 }, () => new Uint8Array(randomBytes(100))))
    const session = await handle.appendSession()
    const pending = []
    for (const bodies of inputs) pending.push((await session.submit(AppendInput.create(bodies.map((body) => AppendRecord.bytes({ body }))))).ack())
    checkAckChain(await Promise.all(pending), inputs.map((bodies) => bodies.length))
    await session.close()
    const records = await readAllBytes(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 12_000 } } })
    expect(records).toHaveLength(12_000)
    const sent = Buffer.concat(inputs.flat())
    const read = Buffer.concat(records.map((r) => r.body))
    expect(read.equals(sent)).toBe(true)
  })

  for (const compression of ['gzip', 'zstd'] as const satisfies readonly S2Compression[]) {
    it(`appends and reads records of several KiB with compression: '${compression}'`, async () => {
      const { basin, name } = await stream()
      const client = makeClient(t.url, { compression })
      const handle = openStream(client, basin, name, transport)
      const body = (i: number): string => `${i}:`.padEnd(6000, `compressible-${compression}-${i % 7}-`)
      const session = await handle.appendSession()
      const pending = []
      for (let b = 0; b < 10; b++) {
        const records = Array.from({ length: 4 }, (_, j) => AppendRecord.string({ body: body(4 * b + j), headers: [['i', `${4 * b + j}`]] }))
        pending.push((await session.submit(AppendInput.create(records))).ack())
      }
      checkAckChain(await Promise.all(pending), Array.from({ length: 10 }, () => 4))
      await session.close()
      const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 40 } } })
      expect(records.map((r) => r.body)).toEqual(Array.from({ length: 40 }, (_, i) => body(i)))
      expect(records.map((r) => r.headers[0]?.[1])).toEqual(Array.from({ length: 40 }, (_, i) => `${i}`))
      const bytes = await readAllBytes(handle, { start: { from: { seqNum: 38 } }, stop: { limits: { count: 2 } } })
      expect(bytes.map((r) => new TextDecoder().decode(r.body))).toEqual([body(38), body(39)])
    })
  }
}

for (const transport of TRANSPORTS) {
  describe(`append sessions over ${transport}`, () => appendSessionCases(transport))
}
