// Run on its own, expecting failure: a matcher left without `await` must fail its test, not pass
// silently. scripts/run-jest-matchers.ts checks that jest reports this test failed, and why.
import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { startS2Emulator } from 's2-emulator'

let emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token' })
})
afterAll(() => emulator.stop())

test('forgets an await', async () => {
  const ns = await emulator.createNamespace()
  await ns.init({ basins: [{ name: 'await-basin', streams: [{ name: 'orders' }] }] })
  const s2 = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url } })
  const orders = s2.basin('await-basin').stream('orders')
  await orders.append(AppendInput.create([AppendRecord.string({ body: 'a' })]))
  await ns.faults.add({ match: { operation: 'check_tail' }, action: { type: 'latency', ms: 300 } })
  expect(orders).toHaveTail(1) // no await: it would pass once finished, but the test ends first
})
