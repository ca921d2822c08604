import { AppendInput, AppendRecord, S2Error, type AppendRetryPolicy, type S2Stream } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import { startS2Emulator, type FaultRuleInput, type Operation, type S2Emulator } from '../../src/index.ts'
import { raw, useEmulator } from '../support/emulator.ts'
import { makeClient, quickRetries, rejection, settle, storedBodies } from '../support/sessions.ts'

/**
 * What the official SDK (@s2-dev/streamstore 0.27.0) really does under each unary fault the
 * emulator injects (the SDK's wire behaviour §3.1–3.3), and how rules are scoped and budgeted. Every test has
 * its own basin and stream and scopes its rules to that stream, so no test sees another's faults.
 */
const t = useEmulator()
afterEach(async () => {
  await t.emulator.faults.clear()
})

/** A client that retries quickly: 3 attempts, 10–20 ms base backoff. */
const retrying = (appendRetryPolicy: AppendRetryPolicy = 'all', maxAttempts = 3) => makeClient(t.url, quickRetries(appendRetryPolicy, maxAttempts))

/** A fresh stream and a handle on it from `client` (unary calls go over fetch whatever the transport). */
async function fresh(client = retrying()): Promise<{ basin: string; stream: string; handle: S2Stream }> {
  const { basin, stream } = await t.stream()
  return { basin, stream, handle: client.basin(basin).stream(stream, { forceTransport: 'fetch' }) }
}

const one = (body: string): AppendInput => AppendInput.create([AppendRecord.string({ body })])

/** Every record body of a stream, read with the fault-free test client. */
const bodies = (basin: string, stream: string): Promise<string[]> => storedBodies(t.s2, basin, stream)

/** A rule that never changes anything but counts every request it matches (latency 0). */
const counter = (id: string, stream: string, operation: Operation) =>
  t.emulator.faults.add({ id, match: { stream, operation }, action: { type: 'latency', ms: 0 } })

const rawAppend = (basin: string, stream: string, body = 'x') =>
  t.raw('POST', `/v1/streams/${stream}/records`, { headers: { 's2-basin': basin }, body: { records: [{ body }] } })

const rawTail = (basin: string, stream: string) =>
  t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })

describe('error: a retryable status on unary append', () => {
  it.each([1, 2])('a 503 on the first %i append request(s) is retried by the SDK, which then succeeds once', async (times) => {
    const { basin, stream, handle } = await fresh()
    await counter('seen', stream, 'append')
    await t.emulator.faults.add({ id: 'e503', match: { stream, operation: 'append' }, action: { type: 'error', status: 503 }, times })

    const ack = await handle.append(one('hello'))

    expect(ack.start.seqNum).toBe(0)
    expect(ack.end.seqNum).toBe(1)
    const rule = await t.emulator.faults.get('e503')
    expect(rule.fired).toBe(times)
    // The SDK sent one request per failure plus the one that succeeded.
    expect((await t.emulator.faults.get('seen')).matched).toBe(times + 1)
    expect(rule.fired).toBe((await t.emulator.faults.get('seen')).matched - 1)
    expect(await bodies(basin, stream)).toEqual(['hello'])
  })

  it('a 503 on every attempt exhausts the retries and surfaces S2Error 503 unavailable; nothing is written', async () => {
    const { basin, stream, handle } = await fresh()
    await t.emulator.faults.add({ id: 'always', match: { stream, operation: 'append' }, action: { type: 'error', status: 503 } })

    const error = rejection(await settle(handle.append(one('never'))))

    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(503)
    expect((error as S2Error).code).toBe('unavailable')
    expect((await t.emulator.faults.get('always')).fired).toBe(3)
    expect(await bodies(basin, stream)).toEqual([])
  })

  it('a 503 with retryAfter answers with a retry-after header and an S2 error body; the SDK retries past it', async () => {
    const { basin, stream, handle } = await fresh()
    await t.emulator.faults.add({
      match: { stream, operation: 'append' },
      action: { type: 'error', status: 503, retryAfter: 2, message: 'busy' },
      times: 2,
    })

    const res = await rawAppend(basin, stream)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('2')
    expect(res.json).toEqual({ code: 'unavailable', message: 'busy' })

    // The SDK does not honour retry-after (it uses its own backoff) but retries the 503.
    const ack = await handle.append(one('after'))
    expect(ack.start.seqNum).toBe(0)
    expect(await bodies(basin, stream)).toEqual(['after'])
  })
})

