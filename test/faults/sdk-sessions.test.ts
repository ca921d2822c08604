import { AppendInput, AppendRecord, S2Error, type AppendAck, type AppendRetryPolicy, type S2Stream, type SessionTransports } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultAction } from '../../src/index.ts'
import { useEmulator } from '../support/emulator.ts'
import {
  appendUnary,
  makeClient,
  quickRetries,
  readOutcome,
  settle,
  storedBodies,
  stringRecords,
  TRANSPORTS,
  useStreamHandles,
} from '../support/sessions.ts'

/**
 * What the official SDK (@s2-dev/streamstore 0.27.0) really does when the emulator injects faults
 * into read and append sessions, over S2S (h2c) and the fetch transport (SSE reads); the SDK's wire behaviour
 * §3.2–3.3. Every test has its own basin and stream and scopes its rules to that stream.
 */
const t = useEmulator()
const openStream = useStreamHandles()
afterEach(async () => {
  await t.emulator.faults.clear()
})

const FIVE = { start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } } as const
const R5 = ['r0', 'r1', 'r2', 'r3', 'r4']

/** A fresh stream holding r0..r4, and a handle on it from a quickly retrying client (3 attempts, 10–20 ms). */
async function fresh(
  transport: SessionTransports,
  appendRetryPolicy: AppendRetryPolicy = 'all',
  records = 5,
): Promise<{ basin: string; stream: string; handle: S2Stream }> {
  const { basin, stream } = await t.stream()
  const client = makeClient(t.url, quickRetries(appendRetryPolicy))
  const handle = openStream(client, basin, stream, transport)
  if (records > 0) await appendUnary(handle, 'r', 1, records)
  return { basin, stream, handle }
}

/** Every record body of a stream, read with the fault-free test client. */
const bodies = (basin: string, stream: string): Promise<string[]> => storedBodies(t.s2, basin, stream)

/** Records the emulator has delivered to readers, from GET /metrics (this file's tests run one at a time). */
async function recordsServed(): Promise<number> {
  const res = await t.raw('GET', '/metrics')
  const line = res.text.split('\n').find((l) => l.startsWith('s2_emulator_records_read_total '))
  if (line === undefined) throw new Error(`no s2_emulator_records_read_total in /metrics:\n${res.text}`)
  return Number(line.split(' ')[1])
}

const wire = (transport: SessionTransports) => (transport === 's2s' ? 's2s' : 'sse')

