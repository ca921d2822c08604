import { S2, S2Environment } from '@s2-dev/streamstore'
import { recordEntry } from '../src/ledger'

// The globals s2Emulator and s2Env are typed ("types": ["s2-emulator/jest"] in tsconfig.json),
// and so are the matchers the preset registers ("s2-emulator/matchers/jest").
beforeEach(async () => {
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  await s2.basins.create({ basin: 'ledger-books' })
  await s2.basin('ledger-books').streams.create({ stream: 'ledger' })
})

test('records entries in this test namespace', async () => {
  expect(await recordEntry('ledger-books', 'debit 5')).toBe(1)
  expect(await recordEntry('ledger-books', 'credit 3')).toBe(2)
  await expect({ basin: 'ledger-books', stream: 'ledger' }).toHaveRecords(['debit 5', 'credit 3'])
  await expect(s2Emulator).toHaveReceived({ operation: 'append', stream: 'ledger' }, { times: 2 })
})

test('rides out an append that fails once', async () => {
  await s2Emulator.faults.add({ id: 'flaky', match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
  expect(await recordEntry('ledger-books', 'debit 7')).toBe(1) // the SDK retries the 503
  await expect(s2Emulator).toHaveFiredFault('flaky', 1)
})