describe('lose_ack: the append commits but the client never learns it', () => {
  it.each([
    ['reset', { type: 'lose_ack', mode: 'reset' }],
    ['error 500', { type: 'lose_ack', mode: 'error', status: 500 }],
  ] as const)('with lose_ack (%s) the default retry policy ("all") re-sends the append and the stream holds it twice', async (_, action) => {
    const { basin, stream, handle } = await fresh(retrying('all'))
    await t.emulator.faults.add({ id: 'lost', match: { stream, operation: 'append' }, action, times: 1 })

    const ack = await handle.append(one('dup'))

    // The ack the SDK returns is the retry's: the first copy sits at seq 0.
    expect(ack.start.seqNum).toBe(1)
    expect(ack.end.seqNum).toBe(2)
    expect(await bodies(basin, stream)).toEqual(['dup', 'dup'])
    expect((await t.emulator.faults.get('lost')).fired).toBe(1)
  })

  it('with lose_ack (reset) and appendRetryPolicy "noSideEffects" the SDK fails with a 502 network error and the record is there once', async () => {
    const { basin, stream, handle } = await fresh(retrying('noSideEffects'))
    await counter('seen', stream, 'append')
    await t.emulator.faults.add({ match: { stream, operation: 'append' }, action: { type: 'lose_ack', mode: 'reset' }, times: 1 })

    const error = rejection(await settle(handle.append(one('once'))))

    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(502)
    expect((error as S2Error).origin).toBe('sdk')
    expect((await t.emulator.faults.get('seen')).matched).toBe(1)
    expect(await bodies(basin, stream)).toEqual(['once'])
  })

  it('with lose_ack (error 500) and appendRetryPolicy "noSideEffects" the SDK surfaces the 500 without retrying and the record is there once', async () => {
    const { basin, stream, handle } = await fresh(retrying('noSideEffects'))
    await counter('seen', stream, 'append')
    await t.emulator.faults.add({
      match: { stream, operation: 'append' },
      action: { type: 'lose_ack', mode: 'error', status: 500, message: 'ack lost' },
      times: 1,
    })

    const error = rejection(await settle(handle.append(one('once'))))

    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(500)
    expect((error as S2Error).code).toBe('other')
    expect((error as S2Error).message).toContain('ack lost')
    expect((await t.emulator.faults.get('seen')).matched).toBe(1)
    expect(await bodies(basin, stream)).toEqual(['once'])
  })
})

describe('reject_before_commit: a definite failure', () => {
  it('with retries the SDK re-sends after the rejection and the record is there exactly once', async () => {
    const { basin, stream, handle } = await fresh(retrying('all'))
    await t.emulator.faults.add({ id: 'reject', match: { stream, operation: 'append' }, action: { type: 'reject_before_commit' }, times: 1 })

    const ack = await handle.append(one('exactly-once'))

    expect(ack.start.seqNum).toBe(0)
    expect(await bodies(basin, stream)).toEqual(['exactly-once'])
    expect((await t.emulator.faults.get('reject')).fired).toBe(1)
  })

  it('without retries the SDK throws the rejection (503 unavailable) and nothing was written', async () => {
    const { basin, stream, handle } = await fresh(retrying('all', 1))
    await t.emulator.faults.add({ match: { stream, operation: 'append' }, action: { type: 'reject_before_commit' }, times: 1 })

    const error = rejection(await settle(handle.append(one('never'))))

    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(503)
    expect((error as S2Error).code).toBe('unavailable')
    expect(await bodies(basin, stream)).toEqual([])
    expect((await handle.checkTail()).tail.seqNum).toBe(0)
  })

  it('a rejection with a non-retryable status (400) is not retried even under "all" and nothing is written', async () => {
    const { basin, stream, handle } = await fresh(retrying('all'))
    await counter('seen', stream, 'append')
    await t.emulator.faults.add({
      match: { stream, operation: 'append' },
      action: { type: 'reject_before_commit', status: 400, code: 'invalid', message: 'rejected' },
      times: 1,
    })

    const error = rejection(await settle(handle.append(one('never'))))

    expect((error as S2Error).status).toBe(400)
    expect((error as S2Error).code).toBe('invalid')
    expect((await t.emulator.faults.get('seen')).matched).toBe(1)
    expect(await bodies(basin, stream)).toEqual([])
  })
})