for (const transport of TRANSPORTS) {
  describe(`read sessions over ${transport}`, () => {
    /** Arms `action` once on this stream's read sessions over this transport. */
    const arm = (stream: string, action: FaultAction) =>
      t.emulator.faults.add({ id: 'cut', match: { stream, operation: 'read', transport: wire(transport) }, action, times: 1 })

    it.each([
      ['an error 503 after 3 records', { type: 'error', status: 503, after: { records: 3 } }, 5],
      ['an error 503 before the session starts', { type: 'error', status: 503 }, 5],
      ['a reset before the session starts', { type: 'reset' }, 5],
      // The SDK's outcome is right, but the emulator drops the connection before the 3 records leave
      // (see the BUG test below), so the SDK starts over from 0 and the server serves 3 + 5.
      ['a reset after 3 records', { type: 'reset', after: { records: 3 } }, undefined],
    ] as const)('the SDK resumes after %s and delivers every record exactly once, in order', async (_, action, served) => {
      const { stream, handle } = await fresh(transport)
      await arm(stream, action)

      const before = await recordsServed()
      const { records, error } = await readOutcome(handle, FIVE)

      expect(error).toBeUndefined()
      expect(records.map((r) => r.seqNum)).toEqual([0, 1, 2, 3, 4])
      expect(records.map((r) => r.body)).toEqual(R5)
      // The fault fired once, and the SDK opened a second session...
      expect(await t.emulator.faults.get('cut')).toMatchObject({ fired: 1, matched: 2 })
      // ...which asked only for what it had not seen: the server served each record once.
      if (served !== undefined) expect((await recordsServed()) - before).toBe(served)
    })

    it('a reset after 3 records lets the 3 records reach the SDK first, so the resumed session serves only the other 2', async () => {
      const { stream, handle } = await fresh(transport)
      await arm(stream, { type: 'reset', after: { records: 3 } })

      const before = await recordsServed()
      const { records, error } = await readOutcome(handle, FIVE)

      expect(error).toBeUndefined()
      expect(records.map((r) => r.body)).toEqual(R5)
      expect((await recordsServed()) - before).toBe(5)
    })

    it('a clean truncation after 3 records ends the session early without an error and without a reconnect', async () => {
      const { stream, handle } = await fresh(transport)
      await arm(stream, { type: 'truncate', after: { records: 3 }, mode: 'clean' })

      const { records, error } = await readOutcome(handle, FIVE)

      expect(error).toBeUndefined()
      expect(records.map((r) => r.body)).toEqual(['r0', 'r1', 'r2'])
      expect(await t.emulator.faults.get('cut')).toMatchObject({ fired: 1, matched: 1 })
    })

    it('a stall of 300 ms after 3 records (under the idle timeout) only delays the session: every record arrives once', async () => {
      const { stream, handle } = await fresh(transport)
      await arm(stream, { type: 'stall', ms: 300, after: { records: 3 } })

      const started = performance.now()
      const { records, error } = await readOutcome(handle, FIVE)
      const elapsed = performance.now() - started

      expect(error).toBeUndefined()
      expect(records.map((r) => r.body)).toEqual(R5)
      expect(elapsed).toBeGreaterThanOrEqual(299)
      expect(await t.emulator.faults.get('cut')).toMatchObject({ fired: 1, matched: 1 })
    })

    it('latency of 150 ms per event shows in the time the session takes', async () => {
      const { stream, handle } = await fresh(transport)
      await arm(stream, { type: 'latency', ms: 150 })

      const started = performance.now()
      const { records, error } = await readOutcome(handle, FIVE)
      const elapsed = performance.now() - started

      expect(error).toBeUndefined()
      expect(records.map((r) => r.body)).toEqual(R5)
      expect(elapsed).toBeGreaterThanOrEqual(149)
    })

    it('a read session of about 64 KiB throttled to 128 KiB/s takes at least 0.4 s and delivers every record', async () => {
      const { basin, stream } = await t.stream()
      const handle = openStream(makeClient(t.url), basin, stream, transport)
      const body = 'x'.repeat(1000)
      await handle.append(AppendInput.create(Array.from({ length: 64 }, () => AppendRecord.string({ body }))))
      await arm(stream, { type: 'throttle', bytesPerSecond: 128 * 1024 })

      const started = performance.now()
      const { records, error } = await readOutcome(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 64 } } })
      const elapsed = performance.now() - started

      expect(error).toBeUndefined()
      expect(records).toHaveLength(64)
      expect(records.every((r) => r.body === body)).toBe(true)
      expect(elapsed).toBeGreaterThanOrEqual(400)
    })
  })
}

describe('truncation modes the SDK treats differently', () => {
  it('truncate mode rst over S2S (RST_STREAM) is fatal to the SDK: the session fails with status 0 and is not retried', async () => {
    const { stream, handle } = await fresh('s2s')
    await t.emulator.faults.add({
      id: 'rst',
      match: { stream, operation: 'read', transport: 's2s' },
      action: { type: 'truncate', after: { records: 3 }, mode: 'rst' },
      times: 1,
    })

    const { records, error } = await readOutcome(handle, FIVE)

    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(0)
    expect((error as S2Error).message).toContain('NGHTTP2_INTERNAL_ERROR')
    // The records 3.. never come: no reconnect, the SDK does not retry an RST.
    expect(records.length).toBeLessThan(5)
    expect(await t.emulator.faults.get('rst')).toMatchObject({ fired: 1, matched: 1 })
  })

  it('truncate mode rst over S2S after 3 records delivers those 3 records before the fatal error', async () => {
    const { stream, handle } = await fresh('s2s')
    await t.emulator.faults.add({
      match: { stream, operation: 'read', transport: 's2s' },
      action: { type: 'truncate', after: { records: 3 }, mode: 'rst' },
      times: 1,
    })

    const { records, error } = await readOutcome(handle, FIVE)

    expect(records.map((r) => r.body)).toEqual(['r0', 'r1', 'r2'])
    expect((error as S2Error).status).toBe(0)
  })

  it('truncate mode partial over SSE (half an event, then the end) makes the SDK reconnect and deliver every record once', async () => {
    const { stream, handle } = await fresh('fetch')
    await t.emulator.faults.add({
      id: 'partial',
      match: { stream, operation: 'read', transport: 'sse' },
      action: { type: 'truncate', after: { records: 3 }, mode: 'partial' },
      times: 1,
    })

    const { records, error } = await readOutcome(handle, FIVE)

    expect(error).toBeUndefined()
    expect(records.map((r) => r.body)).toEqual(R5)
    expect(await t.emulator.faults.get('partial')).toMatchObject({ fired: 1, matched: 2 })
  })

  it('a stall longer than the S2S idle timeout (20 s, not configurable in the SDK) makes the SDK reconnect and deliver every record once', { timeout: 60_000 }, async () => {
    const { stream, handle } = await fresh('s2s')
    // 21 s, not for ever: when the SDK times out it abandons the h2 stream without cancelling it, so
    // a stall without end would keep the stream, and the SDK's close() of the connection, hanging.
    await t.emulator.faults.add({
      id: 'stall',
      match: { stream, operation: 'read', transport: 's2s' },
      action: { type: 'stall', ms: 21_000, after: { records: 3 } },
      times: 1,
    })

    const { records, error } = await readOutcome(handle, FIVE)

    expect(error).toBeUndefined()
    expect(records.map((r) => r.seqNum)).toEqual([0, 1, 2, 3, 4])
    expect(records.map((r) => r.body)).toEqual(R5)
    // The SDK gave up on the silent session (408 TIMEOUT after 20 s) and opened a second one.
    expect(await t.emulator.faults.get('stall')).toMatchObject({ fired: 1, matched: 2 })
  })
})

