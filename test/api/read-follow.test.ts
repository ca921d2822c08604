import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { appendJson, readJson, textRecords, type ReadBody } from '../support/append-helpers.ts'
import { useEmulator, type RawResponse } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'

// Unary long-polls (`wait`) on a clock that moves only when a test advances it: a read's deadline
// is a pending timer, so a test can see the read waiting and let its wait run out instantly.
// Heartbeats and background work are pushed an hour away so the read's deadline is the next timer.
const clock = new ManualClock(Date.UTC(2026, 0, 1))
const HOUR = 3_600_000
const t = useEmulator({ clock, heartbeatMs: HOUR, backgroundIntervalMs: HOUR })

/** Resolves once the earliest pending timer is due at `at`: a read is waiting for that deadline. */
async function waitingUntil(at: number): Promise<void> {
  const giveUp = Date.now() + 5000
  while (clock.nextTimerAt() !== at) {
    if (Date.now() > giveUp) throw new Error(`no read is waiting until ${at} (next timer: ${String(clock.nextTimerAt())})`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Starts a read with `wait=waitSecs` (added to `query`) and resolves, once it is waiting at the
 * tail, with its pending response (boxed, so that awaiting this does not await the response).
 */
async function longPoll(basin: string, stream: string, query: string, waitSecs: number): Promise<{ response: Promise<RawResponse> }> {
  const deadline = clock.now() + Math.min(waitSecs, 60) * 1000
  const response = readJson(t, basin, stream, `${query}${query === '' ? '' : '&'}wait=${waitSecs}`)
  await waitingUntil(deadline)
  return { response }
}

async function ok(pending: Promise<RawResponse>): Promise<ReadBody> {
  const res = await pending
  expect(res.status, res.text).toBe(200)
  return res.json as ReadBody
}

/** A promise's state without waiting for it (after letting pending I/O run briefly). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await new Promise((resolve) => setTimeout(resolve, 20))
  return done
}

describe('long-poll without new data', () => {
  it('answers 200 {"records":[]} with no tail once wait=1 runs out at the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('old', 2))
    const { response: pending } = await longPoll(basin, stream, '', 1)
    clock.advance(999)
    expect(await settled(pending)).toBe(false)
    clock.advance(1)
    const res = await pending
    expect(res.status).toBe(200)
    expect(res.text).toBe('{"records":[]}')
  })

  it('waits instead of answering 416 on an empty stream from seq_num 0 with wait > 0', async () => {
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, 'seq_num=0', 1)
    clock.advance(1000)
    expect(await ok(pending)).toStrictEqual({ records: [] })
  })

  it('waits instead of answering 416 at the tail even with count, bytes or until bounds when wait > 0', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('x', 2))
    for (const query of ['seq_num=2&count=10', 'tail_offset=0&bytes=100', 'seq_num=2&until=99999999999999']) {
      const { response: pending } = await longPoll(basin, stream, query, 1)
      clock.advance(1000)
      expect(await ok(pending)).toStrictEqual({ records: [] })
    }
  })

  it('clamps a start beyond the tail to the tail and waits, with clamp=true and wait > 0', async () => {
    // Unary form of s2-lite test_read_unwritten_clamp_behavior.
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'only' }])
    const { response: pending } = await longPoll(basin, stream, 'seq_num=100&clamp=true', 1)
    clock.advance(1000)
    expect(await ok(pending)).toStrictEqual({ records: [] })
    const { response: byTimestamp } = await longPoll(basin, stream, 'timestamp=5000&clamp=true', 1)
    clock.advance(1000)
    expect(await ok(byTimestamp)).toStrictEqual({ records: [] })
  })

  it('still answers 416 beyond the tail without clamp, even with wait', async () => {
    const { basin, stream } = await t.stream()
    const ack = await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'only' }])
    const res = await readJson(t, basin, stream, 'seq_num=100&wait=5')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: ack.end })
  })

  it('caps wait above 60 at 60 seconds', async () => {
    const { basin, stream } = await t.stream()
    for (const wait of [100, 4294967295]) {
      const start = clock.now()
      const pending = readJson(t, basin, stream, `wait=${wait}`)
      await waitingUntil(start + 60_000)
      clock.advance(60_000)
      expect(await ok(pending)).toStrictEqual({ records: [] })
    }
  })
})

describe('long-poll receiving new data', () => {
  it('returns a batch appended by another request while it waits, with the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('old', 3))
    const { response: pending } = await longPoll(basin, stream, '', 5)
    const ack = await appendJson(t, basin, stream, textRecords('new', 2))
    const batch = await ok(pending)
    expect(batch).toStrictEqual({
      records: [
        { seq_num: 3, timestamp: ack.start.timestamp, body: 'new-0' },
        { seq_num: 4, timestamp: ack.start.timestamp, body: 'new-1' },
      ],
      tail: ack.tail,
    })
    expect(ack.tail).toStrictEqual({ seq_num: 5, timestamp: ack.end.timestamp })
  })

  it('returns the live batch when waiting from an explicit seq_num at the tail', async () => {
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, 'seq_num=0', 5)
    const ack = await appendJson(t, basin, stream, [{ body: 'first', headers: [['h', 'v']] }])
    expect(await ok(pending)).toStrictEqual({
      records: [{ seq_num: 0, timestamp: ack.start.timestamp, headers: [['h', 'v']], body: 'first' }],
      tail: { seq_num: 1, timestamp: ack.start.timestamp },
    })
  })

  it('returns an append arriving during a wait above 60 seconds', async () => {
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, '', 100)
    const ack = await appendJson(t, basin, stream, textRecords('late', 1))
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.body)).toEqual(['late-0'])
    expect(batch.tail).toStrictEqual(ack.tail)
  })

  it('returns only the first live batch, not later ones', async () => {
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, '', 5)
    const first = await appendJson(t, basin, stream, textRecords('a', 2))
    await appendJson(t, basin, stream, textRecords('b', 3))
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.body)).toEqual(['a-0', 'a-1'])
    expect(batch.tail).toStrictEqual(first.tail)
    expect(batch.tail?.seq_num).toBe(2)
  })

  it('returns catch-up records at once, without waiting and without a tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('c', 3))
    // The clock never moves here: a read that waited would never answer.
    const batch = await ok(readJson(t, basin, stream, 'seq_num=1&wait=60'))
    expect(batch).toStrictEqual({
      records: [
        { seq_num: 1, timestamp: clock.now(), body: 'c-1' },
        { seq_num: 2, timestamp: clock.now(), body: 'c-2' },
      ],
    })
    const fromTailOffset = await ok(readJson(t, basin, stream, 'tail_offset=1&wait=60'))
    expect(fromTailOffset.records.map((r) => r.body)).toEqual(['c-2'])
    expect(fromTailOffset).not.toHaveProperty('tail')
  })

  it('truncates a live batch to the count limit', async () => {
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, 'count=2', 5)
    const ack = await appendJson(t, basin, stream, textRecords('f', 3))
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.body)).toEqual(['f-0', 'f-1'])
    expect(batch.tail).toStrictEqual(ack.tail)
  })

  it('truncates a live batch to the bytes limit', async () => {
    // s2-lite test_follow_mode_with_bytes_limit_truncates_live_batch; 'f-0' is 8 + 3 = 11 metered bytes.
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, 'bytes=22', 5)
    await appendJson(t, basin, stream, textRecords('f', 3))
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.body)).toEqual(['f-0', 'f-1'])
    expect(batch.tail?.seq_num).toBe(3)
  })

  it('answers {"records":[]} at once when the first live record is larger than the bytes limit', async () => {
    // s2-lite test_follow_mode_with_bytes_limit_smaller_than_first_live_record_closes_without_batch.
    const { basin, stream } = await t.stream()
    const { response: pending } = await longPoll(basin, stream, 'bytes=10', 5)
    await appendJson(t, basin, stream, textRecords('f', 1))
    // No clock advance: the read ends on the live record, not at its deadline.
    expect(await ok(pending)).toStrictEqual({ records: [] })
  })

  it('returns only live records before until, then ends', async () => {
    // s2-lite test_follow_mode_broadcast_lag_respects_timestamp_until, unary form.
    const { basin, stream } = await t.stream({ timestamping: { mode: 'client-require' } })
    const { response: pending } = await longPoll(basin, stream, 'seq_num=0&until=4000', 3)
    const ack = await appendJson(
      t,
      basin,
      stream,
      Array.from({ length: 50 }, (_, i) => ({ timestamp: (i + 1) * 1000, body: `r${i}` })),
    )
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.timestamp)).toEqual([1000, 2000, 3000])
    expect(batch.tail).toStrictEqual({ seq_num: 50, timestamp: 50_000 })
    expect(ack.tail).toStrictEqual({ seq_num: 50, timestamp: 50_000 })
  })

  it('returns the live records before until from the tail of a non-empty stream', async () => {
    // s2-lite test_follow_mode_with_timestamp_until, unary form.
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'initial' }])
    const { response: pending } = await longPoll(basin, stream, 'until=2500', 5)
    await appendJson(t, basin, stream, [
      { timestamp: 2000, body: 'before-cutoff' },
      { timestamp: 3000, body: 'after-cutoff' },
    ])
    const batch = await ok(pending)
    expect(batch.records.map((r) => r.body)).toEqual(['before-cutoff'])
    expect(batch.tail).toStrictEqual({ seq_num: 3, timestamp: 3000 })
  })

  it('answers {"records":[]} at once when the first live record is at or after until', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'initial' }])
    const { response: pending } = await longPoll(basin, stream, 'until=2500', 5)
    await appendJson(t, basin, stream, [{ timestamp: 2500, body: 'at-cutoff' }])
    expect(await ok(pending)).toStrictEqual({ records: [] })
  })
})

describe('the SDK long-polling', () => {
  it('gets a live batch with its tail from read with waitSecs', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    await s.append(AppendInput.create([AppendRecord.string({ body: 'before' })]))
    const deadline = clock.now() + 5000
    const pending = s.read({ start: { from: { tailOffset: 0 } }, stop: { waitSecs: 5 } })
    await waitingUntil(deadline)
    const ack = await appendJson(t, basin, stream, [{ body: 'live' }])
    const batch = await pending
    expect(batch.records.map((r) => [r.seqNum, r.body])).toEqual([[1, 'live']])
    expect(batch.tail?.seqNum).toBe(ack.tail.seq_num)
    expect(batch.tail?.timestamp.getTime()).toBe(ack.tail.timestamp)
  })

  it('gets an empty batch without a tail when the wait runs out', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    const deadline = clock.now() + 1000
    const pending = s.read({ start: { from: { seqNum: 0 } }, stop: { waitSecs: 1 } })
    await waitingUntil(deadline)
    clock.advance(1000)
    const batch = await pending
    expect(batch.records).toEqual([])
    expect(batch.tail).toBeUndefined()
  })
})
