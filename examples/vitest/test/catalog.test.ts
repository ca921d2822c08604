import { AppendInput, AppendRecord, type S2Stream } from '@s2-dev/streamstore'
import { expect, test as base } from 'vitest'
import { createS2Fixtures, type S2Fixtures } from 's2-emulator/vitest'

// One namespace and basin for the whole file (state built once, in beforeAll), and a fixture of our own.
const test = base.extend<S2Fixtures & { catalog: S2Stream }>({
  ...createS2Fixtures({ scope: 'file' }),
  catalog: async ({ basin }, use) => use(basin.stream('catalog')),
})

test.beforeAll(async ({ basin }) => {
  await basin.streams.create({ stream: 'catalog' })
  await basin.stream('catalog').append(AppendInput.create([AppendRecord.string({ body: 'sku-1' })]))
})

test('sees the catalog built once for the file', async ({ catalog }) => {
  const batch = await catalog.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1'])
  await catalog.append(AppendInput.create([AppendRecord.string({ body: 'sku-2' })]))
})

test('shares it with the next test of the file', async ({ catalog }) => {
  const batch = await catalog.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1', 'sku-2'])
})
