import { S2, S2Environment } from '@s2-dev/streamstore'
import { recordEntry } from '../src/ledger'

test('closes the books a month later, on a clock of its own', async () => {
  const { now } = await s2Emulator.clock.freeze()
  expect(process.env.S2_ACCESS_TOKEN).toBe(s2Env.S2_ACCESS_TOKEN)
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  await s2.basins.create({ basin: 'ledger-books' }) // the same name as in ledger.test.ts: no conflict
  await s2.basin('ledger-books').streams.create({ stream: 'ledger' })
  await s2Emulator.clock.advance('30d')
  await recordEntry('ledger-books', 'closing')
  const ledger = s2.basin('ledger-books').stream('ledger')
  const batch = await ledger.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records[0]?.timestamp.getTime()).toBeGreaterThanOrEqual(now + 30 * 24 * 3600 * 1000)
  await ledger.close()
})

test('finds no fault, clock or basin of another test', async () => {
  expect(await s2Emulator.faults.list()).toEqual([])
  expect((await s2Emulator.clock.get()).follows).toBe(true) // this namespace's clock never moved on its own
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  expect((await s2.basins.list()).basins).toEqual([])
})
