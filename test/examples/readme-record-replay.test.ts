import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { startCassette, verifyCassette } from 's2-emulator/record-replay'

// The code under test: it only needs an S2 endpoint.
async function placeOrder(endpoint: string, body: string): Promise<number> {
  const s2 = new S2({ accessToken: 'ignored', endpoints: { account: endpoint, basin: endpoint } })
  const orders = s2.basin('shop-orders-1').stream('orders')
  const ack = await orders.append(AppendInput.create([AppendRecord.string({ body })]))
  await orders.close()
  return ack.end.seqNum
}

const shop = { basins: [{ name: 'shop-orders-1', streams: [{ name: 'orders' }] }] }

it('records once, replays in CI with no network, and checks the emulator against the recording', async () => {
  const cassette = join(await mkdtemp(join(tmpdir(), 'cassettes-')), 'orders.json')

  // Once, on a machine with access: record against the real S2. (Here an emulator stands in for
  // it; for s2.dev use upstream: 'https://a.s2.dev', basinUpstream: 'https://{basin}.b.s2.dev'
  // and upstreamToken: process.env.S2_ACCESS_TOKEN.)
  const real = await startS2Emulator({ init: shop })
  const recorder = await startCassette({ path: cassette, mode: 'record', upstream: real.url })
  expect(await placeOrder(recorder.url, 'order-1')).toBe(1)
  await recorder.stop() // writes the cassette
  await real.stop()

  // In CI: replay it. No network, no credentials; S2_EMULATOR_CASSETTE_MODE=replay forbids recording.
  const replayer = await startCassette({ path: cassette, mode: 'replay' })
  expect(await placeOrder(replayer.url, 'order-1')).toBe(1)
  await expect(placeOrder(replayer.url, 'order-2')).rejects.toMatchObject({ status: 599, code: 'cassette_miss' })
  const report = await replayer.stop()
  expect(report.misses.map((m) => m.message)).toEqual([
    'no recorded exchange matches POST /v1/streams/orders/records [basin shop-orders-1, stream orders]; ' +
      'the nearest is #1, which differs in body at records[0].body: recorded "order-1", got "order-2"',
  ])

  // Does the emulator answer this traffic as the real service did? (Given the same starting state:
  // without a url, verify starts an empty emulator.)
  const emulator = await startS2Emulator({ init: shop })
  const verified = await verifyCassette({ cassette, url: emulator.url })
  expect(verified.ok).toBe(true)
  await emulator.stop()
})
