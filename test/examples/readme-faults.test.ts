import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator, type S2Namespace } from 's2-emulator'

let emulator: S2Emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token' })
})
afterAll(() => emulator.stop())

// Each test arms faults in a namespace of its own: they hit its requests only, and go with it.
let ns: S2Namespace
let s2: S2
beforeEach(async () => {
  ns = await emulator.createNamespace({ faultSeed: 42 })
  s2 = new S2({
    accessToken: ns.token,
    endpoints: { account: ns.url, basin: ns.url },
    retry: { maxAttempts: 3, minBaseDelayMillis: 10, maxBaseDelayMillis: 20 },
  })
  await s2.basins.create({ basin: 'faults-demo-1' })
  await s2.basin('faults-demo-1').streams.create({ stream: 'orders' })
})
afterEach(() => ns.drop())

const orders = () => s2.basin('faults-demo-1').stream('orders')
const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])

it('error: a 503 on append is retried by the SDK', async () => {
  const rule = await ns.faults.add({
    match: { operation: 'append', stream: 'orders' },
    action: { type: 'error', status: 503, retryAfter: 1 },
    times: 1,
  })
  await orders().append(record('retried'))
  expect((await ns.faults.get(rule.id)).fired).toBe(1)
})

it('lose_ack: the append commits, its ack is lost, the retry duplicates it', async () => {
  await ns.faults.add({ match: { operation: 'append' }, action: { type: 'lose_ack' }, times: 1 })
  await orders().append(record('twice'))
  const batch = await orders().read({ start: { from: { seqNum: 0 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['twice', 'twice'])
})

it('latency, reset, stall, throttle and reject_before_commit', async () => {
  await ns.faults.add({ match: { operation: 'check_tail' }, action: { type: 'latency', ms: [100, 200] } })
  await ns.faults.add({ match: { operation: 'read', transport: 'unary' }, action: { type: 'throttle', bytesPerSecond: 64 * 1024 } })
  await ns.faults.add({ match: { operation: 'append' }, action: { type: 'reject_before_commit', status: 503 }, times: 1 })
  await ns.faults.add({ match: { operation: 'get_stream_config' }, action: { type: 'reset' }, times: 1 })
  await ns.faults.add({ match: { operation: 'list_streams' }, action: { type: 'stall', ms: 200 }, times: 1 })
  const started = Date.now()
  await orders().checkTail()
  expect(Date.now() - started).toBeGreaterThanOrEqual(100)
  await orders().append(record('once')) // rejected before commit, then retried: written once
  await s2.basin('faults-demo-1').streams.getConfig({ stream: 'orders' }) // connection dropped, then retried
  // list_streams was never called, so its stall never fired: assertAllFired says so.
  await expect(ns.faults.assertAllFired()).rejects.toThrow(/never fired/)
})

it('truncate: a read session cut after 3 records ends early, cleanly', async () => {
  const stream = orders()
  await stream.append(AppendInput.create(['a', 'b', 'c', 'd', 'e'].map((body) => AppendRecord.string({ body }))))
  await ns.faults.add({ match: { operation: 'read', stream: 'orders' }, action: { type: 'truncate', after: { records: 3 } } })
  const session = await stream.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
  const bodies: string[] = []
  for await (const r of session) bodies.push(r.body)
  expect(bodies).toEqual(['a', 'b', 'c'])
  await stream.close()
})

it("rules of the emulator itself reach every namespace (unless match.namespace names one)", async () => {
  const everywhere = await emulator.faults.add({ match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
  await orders().checkTail() // 503, then the SDK's retry succeeds
  expect((await emulator.faults.get(everywhere.id)).fired).toBe(1)
  await emulator.faults.remove(everywhere.id)
})
