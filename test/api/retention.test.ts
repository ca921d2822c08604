import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { setTimeout as realDelay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import {
  appendOk,
  bodies,
  checkTail,
  readRaw,
  type EmulatorContext,
  type WireAck,
  type WireRecord,
} from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'

// Retention by age (s2-lite §9.4) and the service's use of time (§5.6), on a virtual clock: the HTTP
// server runs for real, only time is driven by the test. The background interval is s2-lite's 60 s
// tick, so that advancing by days stays cheap.
const T0 = Date.UTC(2026, 0, 1)
const clock = new ManualClock(T0)
const t = useEmulator({ clock, backgroundIntervalMs: 60_000 })

const SEC = 1000
const DAY = 24 * 3600 * SEC

async function appendBodies(
  ctx: EmulatorContext,
  basin: string,
  stream: string,
  records: readonly { body: string; timestamp?: number }[],
): Promise<WireAck> {
  return appendOk(ctx, basin, stream, { records })
}

/** A unary read with this query, asserting 200; returns the records. */
async function read(basin: string, stream: string, query: string): Promise<WireRecord[]> {
  const res = await readRaw(t, basin, stream, query)
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 200 })
  return (res.json as { records: WireRecord[] }).records
}

/** Resolves once the clock has more than `count` pending timers (a request has started waiting on it). */
async function untilPendingTimersExceed(count: number): Promise<void> {
  for (let i = 0; i < 2000 && clock.pendingTimers <= count; i++) await realDelay(1)
  expect(clock.pendingTimers).toBeGreaterThan(count)
}

