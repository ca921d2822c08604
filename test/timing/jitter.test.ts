import { AppendInput, AppendRecord, type ReadRecord } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import type { S2Namespace, TimingInput } from 's2-emulator'
import { useEmulator } from '../support/emulator.ts'
import { advancingUntil, timedStream, type TimedStream } from '../support/timing.ts'

/**
 * Seeded jitter: delays drawn per request from a seed, so a run that found a race can be
 * replayed. Draws never break S2's order: a stream's records become stable, are acknowledged and
 * are delivered in sequence order; only different streams (and different sessions) may see their
 * turns reordered.
 */

const AT = Date.parse('2030-01-01T00:00:00.000Z')
const N = 12

describe('seeded jitter', () => {
  const t = useEmulator({ isolation: 'token' })
  const made: S2Namespace[] = []
  const stream = async (timing: TimingInput): Promise<TimedStream> => {
    const s = await timedStream(t.emulator, timing, AT)
    made.push(s.ns)
    return s
  }
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop()))
  })

  /**
   * Appends N records in one append session (so they arrive in order), then moves the frozen
   * clock 1 ms at a time: how many records are stable after each step.
   */
  async function stableTrace(timing: TimingInput): Promise<number[]> {
    const s = await stream(timing)
    const writer = s.s2.basin(s.basin).stream(s.stream, { forceTransport: 's2s' })
    const session = await writer.appendSession()
    try {
      // Submitted together: the SDK pipelines what is queued when it sends, then waits for the first ack.
      const tickets = await Promise.all(Array.from({ length: N }, (_, i) => session.submit(AppendInput.create([AppendRecord.string({ body: `r${i}` })]))))
      // Every input has arrived once the stable tail and what is held add up to N.
      for (;;) {
        const arrived = (await s.tail()).seq_num + (await s.held())
        if (arrived === N) break
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const trace: number[] = [(await s.tail()).seq_num]
      for (let ms = 0; ms < 25; ms++) {
        await s.advance(1)
        trace.push((await s.tail()).seq_num)
      }
      const acks = await Promise.all(tickets.map((ticket) => ticket.ack()))
      expect(acks.map((a) => a.start.seqNum)).toEqual(Array.from({ length: N }, (_, i) => i))
      return trace
    } finally {
      await session.close().catch(() => {})
      await writer.close()
    }
  }

  it('draws the same delays from the same seed, and others from another', async () => {
    const jitter = (seed: number): TimingInput => ({ commitMs: [0, 20], seed })
    const first = await stableTrace(jitter(7))
    expect(await stableTrace(jitter(7))).toEqual(first)
    expect(await stableTrace(jitter(8))).not.toEqual(first)
    // Records become stable in sequence order, and all of them by the largest delay.
    for (let i = 1; i < first.length; i++) expect(first[i]).toBeGreaterThanOrEqual(first[i - 1] as number)
    expect(first.at(-1)).toBe(N)
  })

  it('keeps acks and deliveries in sequence order, for every session of the stream', async () => {
    const s = await stream({ commitMs: [0, 30], ackMs: [0, 30], readMs: [0, 30], deliverMs: [0, 30], seed: 3 })
    const read = async (): Promise<string[]> => {
      const session = await s.s2.basin(s.basin).stream(s.stream, { forceTransport: 's2s' }).readSession({ start: { from: { seqNum: 0 } } })
      const bodies: string[] = []
      for await (const record of session as AsyncIterable<ReadRecord<'string'>>) {
        bodies.push(record.body)
        if (bodies.length === N) break
      }
      return bodies
    }
    const readers = [read(), read()]
    const writer = s.s2.basin(s.basin).stream(s.stream, { forceTransport: 's2s' })
    const session = await writer.appendSession()
    try {
      const tickets = await Promise.all(Array.from({ length: N }, (_, i) => session.submit(AppendInput.create([AppendRecord.string({ body: `r${i}` })]))))
      const acks = tickets.map((ticket) => ticket.ack())
      const answered = await advancingUntil(s.ns, Promise.all(acks))
      expect(answered.map((a) => a.start.seqNum)).toEqual(Array.from({ length: N }, (_, i) => i))
      for (let i = 1; i < N; i++) expect(answered[i]?.tail.seqNum).toBeGreaterThanOrEqual(answered[i - 1]?.tail.seqNum as number)
      const expected = Array.from({ length: N }, (_, i) => `r${i}`)
      expect(await advancingUntil(s.ns, Promise.all(readers))).toEqual([expected, expected])
    } finally {
      await session.close().catch(() => {})
      await writer.close()
    }
  })
})
