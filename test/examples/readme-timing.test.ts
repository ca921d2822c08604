import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

let emulator: S2Emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token' })
})
afterAll(() => emulator.stop())

it('acknowledges an append at the next flush, as s2-lite does, and shows it to readers only then', async () => {
  await using ns = await emulator.createNamespace({ timing: 'lite' }) // a flush every 5 ms
  await ns.clock.freeze('2030-01-01T00:00:00.001Z') // its own time stands still
  const s2 = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url } })
  await s2.basins.create({ basin: 'timing-demo' })
  await s2.basin('timing-demo').streams.create({ stream: 'orders' })
  const orders = s2.basin('timing-demo').stream('orders')

  const ack = orders.append(AppendInput.create([AppendRecord.string({ body: 'o-1' })]))
  while ((await ns.timing.get()).pending === 0) await new Promise((r) => setTimeout(r, 1)) // it arrived
  expect((await orders.checkTail()).tail.seqNum).toBe(0) // sequenced, but not flushed: not visible
  await ns.clock.advance(4) // the flush at .005
  expect((await ack).end.seqNum).toBe(1)
  expect((await orders.checkTail()).tail.seqNum).toBe(1)
  await orders.close()
})

it('runs under the seed it is given, and reports it to replay a run', async () => {
  const seed = Number(process.env.TIMING_SEED ?? 1) // TIMING_SEED=7 npx vitest run
  await using ns = await emulator.createNamespace({ timing: { profile: 'lite', jitterMs: 3, seed } })
  expect(await ns.timing.get()).toMatchObject({ profile: 'lite', flushIntervalMs: 5, jitterMs: 3, seed })
})