describe('latency and throttle show in measured time (lower bounds only)', () => {
  // Timers may fire up to 1 ms early relative to performance.now(); the bounds allow for that.
  it('a unary append with latency 300 ms takes at least 300 ms and still succeeds', async () => {
    const { basin, stream, handle } = await fresh()
    await t.emulator.faults.add({ id: 'slow', match: { stream, operation: 'append' }, action: { type: 'latency', ms: 300 } })

    const started = performance.now()
    const ack = await handle.append(one('late'))
    const elapsed = performance.now() - started

    expect(elapsed).toBeGreaterThanOrEqual(299)
    expect(ack.start.seqNum).toBe(0)
    expect((await t.emulator.faults.get('slow')).fired).toBe(1)
    expect(await bodies(basin, stream)).toEqual(['late'])
  })

  it('a unary append with latency [200, 400] ms (applied after handling) takes at least 200 ms', async () => {
    const { basin, stream, handle } = await fresh()
    await t.emulator.faults.add({ match: { stream, operation: 'append' }, action: { type: 'latency', ms: [200, 400], when: 'after' } })

    const started = performance.now()
    await handle.append(one('late'))
    const elapsed = performance.now() - started

    expect(elapsed).toBeGreaterThanOrEqual(199)
    expect(await bodies(basin, stream)).toEqual(['late'])
  })

  it('a unary read of about 64 KiB throttled to 128 KiB/s takes at least 0.4 s and returns every record intact', async () => {
    const { basin, stream, handle } = await fresh()
    const body = 'x'.repeat(1000)
    await handle.append(AppendInput.create(Array.from({ length: 64 }, () => AppendRecord.string({ body }))))
    await t.emulator.faults.add({ id: 'slow-read', match: { stream, operation: 'read' }, action: { type: 'throttle', bytesPerSecond: 128 * 1024 } })

    const started = performance.now()
    const batch = await handle.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 64 } } })
    const elapsed = performance.now() - started

    expect(batch.records).toHaveLength(64)
    expect(batch.records.every((r) => r.body === body)).toBe(true)
    expect(elapsed).toBeGreaterThanOrEqual(400)
    expect((await t.emulator.faults.get('slow-read')).fired).toBe(1)
  })
})

