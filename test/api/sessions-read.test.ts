import {
  AppendInput,
  AppendRecord,
  RangeNotSatisfiableError,
  S2Error,
  type AppendAck,
  type ReadRecord,
  type ReadSession,
  type S2Stream,
  type SessionTransports,
} from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'
import { until } from '../support/process.ts'
import {
  appendUnary,
  makeClient,
  readAll,
  readOutcome,
  settle,
  stringRecords,
  take,
  TRANSPORTS,
  useStreamHandles,
} from '../support/sessions.ts'

/**
 * Read sessions through the SDK, one conformance list run over every session transport: S2S over
 * h2c and SSE (fetch). s2-lite §6.2, §6.4, §6.5, §7.4; the SDK's wire behaviour §2.4–2.5, §4, §7.3–7.5.
 */
const t = useEmulator({ heartbeatMs: 50 })
const openStream = useStreamHandles()

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

/** Reads from `session` and calls `onCount(n)` after the n-th record, until the session ends by itself. */
async function drain<F extends 'string' | 'bytes'>(
  session: ReadSession<F>,
  onCount: (n: number) => void = () => {},
): Promise<ReadRecord<F>[]> {
  const records: ReadRecord<F>[] = []
  for await (const record of session) {
    records.push(record)
    onCount(records.length)
  }
  return records
}

/** Reads exactly `n` records through a reader that stays locked to the (still open) session. */
async function readN(reader: ReadableStreamDefaultReader<ReadRecord>, n: number): Promise<ReadRecord[]> {
  const records: ReadRecord[] = []
  while (records.length < n) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`session ended after ${records.length} of ${n} records`)
    records.push(value)
  }
  return records
}

