import { AppendInput, AppendRecord, S2, S2Environment } from '@s2-dev/streamstore'
import { namespaceName } from 's2-emulator'

const record = (body) => AppendInput.create([AppendRecord.string({ body })])
// process.env.S2_* point at this test's namespace, so the SDK's own reading of them lands there.
const client = () => new S2({ accessToken: '', ...S2Environment.parse() })

// At load, outside any test, no S2_* variable is set: module-level code cannot reach an S2 of your shell.
const tokenAtLoad = process.env.S2_ACCESS_TOKEN

test('runs in a namespace of its own, named by a digest of its token', () => {
  expect(tokenAtLoad).toBeUndefined()
  expect(process.env.S2_ACCESS_TOKEN).toBe(s2Emulator.token)
  expect(s2Emulator.name).toBe(namespaceName(s2Emulator.token))
})

test('appends orders and reads them back', async () => {
  const s2 = client()
  await s2.basins.create({ basin: 'shop-orders' }) // the same basin name in every test and file: no conflict
  await s2.basin('shop-orders').streams.create({ stream: 'orders' })
  const orders = s2.basin('shop-orders').stream('orders')
  await orders.append(record('order-1'))
  const batch = await orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['order-1'])
  await orders.close()
})

test('survives an append that fails once', async () => {
  // This namespace's requests alone meet the rule: tests in other files and workers never do.
  await s2Emulator.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
  const s2 = client()
  await s2.basins.create({ basin: 'shop-orders' })
  await s2.basin('shop-orders').streams.create({ stream: 'orders' })
  const orders = s2.basin('shop-orders').stream('orders')
  const ack = await orders.append(record('order-1')) // the SDK retries the 503
  expect(ack.end.seqNum).toBe(1)
  await s2Emulator.faults.assertAllFired()
  await orders.close()
})

test('forgets orders older than the retention period', async () => {
  await s2Emulator.clock.freeze() // this namespace's time moves only when told
  const s2 = client()
  await s2.basins.create({ basin: 'shop-orders' })
  await s2.basin('shop-orders').streams.create({ stream: 'orders', config: { retentionPolicy: { ageSecs: 3600 } } })
  const orders = s2.basin('shop-orders').stream('orders')
  await orders.append(record('old order'))
  await s2Emulator.clock.advance('2h')
  const batch = await orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records).toEqual([])
  await orders.close()
})

test('restores a snapshot taken before the test changed anything', async () => {
  await s2Emulator.snapshots.take('baseline') // the same snapshot name in every file: names are the namespace's own
  const s2 = client()
  await s2.basins.create({ basin: 'shop-orders' })
  await s2Emulator.snapshots.restore('baseline')
  expect((await s2.basins.list()).basins).toEqual([])
})