describe('retention by age', () => {
  it('removes a record from seq_num reads once the clock reaches its write time plus the age, and not a millisecond before', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 60 } })
    const written = clock.now()
    await appendBodies(t, basin, stream, [{ body: 'a' }, { body: 'b' }])
    clock.advance(30 * SEC)
    await appendBodies(t, basin, stream, [{ body: 'c' }])

    clock.set(written + 60 * SEC - 1)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['a', 'b', 'c'])

    clock.set(written + 60 * SEC)
    const afterFirstExpiry = await read(basin, stream, 'seq_num=0')
    expect(afterFirstExpiry.map((r) => [r.seq_num, r.body])).toEqual([[2, 'c']])

    // The SDK sees the same thing.
    const batch = await t.s2.basin(basin).stream(stream).read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(batch.records.map((r) => r.body)).toEqual(['c'])

    clock.set(written + 90 * SEC)
    expect(await read(basin, stream, 'seq_num=0')).toEqual([])
  })

  it('removes expired records from timestamp lookups: a read from an old timestamp starts at the first live record', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 10 } })
    const first = await appendBodies(t, basin, stream, [{ body: 'old' }])
    clock.advance(5 * SEC)
    const second = await appendBodies(t, basin, stream, [{ body: 'new' }])
    expect(second.start.timestamp).toBe(first.start.timestamp + 5 * SEC)

    expect(bodies(await read(basin, stream, `timestamp=${first.start.timestamp}`))).toEqual(['old', 'new'])
    clock.advance(5 * SEC)
    const fromOld = await read(basin, stream, `timestamp=${first.start.timestamp}`)
    expect(fromOld.map((r) => [r.seq_num, r.body])).toEqual([[1, 'new']])
    expect(await read(basin, stream, 'timestamp=0')).toEqual(fromOld)

    clock.advance(5 * SEC)
    expect(await read(basin, stream, `timestamp=${first.start.timestamp}`)).toEqual([])
    expect(await read(basin, stream, 'tail_offset=2')).toEqual([])
  })

  it('leaves the tail unchanged when records expire: check-tail still reports the next seq_num and the last timestamp', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 10 } })
    const ack = await appendBodies(t, basin, stream, [{ body: 'x' }, { body: 'y' }, { body: 'z' }])
    const before = await checkTail(t, basin, stream)
    expect(before).toEqual({ seq_num: 3, timestamp: ack.end.timestamp })

    // Long enough for the background work to run several times and free the records.
    clock.advance(10 * 60 * SEC)
    expect(await read(basin, stream, 'seq_num=0')).toEqual([])
    expect(await checkTail(t, basin, stream)).toEqual(before)

    // Appends continue from the same tail.
    const next = await appendBodies(t, basin, stream, [{ body: 'w' }])
    expect(next.start.seq_num).toBe(3)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['w'])
  })

  it('counts retention from write time, not from an old client timestamp', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 60 }, timestamping: { mode: 'client-prefer' } })
    const oldTimestamp = clock.now() - 30 * DAY
    const written = clock.now()
    const ack = await appendBodies(t, basin, stream, [{ body: 'backdated', timestamp: oldTimestamp }])
    expect(ack.start.timestamp).toBe(oldTimestamp)

    clock.set(written + 60 * SEC - 1)
    const live = await read(basin, stream, 'seq_num=0')
    expect(live.map((r) => [r.timestamp, r.body])).toEqual([[oldTimestamp, 'backdated']])
    expect(bodies(await read(basin, stream, `timestamp=${oldTimestamp}`))).toEqual(['backdated'])

    clock.set(written + 60 * SEC)
    expect(await read(basin, stream, 'seq_num=0')).toEqual([])
  })

  it('keeps the original expiry of written records when retention is lowered later', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 3600 } })
    const start = clock.now()
    await appendBodies(t, basin, stream, [{ body: 'long-lived' }])
    const patched = await t.raw('PATCH', `/v1/streams/${stream}`, {
      headers: { 's2-basin': basin },
      body: { retention_policy: { age: 10 } },
    })
    expect(patched.status).toBe(200)
    expect((patched.json as { retention_policy: unknown }).retention_policy).toEqual({ age: 10 })
    await appendBodies(t, basin, stream, [{ body: 'short-lived' }])

    clock.set(start + 10 * SEC)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['long-lived'])
    clock.set(start + 3600 * SEC - 1)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['long-lived'])
    clock.set(start + 3600 * SEC)
    expect(await read(basin, stream, 'seq_num=0')).toEqual([])
  })

  it('keeps the original expiry of written records when retention is raised or made infinite later', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { age: 10 } })
    const start = clock.now()
    await appendBodies(t, basin, stream, [{ body: 'short-lived' }])
    const patched = await t.raw('PATCH', `/v1/streams/${stream}`, {
      headers: { 's2-basin': basin },
      body: { retention_policy: { infinite: {} } },
    })
    expect(patched.status).toBe(200)
    await appendBodies(t, basin, stream, [{ body: 'forever' }])

    clock.set(start + 10 * SEC - 1)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['short-lived', 'forever'])
    clock.set(start + 10 * SEC)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['forever'])
  })

  it('never expires records under infinite retention, while the default retention of 7 days does', async () => {
    const infinite = await t.stream({ retention_policy: { infinite: {} } })
    const byDefault = await t.stream()
    const written = clock.now()
    await appendBodies(t, infinite.basin, infinite.stream, [{ body: 'kept' }])
    await appendBodies(t, byDefault.basin, byDefault.stream, [{ body: 'default' }])

    clock.set(written + 7 * DAY - 1)
    expect(bodies(await read(byDefault.basin, byDefault.stream, 'seq_num=0'))).toEqual(['default'])
    clock.set(written + 7 * DAY)
    expect(await read(byDefault.basin, byDefault.stream, 'seq_num=0')).toEqual([])

    clock.set(written + 30 * DAY)
    expect(bodies(await read(infinite.basin, infinite.stream, 'seq_num=0'))).toEqual(['kept'])
    expect(bodies(await read(infinite.basin, infinite.stream, `timestamp=${written}`))).toEqual(['kept'])
  })

  it("applies the basin's default retention to streams created without one", async () => {
    const { basin, stream } = await t.stream(undefined, { default_stream_config: { retention_policy: { age: 20 } } })
    const written = clock.now()
    await appendBodies(t, basin, stream, [{ body: 'r' }])
    clock.set(written + 20 * SEC - 1)
    expect(bodies(await read(basin, stream, 'seq_num=0'))).toEqual(['r'])
    clock.set(written + 20 * SEC)
    expect(await read(basin, stream, 'seq_num=0')).toEqual([])
  })
})

