/**
 * @jest-environment-options {"s2Emulator": {"scope": "file"}}
 */
const { AppendInput, AppendRecord, S2, S2Environment } = require('@s2-dev/streamstore')

// One namespace for the whole file (the docblock above): state built once in beforeAll, shared by its tests.
const catalog = () => new S2({ accessToken: '', ...S2Environment.parse() }).basin('shop-catalog').stream('catalog')

beforeAll(async () => {
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  await s2.basins.create({ basin: 'shop-catalog' })
  await s2.basin('shop-catalog').streams.create({ stream: 'catalog' })
  const stream = catalog()
  await stream.append(AppendInput.create([AppendRecord.string({ body: 'sku-1' })]))
  await stream.close()
})

test('sees the catalog built once for the file', async () => {
  const stream = catalog()
  const batch = await stream.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1'])
  await stream.append(AppendInput.create([AppendRecord.string({ body: 'sku-2' })]))
  await stream.close()
})

test('shares it with the next test of the file', async () => {
  const stream = catalog()
  const batch = await stream.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records.map((r) => r.body)).toEqual(['sku-1', 'sku-2'])
  await stream.close()
})