describe('scoping and budgets', () => {
  it('a rule on stream A never fires for stream B: requests to B succeed and the rule stays at matched 0, fired 0', async () => {
    const a = await fresh(retrying('all', 1))
    const b = await fresh(retrying('all', 1))
    await t.emulator.faults.add({ id: 'only-a', match: { stream: a.stream }, action: { type: 'error', status: 503 } })

    await b.handle.append(one('b'))
    expect((await b.handle.checkTail()).tail.seqNum).toBe(1)
    expect(await bodies(b.basin, b.stream)).toEqual(['b'])
    expect(await t.emulator.faults.get('only-a')).toMatchObject({ matched: 0, fired: 0 })

    // The rule is live: A's requests fail.
    const error = rejection(await settle(a.handle.append(one('a'))))
    expect((error as S2Error).status).toBe(503)
    expect(await t.emulator.faults.get('only-a')).toMatchObject({ matched: 1, fired: 1 })
  })

  it('a rule scoped to a basin fires for streams in that basin only', async () => {
    const a = await fresh(retrying('all', 1))
    const b = await fresh(retrying('all', 1))
    await t.emulator.faults.add({ id: 'basin-a', match: { basin: a.basin, operation: 'check_tail' }, action: { type: 'error', status: 503 } })

    expect((await rawTail(b.basin, b.stream)).status).toBe(200)
    expect((await rawTail(a.basin, a.stream)).status).toBe(503)
    expect(await t.emulator.faults.get('basin-a')).toMatchObject({ matched: 1, fired: 1 })
  })

  it('times: 2 fires on exactly two requests; the third succeeds', async () => {
    const { basin, stream } = await fresh()
    await t.emulator.faults.add({ id: 'twice', match: { stream, operation: 'append' }, action: { type: 'error', status: 503 }, times: 2 })

    const statuses = [(await rawAppend(basin, stream)).status, (await rawAppend(basin, stream)).status, (await rawAppend(basin, stream)).status]

    expect(statuses).toEqual([503, 503, 200])
    expect(await t.emulator.faults.get('twice')).toMatchObject({ matched: 3, fired: 2 })
    expect(await bodies(basin, stream)).toEqual(['x'])
  })

  it('after: 2 lets the first two matching requests through and fires from the third on', async () => {
    const { basin, stream } = await fresh()
    await t.emulator.faults.add({ id: 'late', match: { stream, operation: 'check_tail' }, action: { type: 'error', status: 503 }, after: 2 })

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await rawTail(basin, stream)).status)

    expect(statuses).toEqual([200, 200, 503, 503])
    expect(await t.emulator.faults.get('late')).toMatchObject({ matched: 4, fired: 2 })
  })

  it('every: 3 fires on the 3rd and 6th matching requests only', async () => {
    const { basin, stream } = await fresh()
    await t.emulator.faults.add({ id: 'third', match: { stream, operation: 'check_tail' }, action: { type: 'error', status: 503 }, every: 3 })

    const failed: number[] = []
    for (let i = 1; i <= 7; i++) if ((await rawTail(basin, stream)).status === 503) failed.push(i)

    expect(failed).toEqual([3, 6])
    expect(await t.emulator.faults.get('third')).toMatchObject({ matched: 7, fired: 2 })
  })

  describe('probability draws from the seeded generator', () => {
    const rule = (stream: string): FaultRuleInput => ({
      id: 'coin',
      match: { stream, operation: 'check_tail' },
      action: { type: 'error', status: 503 },
      probability: 0.5,
    })
    /** Which of 50 check_tail requests failed (1-based). */
    async function fires(url: string, basin: string, stream: string): Promise<number[]> {
      const failed: number[] = []
      for (let i = 1; i <= 50; i++) {
        const res = await raw(url, 'GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })
        expect([200, 503]).toContain(res.status)
        if (res.status === 503) failed.push(i)
      }
      return failed
    }

    it('the same seed gives the same fires after setSeed, and on a second emulator started with that seed; another seed differs', async () => {
      const { basin, stream } = await fresh()
      await t.emulator.faults.setSeed(4242)
      await t.emulator.faults.add(rule(stream))
      const first = await fires(t.url, basin, stream)
      expect((await t.emulator.faults.get('coin')).fired).toBe(first.length)
      // Neither never nor always: the draws really decide.
      expect(first.length).toBeGreaterThan(5)
      expect(first.length).toBeLessThan(45)

      await t.emulator.faults.clear()
      await t.emulator.faults.setSeed(4242)
      await t.emulator.faults.add(rule(stream))
      expect(await fires(t.url, basin, stream)).toEqual(first)

      let other: S2Emulator | undefined
      try {
        other = await startS2Emulator({ port: 0, faultSeed: 4242 })
        const o = raw.bind(null, other.url)
        expect((await o('POST', '/v1/basins', { body: { basin } })).status).toBe(201)
        expect((await o('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream } })).status).toBe(201)
        await other.faults.add(rule(stream))
        expect(await fires(other.url, basin, stream)).toEqual(first)
      } finally {
        await other?.stop()
      }

      await t.emulator.faults.clear()
      await t.emulator.faults.setSeed(4243)
      await t.emulator.faults.add(rule(stream))
      expect(await fires(t.url, basin, stream)).not.toEqual(first)
    })
  })

  it('faults.seed() reports the seed an emulator was started with, and the one setSeed installs', async () => {
    expect(Number.isInteger(await t.emulator.faults.seed())).toBe(true)
    let other: S2Emulator | undefined
    try {
      other = await startS2Emulator({ port: 0, faultSeed: 1234 })
      expect(await other.faults.seed()).toBe(1234)
      await other.faults.setSeed(99)
      expect(await other.faults.seed()).toBe(99)
    } finally {
      await other?.stop()
    }
  })

  it('assertAllFired() rejects naming a rule that has not fired, and resolves once it has', async () => {
    const { basin, stream } = await fresh()
    await t.emulator.faults.add({
      id: 'pending-rule',
      description: 'fails the first tail check',
      match: { stream, operation: 'check_tail' },
      action: { type: 'error', status: 503 },
      times: 1,
    })

    const error = rejection(await settle(t.emulator.faults.assertAllFired()))
    expect(String(error)).toContain('pending-rule')
    expect(String(error)).toContain('fails the first tail check')

    expect((await rawTail(basin, stream)).status).toBe(503)
    await expect(t.emulator.faults.assertAllFired()).resolves.toBeUndefined()
  })
})