describe('the injected clock', () => {
  it('stamps records without a timestamp with the clock time of the append', async () => {
    const { basin, stream } = await t.stream()
    clock.advance(1234)
    const first = clock.now()
    const ack = await appendBodies(t, basin, stream, [{ body: 'a' }, { body: 'b' }])
    expect(ack.start).toEqual({ seq_num: 0, timestamp: first })
    expect(ack.end).toEqual({ seq_num: 2, timestamp: first })
    expect(ack.tail).toEqual({ seq_num: 2, timestamp: first })

    clock.advance(777)
    const viaSdk = await t.s2.basin(basin).stream(stream).append(AppendInput.create([AppendRecord.string({ body: 'c' })]))
    expect(viaSdk.start.timestamp.getTime()).toBe(first + 777)
    expect((await read(basin, stream, 'seq_num=0')).map((r) => r.timestamp)).toEqual([first, first, first + 777])
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 3, timestamp: first + 777 })
  })

  it('uses the clock time for every record in arrival mode, ignoring client timestamps', async () => {
    const { basin, stream } = await t.stream({ timestamping: { mode: 'arrival' } })
    clock.advance(10)
    const ack = await appendBodies(t, basin, stream, [{ body: 'a', timestamp: 5 }, { body: 'b', timestamp: clock.now() + DAY }])
    expect(ack.start.timestamp).toBe(clock.now())
    expect(ack.end.timestamp).toBe(clock.now())
  })

  it('caps client timestamps ahead of the clock at the clock time, unless uncapped', async () => {
    const capped = await t.stream({ timestamping: { mode: 'client-prefer', uncapped: false } })
    const uncapped = await t.stream({ timestamping: { mode: 'client-prefer', uncapped: true } })
    const future = clock.now() + 3600 * SEC
    const a = await appendBodies(t, capped.basin, capped.stream, [{ body: 'f', timestamp: future }])
    expect(a.start.timestamp).toBe(clock.now())
    const b = await appendBodies(t, uncapped.basin, uncapped.stream, [{ body: 'f', timestamp: future }])
    expect(b.start.timestamp).toBe(future)
  })

  it('stamps created_at and deleted_at with the clock time', async () => {
    const basin = await t.basin()
    clock.advance(2500)
    const createdAt = clock.now()
    const created = await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'timed' } })
    expect(created.status).toBe(201)
    expect(Date.parse((created.json as { created_at: string }).created_at)).toBe(createdAt)

    clock.advance(1500)
    const deletedAt = clock.now()
    expect((await t.raw('DELETE', '/v1/streams/timed', { headers: { 's2-basin': basin } })).status).toBe(202)
    const listed = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    const info = (listed.json as { streams: { name: string; created_at: string; deleted_at: string | null }[] }).streams
    expect(info).toHaveLength(1)
    expect(Date.parse(info[0]?.created_at ?? '')).toBe(createdAt)
    expect(Date.parse(info[0]?.deleted_at ?? '')).toBe(deletedAt)
  })

  it("measures a unary read's wait on the clock: it still delivers just before the wait ends and returns empty once it has", async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, [{ body: 'first' }])

    // wait=60 is the longest a unary read may wait; real time never gets near it in this test.
    const idle = clock.pendingTimers
    const delivering = readRaw(t, basin, stream, 'seq_num=1&wait=60')
    await untilPendingTimersExceed(idle)
    clock.advance(60 * SEC - 1)
    await appendBodies(t, basin, stream, [{ body: 'second' }])
    const delivered = await delivering
    expect(delivered.status).toBe(200)
    expect(bodies((delivered.json as { records: WireRecord[] }).records)).toEqual(['second'])

    const idleAgain = clock.pendingTimers
    const expiring = readRaw(t, basin, stream, 'seq_num=2&wait=60')
    await untilPendingTimersExceed(idleAgain)
    clock.advance(60 * SEC)
    const expired = await expiring
    expect(expired.status).toBe(200)
    expect(expired.json).toEqual({ records: [] })
  })
})