describe('append sessions over S2S', () => {
  /** Submits a0, a1, a2 pipelined on one session and waits for every ack (or the failure). */
  async function submitThree(handle: S2Stream): Promise<{ acks: PromiseSettledResult<AppendAck>[]; failure: unknown }> {
    const session = await handle.appendSession()
    const pending: Promise<AppendAck>[] = []
    for (let i = 0; i < 3; i++) {
      const ticket = await session.submit(AppendInput.create(stringRecords('a', 1, i)))
      pending.push(ticket.ack())
    }
    const acks = await Promise.allSettled(pending)
    const closed = await settle(session.close())
    return { acks, failure: closed.ok ? session.failureCause() : closed.error }
  }

  const ackedAt = (acks: PromiseSettledResult<AppendAck>[]): (number | null)[] =>
    acks.map((a) => (a.status === 'fulfilled' ? a.value.start.seqNum : null))

  it('lose_ack (error 500) after 1 ack: the SDK re-sends the un-acked batches and the stream shows the duplicate (policy "all")', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'all', 0)
    await t.emulator.faults.add({
      id: 'lost',
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'error', status: 500, after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeUndefined()
    // a1 committed at 1 but its ack was lost; the retry wrote it again at 2, then a2 at 3.
    expect(ackedAt(acks)).toEqual([0, 2, 3])
    expect(await bodies(basin, stream)).toEqual(['a0', 'a1', 'a1', 'a2'])
    expect(await t.emulator.faults.get('lost')).toMatchObject({ fired: 1, matched: 2 })
  })

  it('lose_ack (reset) after 1 ack: the SDK re-sends on a new connection and the stream shows a1 twice (policy "all")', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'all', 0)
    await t.emulator.faults.add({
      id: 'lost',
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'reset', after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeUndefined()
    const written = await bodies(basin, stream)
    expect(written.filter((b) => b === 'a1')).toHaveLength(2)
    expect(written.slice(-2)).toEqual(['a1', 'a2'])
    // Every ticket resolved, the last one at the end of the stream.
    expect(ackedAt(acks).every((seq) => seq !== null)).toBe(true)
    expect(acks[2]?.status === 'fulfilled' && acks[2].value.end.seqNum).toBe(written.length)
    expect(await t.emulator.faults.get('lost')).toMatchObject({ fired: 1, matched: 2 })
  })

  it('lose_ack (reset) after 1 ack loses only the second ack: acks 0, 2, 3 and the stream a0 a1 a1 a2', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'all', 0)
    await t.emulator.faults.add({
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'reset', after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeUndefined()
    expect(ackedAt(acks)).toEqual([0, 2, 3])
    expect(await bodies(basin, stream)).toEqual(['a0', 'a1', 'a1', 'a2'])
  })

  it('lose_ack (reset) after 1 ack with policy "noSideEffects": the session fails instead of re-sending, and a1 is there once', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'noSideEffects', 0)
    await t.emulator.faults.add({
      id: 'lost',
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'reset', after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeInstanceOf(S2Error)
    expect(ackedAt(acks).slice(1)).toEqual([null, null])
    expect(await bodies(basin, stream)).toEqual(['a0', 'a1'])
    // No second session: nothing was re-sent.
    expect(await t.emulator.faults.get('lost')).toMatchObject({ fired: 1, matched: 1 })
  })

  it('lose_ack (error 500) after 1 ack with policy "noSideEffects": the SDK surfaces the 500, a0 is acked and a1 is there once', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'noSideEffects', 0)
    await t.emulator.faults.add({
      id: 'lost',
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'error', status: 500, after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeInstanceOf(S2Error)
    expect((failure as S2Error).status).toBe(500)
    expect(ackedAt(acks)).toEqual([0, null, null])
    expect(await bodies(basin, stream)).toEqual(['a0', 'a1'])
    expect(await t.emulator.faults.get('lost')).toMatchObject({ fired: 1, matched: 1 })
  })

  /** Pipelines `n` one-record batches `${prefix}${i}` on one session and waits for every ack. */
  async function pipeline(handle: S2Stream, prefix: string, n: number): Promise<AppendAck[]> {
    const session = await handle.appendSession()
    const pending: Promise<AppendAck>[] = []
    for (let i = 0; i < n; i++) pending.push((await session.submit(AppendInput.create(stringRecords(prefix, 1, i)))).ack())
    const acks = await Promise.all(pending)
    await session.close()
    return acks
  }
  const expected = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

  it('lose_ack (reset) on stream A resets only A\'s session: stream B, on the same client and connection, gets no duplicate', async () => {
    const { basin, stream: a } = await t.stream()
    const b = `${a}-b`
    await t.s2.basin(basin).streams.create({ stream: b })
    const client = makeClient(t.url, quickRetries('all', 5))
    await t.emulator.faults.add({
      id: 'lost',
      match: { stream: a, operation: 'append', transport: 's2s' },
      action: { type: 'lose_ack', mode: 'reset', after: { acks: 5 } },
      times: 3,
    })
    // B's acks leave 20 ms after each commit, so B always has a committed batch waiting for its ack.
    await t.emulator.faults.add({ match: { stream: b, operation: 'append', transport: 's2s' }, action: { type: 'latency', ms: 20 } })

    await Promise.all([pipeline(openStream(client, basin, a, 's2s'), 'a', 40), pipeline(openStream(client, basin, b, 's2s'), 'b', 40)])

    expect(await t.emulator.faults.get('lost')).toMatchObject({ fired: 3 })
    expect(await bodies(basin, b)).toEqual(expected('b', 40))
    // A's own retries may write a batch twice (its ack was lost), but every batch is there, in order.
    expect([...new Set(await bodies(basin, a))]).toEqual(expected('a', 40))
  })

  it('a reset after 2 acks in each of 10 sessions sharing one client duplicates nothing: each reset hits only its own session', async () => {
    const { basin } = await t.stream()
    const streams = Array.from({ length: 10 }, (_, i) => `shared-${i}`)
    for (const stream of streams) await t.s2.basin(basin).streams.create({ stream })
    const client = makeClient(t.url, quickRetries('all', 5))
    await t.emulator.faults.add({
      id: 'reset',
      match: { basin, operation: 'append', transport: 's2s' },
      action: { type: 'reset', after: { acks: 2 } },
      times: 10,
    })
    // Each ack leaves 5 to 40 ms after its commit, so when one session is reset others have commits in flight.
    await t.emulator.faults.add({ match: { basin, operation: 'append', transport: 's2s' }, action: { type: 'latency', ms: [5, 40] } })

    await Promise.all(streams.map((stream) => pipeline(openStream(client, basin, stream, 's2s'), 'r', 8)))

    expect(await t.emulator.faults.get('reset')).toMatchObject({ fired: 10 })
    for (const stream of streams) expect(await bodies(basin, stream)).toEqual(expected('r', 8))
  })

  it('reject_before_commit after 1 ack: the SDK re-sends on a new session and every batch is there exactly once', async () => {
    const { basin, stream, handle } = await fresh('s2s', 'all', 0)
    await t.emulator.faults.add({
      id: 'reject',
      match: { stream, operation: 'append', transport: 's2s' },
      action: { type: 'reject_before_commit', after: { acks: 1 } },
      times: 1,
    })

    const { acks, failure } = await submitThree(handle)

    expect(failure).toBeUndefined()
    expect(ackedAt(acks)).toEqual([0, 1, 2])
    expect(await bodies(basin, stream)).toEqual(['a0', 'a1', 'a2'])
    expect(await t.emulator.faults.get('reject')).toMatchObject({ fired: 1, matched: 2 })
  })
})
