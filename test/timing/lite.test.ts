import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import type { S2Namespace } from 's2-emulator'
import { recordsPath, type WireAck } from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'
import { ackOf, timedStream, tracked } from '../support/timing.ts'

/**
 * `lite` timing: s2-lite in memory. An append is sequenced at once (its positions, timestamps and
 * conditions are decided on arrival) and becomes stable at the next flush boundary of the
 * namespace's clock (every 5 ms by default): only then is it acknowledged, visible to reads and
 * check-tail, and delivered to followers. On a frozen clock, a test crosses boundaries by moving it.
 */

/** A flush boundary (a multiple of 5 ms) and the instant after it. */
const BOUNDARY = Date.parse('2030-01-01T00:00:00.000Z')
const AFTER = BOUNDARY + 1

describe('lite timing', () => {
  const t = useEmulator({ isolation: 'token' })
  const made: S2Namespace[] = []
  const stream = async (at = AFTER, config: Record<string, unknown> = {}) => {
    const s = await timedStream(t.emulator, 'lite', at, config)
    made.push(s.ns)
    return s
  }
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop()))
  })

  it('acknowledges an append on the next flush boundary, sequenced on arrival', async () => {
    const s = await stream()
    const ack = tracked(s.append(['a']))
    await s.untilHeld(1)
    await s.advance(3) // boundary + 4: one ms before the flush
    expect(await s.held()).toBe(1)
    expect(ack.settled).toBe(false)
    await s.advance(1) // the flush
    expect(ackOf(await ack.promise)).toEqual({
      start: { seq_num: 0, timestamp: AFTER },
      end: { seq_num: 1, timestamp: AFTER },
      tail: { seq_num: 1, timestamp: AFTER },
    })
    expect(await s.held()).toBe(0)
    expect(await s.tail()).toEqual({ seq_num: 1, timestamp: AFTER })
  })

  it('answers reads and check-tail issued before the flush without the records', async () => {
    const s = await stream()
    const ack = tracked(s.append(['a', 'b']))
    await s.untilHeld(1)
    expect(await s.tail()).toEqual({ seq_num: 0, timestamp: 0 })
    const early = await s.raw('GET', recordsPath(s.stream, 'seq_num=0'), { headers: { 's2-basin': s.basin } })
    expect({ status: early.status, body: early.json }).toEqual({ status: 416, body: { tail: { seq_num: 0, timestamp: 0 } } })
    await s.advance(4)
    await ack.promise
    const late = await s.raw('GET', recordsPath(s.stream, 'seq_num=0'), { headers: { 's2-basin': s.basin } })
    expect(late.status).toBe(200)
    expect((late.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual(['a', 'b'])
  })

  it('flushes many appends within one interval together: every ack carries the tail after the flush', async () => {
    const s = await stream(BOUNDARY)
    const acks = [tracked(s.append(['a']))]
    await s.untilHeld(1)
    await s.advance(2)
    acks.push(tracked(s.append(['b', 'c'])))
    await s.untilHeld(2)
    await s.advance(2)
    acks.push(tracked(s.append(['d'])))
    await s.untilHeld(3)
    expect(acks.map((a) => a.settled)).toEqual([false, false, false])
    await s.advance(1) // boundary + 5: one flush for the three
    const answers = (await Promise.all(acks.map((a) => a.promise))).map(ackOf)
    const tail = { seq_num: 4, timestamp: BOUNDARY + 4 }
    expect(answers).toEqual<WireAck[]>([
      { start: { seq_num: 0, timestamp: BOUNDARY }, end: { seq_num: 1, timestamp: BOUNDARY }, tail },
      { start: { seq_num: 1, timestamp: BOUNDARY + 2 }, end: { seq_num: 3, timestamp: BOUNDARY + 2 }, tail },
      { start: { seq_num: 3, timestamp: BOUNDARY + 4 }, end: { seq_num: 4, timestamp: BOUNDARY + 4 }, tail },
    ])
    // The next append waits for the next flush.
    const next = tracked(s.append(['e']))
    await s.untilHeld(1)
    await s.advance(4)
    expect(next.settled).toBe(false)
    await s.advance(1)
    expect(ackOf(await next.promise).tail).toEqual({ seq_num: 5, timestamp: BOUNDARY + 5 })
  })

  it('checks match_seq_num against held appends, and answers a mismatch only once they are flushed', async () => {
    const s = await stream()
    const first = tracked(s.append(['a']))
    await s.untilHeld(1)
    const matched = tracked(s.append(['b'], { match_seq_num: 1 }))
    await s.untilHeld(2)
    const mismatch = tracked(s.append(['x'], { match_seq_num: 0 }))
    await s.advance(3)
    expect([first.settled, matched.settled, mismatch.settled]).toEqual([false, false, false])
    await s.advance(1)
    const res = await mismatch.promise
    expect({ status: res.status, body: res.json }).toEqual({ status: 412, body: { seq_num_mismatch: 2 } })
    expect(ackOf(await matched.promise).start.seq_num).toBe(1)
    expect(ackOf(await first.promise).end.seq_num).toBe(1)
  })

  it('a fencing token takes effect for appends sequenced after it, before it is flushed', async () => {
    const s = await stream()
    const fence = tracked(s.append([], { records: [{ headers: [['', 'fence']], body: 'tok' }] }))
    await s.untilHeld(1)
    const fenced = tracked(s.append(['b'], { fencing_token: 'tok' }))
    await s.untilHeld(2)
    const stale = tracked(s.append(['c'], { fencing_token: 'old' }))
    await s.advance(4)
    expect(ackOf(await fence.promise).end.seq_num).toBe(1)
    expect(ackOf(await fenced.promise).end.seq_num).toBe(2)
    const res = await stale.promise
    expect({ status: res.status, body: res.json }).toEqual({ status: 412, body: { fencing_token_mismatch: 'tok' } })
  })

  it('acknowledges an append session’s inputs at the flush, in order, and delivers them to a follower then', async () => {
    const s = await stream()
    const reader = await s.s2.basin(s.basin).stream(s.stream, { forceTransport: 's2s' }).readSession({ start: { from: { seqNum: 0 } } })
    const records = reader[Symbol.asyncIterator]()
    const writer = s.s2.basin(s.basin).stream(s.stream, { forceTransport: 's2s' })
    const session = await writer.appendSession()
    try {
      const tickets = await Promise.all(['a', 'b', 'c'].map((body) => session.submit(AppendInput.create([AppendRecord.string({ body })]))))
      const acks = tickets.map((ticket) => tracked(ticket.ack()))
      await s.untilHeld(3)
      const firstRecord = tracked(records.next())
      await s.advance(3)
      expect(acks.map((a) => a.settled)).toEqual([false, false, false])
      expect(firstRecord.settled).toBe(false)
      await s.advance(1)
      const answers = await Promise.all(acks.map((a) => a.promise))
      expect(answers.map((a) => [a.start.seqNum, a.end.seqNum, a.tail.seqNum])).toEqual([
        [0, 1, 3],
        [1, 2, 3],
        [2, 3, 3],
      ])
      const got = [(await firstRecord.promise).value?.body, (await records.next()).value?.body, (await records.next()).value?.body]
      expect(got).toEqual(['a', 'b', 'c'])
    } finally {
      await session.close().catch(() => {})
      await records.return?.()
      await writer.close()
    }
  })

  it('flushes on the interval it is given', async () => {
    const s = await timedStream(t.emulator, { profile: 'lite', flushIntervalMs: 20 }, AFTER)
    made.push(s.ns)
    expect(await s.ns.timing.get()).toMatchObject({ profile: 'lite', flushIntervalMs: 20, pending: 0 })
    const ack = tracked(s.append(['a']))
    await s.untilHeld(1)
    await s.advance(18)
    expect(ack.settled).toBe(false)
    await s.advance(1)
    expect(ackOf(await ack.promise).tail.seq_num).toBe(1)
  })
})
