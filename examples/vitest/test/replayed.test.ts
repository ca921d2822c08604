import { expect, test as base } from 'vitest'
import { createS2Fixtures, type S2Fixtures } from 's2-emulator/vitest'
import { recordStock } from '../src/inventory.ts'

// Each test replays its own cassette of test/cassettes (committed with the tests): no emulator state,
// no network, no credentials. Record them again with S2_EMULATOR_CASSETTE_MODE=record npm test, and
// against a real S2 with S2_EMULATOR_TARGET=real and its S2_* variables too.
const test = base.extend<S2Fixtures>(createS2Fixtures({ cassettes: { dir: 'test/cassettes' } }))

// s2Env puts the cassette's S2_* in process.env for the code under test; basin is made through it.
test('records stock as the cassette remembers it', async ({ basin, s2Env }) => {
  expect(process.env.S2_ACCOUNT_ENDPOINT).toBe(s2Env.S2_ACCOUNT_ENDPOINT)
  await basin.streams.create({ stream: 'stock' }) // the basin's name is the same every run: the test's
  expect(await recordStock(basin.name, 'sku-1', 5)).toBe(1)
  expect(await recordStock(basin.name, 'sku-2', 3)).toBe(2)
  const batch = await basin.stream('stock').read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => JSON.parse(r.body))).toEqual([
    { sku: 'sku-1', quantity: 5 },
    { sku: 'sku-2', quantity: 3 },
  ])
})
