import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { recordStock } from '../src/inventory.js'

// The globals s2Emulator and s2Env are this test's namespace and its S2_* variables.
const client = () => new S2({ accessToken: s2Env.S2_ACCESS_TOKEN, endpoints: { account: s2Env.S2_ACCOUNT_ENDPOINT, basin: s2Env.S2_BASIN_ENDPOINT } })

beforeEach(async () => {
  // beforeEach runs inside the test's namespace too.
  const s2 = client()
  await s2.basins.create({ basin: 'warehouse-east' })
  await s2.basin('warehouse-east').streams.create({ stream: 'stock' })
})

test('code that reads S2_* from the environment lands in this test', async () => {
  expect(process.env.S2_ACCESS_TOKEN).toBe(s2Emulator.token)
  expect(await recordStock('warehouse-east', 'sku-1', 5)).toBe(1)
  expect(await recordStock('warehouse-east', 'sku-2', 3)).toBe(2)
})

test('reads through a read that fails once', async () => {
  const stock = client().basin('warehouse-east').stream('stock')
  await stock.append(AppendInput.create([AppendRecord.string({ body: 'sku-1' })]))
  await s2Emulator.faults.add({ match: { operation: 'read' }, action: { type: 'error', status: 503 }, times: 1 })
  const batch = await stock.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1'])
  expect((await s2Emulator.journal.list({ operation: 'read' })).map((e) => e.status)).toEqual([503, 200])
  await stock.close()
})

test('ages a stream by a week in a moment', async () => {
  const { now } = await s2Emulator.clock.freeze()
  await s2Emulator.clock.advance('7d')
  expect((await s2Emulator.clock.get()).now).toBe(now + 7 * 24 * 3600 * 1000)
  const stock = client().basin('warehouse-east').stream('stock')
  const ack = await stock.append(AppendInput.create([AppendRecord.string({ body: 'late' })]))
  expect(ack.end.timestamp.getTime()).toBeGreaterThanOrEqual(now + 7 * 24 * 3600 * 1000)
  await stock.close()
})

test('restores a snapshot of the same name as other files do', async () => {
  await s2Emulator.snapshots.take('baseline')
  const s2 = client()
  await s2.basins.create({ basin: 'shop-stock' })
  await s2Emulator.snapshots.restore('baseline')
  expect((await s2.basins.list()).basins.map((b) => b.name)).toEqual(['warehouse-east'])
})
