import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import type {} from 's2-emulator/matchers/vitest' // the matchers' types (vitest 5); s2-emulator/vitest registers them
import { expect, test } from 's2-emulator/vitest'

const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])

// Runs on a real S2 too: it uses only the SDK and a basin of its own.
test('appends orders and reads them back', async ({ basin }) => {
  await basin.streams.create({ stream: 'orders' })
  const orders = basin.stream('orders')
  await orders.append(record('order-1'))
  await orders.append(record('order-2'))
  const batch = await orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['order-1', 'order-2'])
})

test('survives an append that fails once', async ({ basin, s2Emulator }) => {
  // This namespace's requests alone meet the rule: tests in other files and workers never do.
  await s2Emulator.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
  await basin.streams.create({ stream: 'orders' })
  const ack = await basin.stream('orders').append(record('order-1')) // the SDK retries the 503
  expect(ack.end.seqNum).toBe(1)
  await expect(s2Emulator).toHaveFiredAllFaults()
  await expect({ basin: basin.name, stream: 'orders' }).toHaveRecords(['order-1']) // read in this test's namespace
})

test('forgets orders older than the retention period', async ({ basin, s2Emulator }) => {
  await s2Emulator.clock.freeze() // this namespace's time moves only when told
  await basin.streams.create({ stream: 'orders', config: { retentionPolicy: { ageSecs: 3600 } } })
  const orders = basin.stream('orders')
  await orders.append(record('old order'))
  await s2Emulator.clock.advance('2h')
  const batch = await orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records).toEqual([])
})

test('restores a snapshot taken before the test changed anything', async ({ s2, s2Emulator }) => {
  await s2Emulator.snapshots.take('baseline') // the same snapshot name in every file: names are the namespace's own
  await s2.basins.create({ basin: 'shop-orders' }) // the same basin name in every file: no conflict
  await s2Emulator.snapshots.restore('baseline')
  expect((await s2.basins.list()).basins).toEqual([])
})
