import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator, type S2Namespace } from 's2-emulator'
import { bindS2Namespace } from 's2-emulator/matchers'
import 's2-emulator/matchers/vitest' // registers the matchers and types them (or list it in setupFiles)

let emulator: S2Emulator
let ns: S2Namespace
let s2: S2
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token' })
})
afterAll(() => emulator.stop())
beforeEach(async (context) => {
  ns = await emulator.createNamespace()
  bindS2Namespace(ns, context.task) // where { basin, stream } references are read
  s2 = new S2({
    accessToken: ns.token,
    endpoints: { account: ns.url, basin: ns.url },
    retry: { maxAttempts: 3, minBaseDelayMillis: 10, maxBaseDelayMillis: 20 },
  })
  await ns.init({ basins: [{ name: 'shop-basin', streams: [{ name: 'orders' }] }] })
})
afterEach(() => ns.drop())

// The code under test: it writes an order's events to a stream.
async function placeOrder(id: string): Promise<void> {
  const orders = s2.basin('shop-basin').stream('orders')
  await orders.append(
    AppendInput.create([
      AppendRecord.string({ body: `order ${id} placed`, headers: [['type', 'placed']] }),
      AppendRecord.string({ body: `order ${id} paid`, headers: [['type', 'paid']] }),
    ]),
  )
  await orders.close()
}

it('checks what a stream holds', async () => {
  await placeOrder('o-1')
  const orders = { basin: 'shop-basin', stream: 'orders' } // read in the test's namespace, untouched
  await expect(orders).toHaveRecords([
    { body: 'order o-1 placed', headers: { type: 'placed' } },
    expect.s2Record({ body: expect.stringContaining('paid'), seqNum: 1 }),
  ])
  await expect(orders).toContainRecord('order o-1 paid')
  await expect(orders).toHaveTail(2)
  await expect(orders).not.toBeEmptyStream()
  // An SDK handle works too; it reads through the S2 API, as your code would.
  const handle = s2.basin('shop-basin').stream('orders')
  await expect(handle).toContainRecords(['order o-1 placed', 'order o-1 paid'])
  await handle.close()
})

it('checks what the emulator received', async () => {
  await placeOrder('o-2')
  await expect(ns).toHaveReceived({
    operation: 'append',
    stream: 'orders',
    records: [{ headers: { type: 'placed' } }, 'order o-2 paid'],
  })
  await expect(ns).toHaveReceived({ operation: 'append' }, 1) // exactly once; or { atLeast, atMost }
  await expect(ns).not.toHaveReceived({ operation: 'delete_stream' })
})

it('checks which faults fired', async () => {
  const flaky = await ns.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
  await placeOrder('o-3') // the SDK retries the 503
  await expect(ns).toHaveFiredFault(flaky, 1)
  await expect(ns).toHaveFiredAllFaults()
  await expect(ns).toHaveReceived({ operation: 'append', status: 503 }, 1)
  await expect({ basin: 'shop-basin', stream: 'orders' }).toHaveRecords(['order o-3 placed', 'order o-3 paid'])
})
