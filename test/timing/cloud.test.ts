import { afterEach, describe, expect, it } from 'vitest'
import type { S2Namespace } from 's2-emulator'
import { recordsPath } from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'
import { ackOf, timedStream, tracked } from '../support/timing.ts'

/**
 * `cloud` timing: s2.dev's latencies by the stream's storage class. The service documents acks
 * "within 40 milliseconds" (express) and "within 400 milliseconds" (standard); a commit here
 * takes from a quarter of that bound up to it, drawn per append from the seed.
 */

const AT = Date.parse('2030-01-01T00:00:00.000Z')

describe('cloud timing', () => {
  const t = useEmulator({ isolation: 'token' })
  const made: S2Namespace[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop()))
  })

  it.each([
    ['express', 10, 40],
    ['standard', 100, 400],
  ] as const)('acknowledges an append to a %s stream within its documented bound, and not before a quarter of it', async (storageClass, min, max) => {
    const s = await timedStream(t.emulator, { profile: 'cloud', seed: 11 }, AT, { storage_class: storageClass })
    made.push(s.ns)
    expect((await s.ns.timing.get()).delays[storageClass].commitMs).toEqual([min, max])
    const ack = tracked(s.append(['a']))
    await s.untilHeld(1)
    await s.advance(min - 1)
    expect(ack.settled).toBe(false)
    expect(await s.tail()).toEqual({ seq_num: 0, timestamp: 0 })
    await s.advance(max - min + 1)
    expect(ackOf(await ack.promise).tail).toEqual({ seq_num: 1, timestamp: AT })
  })

  it('answers a unary read after its latency, on the namespace clock', async () => {
    const s = await timedStream(t.emulator, { profile: 'cloud', readMs: 7, commitMs: 0 }, AT)
    made.push(s.ns)
    ackOf(await s.append(['a']))
    const read = tracked(s.raw('GET', recordsPath(s.stream, 'seq_num=0'), { headers: { 's2-basin': s.basin } }))
    await s.untilWaiting(1)
    await s.advance(6)
    expect(read.settled).toBe(false)
    await s.advance(1)
    const res = await read.promise
    expect(res.status).toBe(200)
    expect((await s.ns.timing.get()).waiting).toBe(0)
    expect((res.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual(['a'])
  })
})
