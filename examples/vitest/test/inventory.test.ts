import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { expect, test } from 's2-emulator/vitest'
import { recordStock } from '../src/inventory.ts'

// Runs on a real S2 too: the code under test reads S2_* from process.env, which s2Env points at this test's S2.
test('code that reads S2_* from the environment lands in this test', async ({ s2Env, basin }) => {
  expect(process.env.S2_ACCESS_TOKEN).toBe(s2Env.S2_ACCESS_TOKEN)
  await basin.streams.create({ stream: 'stock' })
  expect(await recordStock(basin.name, 'sku-1', 5)).toBe(1)
  expect(await recordStock(basin.name, 'sku-2', 3)).toBe(2)
})

test('reads through a read that fails once', async ({ basin, s2Emulator }) => {
  await basin.streams.create({ stream: 'stock' })
  const stock = basin.stream('stock')
  await stock.append(AppendInput.create([AppendRecord.string({ body: 'sku-1' })]))
  await s2Emulator.faults.add({ match: { operation: 'read' }, action: { type: 'error', status: 503 }, times: 1 })
  const batch = await stock.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1'])
  expect((await s2Emulator.journal.list({ operation: 'read' })).map((e) => e.status)).toEqual([503, 200])
})

test('ages a stream by a week in a moment', async ({ basin, s2Emulator }) => {
  const { now } = await s2Emulator.clock.freeze()
  await s2Emulator.clock.advance('7d')
  expect((await s2Emulator.clock.get()).now).toBe(now + 7 * 24 * 3600 * 1000)
  await basin.streams.create({ stream: 'stock' })
  const ack = await basin.stream('stock').append(AppendInput.create([AppendRecord.string({ body: 'late' })]))
  expect(ack.end.timestamp.getTime()).toBeGreaterThanOrEqual(now + 7 * 24 * 3600 * 1000)
})

test('restores a snapshot of the same name as other files do', async ({ s2, s2Emulator }) => {
  await s2Emulator.snapshots.take('baseline')
  await s2.basins.create({ basin: 'shop-orders' })
  await s2.basins.create({ basin: 'shop-stock' })
  await s2Emulator.snapshots.restore('baseline')
  expect((await s2.basins.list()).basins).toEqual([])
})