function readSessionCases(transport: SessionTransports): void {
  /** A fresh stream; `reader` is this test's handle, `writer` a handle from a separate client. */
  const stream = async (records = 0) => {
    const { basin, stream: name } = await t.stream()
    const reader = openStream(t.s2, basin, name, transport)
    const writer = openStream(makeClient(t.url), basin, name, transport)
    if (records > 0) await appendUnary(writer, 'r', 1, records)
    return { basin, name, reader, writer }
  }
  /** Appends records `r${from}`… with one unary append. */
  const appendMore = (writer: S2Stream, from: number, n: number): Promise<AppendAck> =>
    writer.append(AppendInput.create(stringRecords('r', n, from)))

  it('catches up on the existing records, then follows records appended by another client, in order', async () => {
    const { reader, writer } = await stream(10)
    const session = await reader.readSession({ start: { from: { seqNum: 0 } } })
    let writing: Promise<unknown> = Promise.resolve()
    const records: ReadRecord[] = []
    for await (const record of session) {
      records.push(record)
      if (records.length === 10) {
        writing = (async () => {
          const append = await writer.appendSession()
          const acks = []
          for (let b = 0; b < 5; b++) acks.push((await append.submit(AppendInput.create(stringRecords('r', 4, 10 + 4 * b)))).ack())
          await Promise.all(acks)
          await append.close()
        })()
      }
      if (records.length === 30) break
    }
    await writing
    expect(records.map((r) => r.seqNum)).toEqual(range(0, 30))
    expect(records.map((r) => r.body)).toEqual(range(0, 30).map((i) => `r${i}`))
  })

  it('starts at the tail when no start is given and delivers only records appended afterwards', async () => {
    const { reader, writer } = await stream(3)
    const session = await reader.readSession()
    expect(await session.caughtUp()).toMatchObject({ seqNum: 3 })
    await appendMore(writer, 3, 2)
    const records = await take(session, 2)
    expect(records.map((r) => [r.seqNum, r.body])).toEqual([
      [3, 'r3'],
      [4, 'r4'],
    ])
  })

  it('clamps a start beyond the tail to the tail with clamp: true, and follows from there', async () => {
    const { reader, writer } = await stream(3)
    const session = await reader.readSession({ start: { from: { seqNum: 100 }, clamp: true } })
    await session.caughtUp()
    await appendMore(writer, 3, 1)
    expect((await take(session, 1)).map((r) => r.seqNum)).toEqual([3])
  })

  it('delivers to a follower the records of a batch that trims them; a new read then starts after the trim', async () => {
    const { reader, writer } = await stream(2)
    const session = await reader.readSession({ start: { from: { seqNum: 2 } } })
    await session.caughtUp()
    await writer.append(
      AppendInput.create([...stringRecords('r', 2, 2), AppendRecord.trim(Number.MAX_SAFE_INTEGER), AppendRecord.fence('done')]),
    )
    const live = await take(session, 4)
    expect(live.map((r) => [r.seqNum, r.body])).toEqual([
      [2, 'r2'],
      [3, 'r3'],
      [4, expect.any(String)],
      [5, 'done'],
    ])
    // New reads stop seeing the trimmed records once background work applies the trim (trimDelayMs).
    await until(async () => (await readAll(reader, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })).length === 1)
    const later = await readAll(reader, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(later.map((r) => [r.seqNum, r.body])).toEqual([[5, 'done']])
  })

  it('starts tail_offset records before the tail', async () => {
    const { reader } = await stream(10)
    const records = await readAll(reader, { start: { from: { tailOffset: 3 } }, stop: { limits: { count: 100 } } })
    expect(records.map((r) => r.seqNum)).toEqual([7, 8, 9])
  })

  it('is not caught up before reading; caughtUp() resolves with the tail once every record is read, and again after a live batch', async () => {
    const { reader, writer } = await stream(30)
    const session = await reader.readSession({ start: { from: { seqNum: 0 } } })
    expect(session.isCaughtUp()).toBe(false)
    const records = session.getReader()
    try {
      expect((await readN(records, 30)).map((r) => r.seqNum)).toEqual(range(0, 30))
      const tail = await session.caughtUp()
      expect(tail.seqNum).toBe(30)
      expect(session.isCaughtUp()).toBe(true)
      expect(session.nextReadPosition()?.seqNum).toBe(30)
      expect(session.lastObservedTail()?.seqNum).toBe(30)

      await appendMore(writer, 30, 5)
      expect((await readN(records, 5)).map((r) => r.seqNum)).toEqual(range(30, 35))
      expect((await session.caughtUp()).seqNum).toBe(35)
      expect(session.isCaughtUp()).toBe(true)
      expect(session.lastObservedTail()?.seqNum).toBe(35)
    } finally {
      await records.cancel()
    }
  })

  it('is caught up at tail 0 on an empty stream without any record', async () => {
    const { reader } = await stream()
    const session = await reader.readSession({ start: { from: { seqNum: 0 } } })
    const tail = await session.caughtUp()
    expect(tail.seqNum).toBe(0)
    expect(session.isCaughtUp()).toBe(true)
    await session.cancel()
  })

  it('ends a bounded catch-up read that stops short of the tail without ever being caught up (caughtUp() rejects SESSION_CLOSED)', async () => {
    const { reader } = await stream(30)
    const session = await reader.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
    const caughtUp = settle(session.caughtUp())
    expect((await drain(session)).map((r) => r.seqNum)).toEqual(range(0, 5))
    const outcome = await caughtUp
    expect(outcome.ok).toBe(false)
    expect(!outcome.ok && outcome.error instanceof S2Error && outcome.error.code).toBe('SESSION_CLOSED')
    expect(session.isCaughtUp()).toBe(false)
  })

  it('ends a catch-up read at the count limit', async () => {
    const { reader } = await stream(20)
    const records = await readAll(reader, { start: { from: { seqNum: 4 } }, stop: { limits: { count: 7 } } })
    expect(records.map((r) => r.seqNum)).toEqual(range(4, 11))
  })

  it('ends a catch-up read at the bytes limit without splitting a record', async () => {
    const { reader, writer } = await stream()
    // 8 + 92 = 100 metered bytes each.
    await writer.append(AppendInput.create(Array.from({ length: 10 }, () => AppendRecord.string({ body: 'x'.repeat(92) }))))
    const exact = await readAll(reader, { start: { from: { seqNum: 0 } }, stop: { limits: { bytes: 300 } } })
    expect(exact.map((r) => r.seqNum)).toEqual([0, 1, 2])
    const partial = await readAll(reader, { start: { from: { seqNum: 0 } }, stop: { limits: { bytes: 399 } } })
    expect(partial.map((r) => r.seqNum)).toEqual([0, 1, 2])
  })

  it('ends a following read when live records reach the count limit, truncating the live batch', async () => {
    const { reader, writer } = await stream(5)
    const session = await reader.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 8 }, waitSecs: 10 } })
    let writing: Promise<unknown> = Promise.resolve()
    const records = await drain(session, (n) => {
      if (n === 5) writing = appendMore(writer, 5, 5)
    })
    await writing
    expect(records.map((r) => r.seqNum)).toEqual(range(0, 8))
    expect((await writer.checkTail()).tail.seqNum).toBe(10)
  })

  it('ends a following read when live records reach the bytes limit', async () => {
    const { reader, writer } = await stream()
    const record = (): AppendRecord => AppendRecord.string({ body: 'y'.repeat(92) })
    await writer.append(AppendInput.create([record(), record(), record()]))
    const session = await reader.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { bytes: 750 }, waitSecs: 10 } })
    let writing: Promise<unknown> = Promise.resolve()
    const records = await drain(session, (n) => {
      if (n === 3) writing = writer.append(AppendInput.create(Array.from({ length: 10 }, record)))
    })
    await writing
    expect(records.map((r) => r.seqNum)).toEqual(range(0, 7))
  })

  it('ends following sessions once `wait` passes with no new record, on a stream with records and on an empty one', async () => {
    const { reader } = await stream(3)
    const empty = await stream()
    const [withRecords, none] = await Promise.all([
      (async () => {
        const session = await reader.readSession({ start: { from: { seqNum: 0 } }, stop: { waitSecs: 1 } })
        return { records: await drain(session), session }
      })(),
      (async () => {
        const session = await empty.reader.readSession({ start: { from: { seqNum: 0 } }, stop: { waitSecs: 1 } })
        return { records: await drain(session), session }
      })(),
    ])
    expect(withRecords.records.map((r) => r.seqNum)).toEqual([0, 1, 2])
    // The session reached the tail (heartbeat) before the wait ran out, and a clean end keeps that.
    expect(withRecords.session.lastObservedTail()?.seqNum).toBe(3)
    expect(withRecords.session.isCaughtUp()).toBe(true)
    expect(none.records).toEqual([])
    expect(none.session.lastObservedTail()?.seqNum).toBe(0)
  })

  it('fails a read of a missing stream with S2Error 404 stream_not_found', async () => {
    const basin = await t.basin()
    const handle = openStream(t.s2, basin, 'no-such-stream', transport)
    const { records, error } = await readOutcome(handle, { start: { from: { seqNum: 0 } } })
    expect(records).toEqual([])
    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(404)
    expect((error as S2Error).code).toBe('stream_not_found')
  })

  it('fails a read starting beyond the tail with RangeNotSatisfiableError carrying the tail', async () => {
    const { reader } = await stream(3)
    const { records, error } = await readOutcome(reader, { start: { from: { seqNum: 10 } } })
    expect(records).toEqual([])
    expect(error).toBeInstanceOf(RangeNotSatisfiableError)
    expect((error as RangeNotSatisfiableError).status).toBe(416)
    expect((error as RangeNotSatisfiableError).tail?.seqNum).toBe(3)
  })

  it('gives ten readers following one stream exactly the same 10,000 records, in order, while a writer appends them', async () => {
    const { basin, name, writer } = await stream()
    const readers = await Promise.all(
      range(0, 10).map(async () => openStream(t.s2, basin, name, transport).readSession({ start: { from: { seqNum: 0 } } })),
    )
    const reading = readers.map((session) => take(session, 10_000))
    const append = await writer.appendSession()
    const acks = []
    for (let b = 0; b < 100; b++) acks.push((await append.submit(AppendInput.create(stringRecords('w', 100, 100 * b)))).ack())
    const resolved = await Promise.all(acks)
    await append.close()
    expect(resolved.map((a) => a.start.seqNum)).toEqual(range(0, 100).map((b) => 100 * b))

    const expectedSeqNums = range(0, 10_000)
    const expectedBodies = expectedSeqNums.map((i) => `w${i}`)
    const results = await Promise.all(reading)
    for (const records of results) {
      expect(records.map((r) => r.seqNum)).toEqual(expectedSeqNums)
      expect(records.map((r) => r.body)).toEqual(expectedBodies)
    }
  })
}

for (const transport of TRANSPORTS) {
  describe(`read sessions over ${transport}`, () => readSessionCases(transport))
}
