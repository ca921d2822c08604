/**
 * @jest-environment-options {"s2Emulator": {"cassettes": {"dir": "test/cassettes"}}}
 */
const { S2, S2Environment } = require('@s2-dev/streamstore')
const { recordStock } = require('../src/inventory.js')

// Each test replays its own cassette of test/cassettes (the docblock above; committed with the tests):
// no emulator state, no network. Record them again with S2_EMULATOR_CASSETTE_MODE=record npm test.
test('records stock as the cassette remembers it', async () => {
  // process.env.S2_* and the global s2Env point at this test's cassette.
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  expect(s2Env.S2_ACCOUNT_ENDPOINT).toBe(process.env.S2_ACCOUNT_ENDPOINT)
  await s2.basins.create({ basin: 'warehouse-north' })
  await s2.basin('warehouse-north').streams.create({ stream: 'stock' })
  expect(await recordStock('warehouse-north', 'sku-1', 5)).toBe(1)
  expect(await recordStock('warehouse-north', 'sku-2', 3)).toBe(2)
  const stock = s2.basin('warehouse-north').stream('stock')
  const batch = await stock.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  await stock.close()
  expect(batch.records.map((r) => JSON.parse(r.body))).toEqual([
    { sku: 'sku-1', quantity: 5 },
    { sku: 'sku-2', quantity: 3 },
  ])
})
