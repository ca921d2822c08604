import { expect, it } from 'vitest'
import { append, failure, useMatcherEmulator } from './support.ts'

const t = useMatcherEmulator('smoke')

it('smoke', async () => {
  const orders = t.stream('orders')
  await append(orders, 'a', 'b', 'c')
  await expect(orders).toHaveRecords(['a', 'b', 'c'])
  await expect({ basin: t.basin, stream: 'orders' }).toHaveRecords(['a', 'b', 'c'])
  console.log(await failure(expect(orders).toHaveRecords(['a', 'x', 'c'])))
  console.log(await failure(expect(orders).not.toHaveRecords(['a', 'b', 'c'])))
  console.log(await failure(expect({ basin: t.basin, stream: 'orders' }).toHaveRecords([{ body: 'a', seqNum: 0 }, { body: expect.stringContaining('z') }])))
  console.log(await failure(expect(orders).toContainRecords(['b', 'a'])))
  console.log(await failure(expect(orders).toContainRecord({ body: 'q' })))
  console.log(await failure(expect(orders).toHaveTail(5)))
  console.log(await failure(expect(orders).toBeEmptyStream()))
  console.log(await failure(expect(t.ns).toHaveReceived({ operation: 'append', records: ['a', 'b', 'd'] })))
  console.log(await failure(expect(t.ns).not.toHaveReceived({ operation: 'append' })))
  await t.ns.faults.add({ id: 'never', match: { operation: 'list_streams' }, action: { type: 'error', status: 503 } })
  console.log(await failure(expect(t.ns).toHaveFiredAllFaults()))
  console.log(await failure(expect(t.ns).toHaveFiredFault('never')))
  console.log(await failure(expect(t.ns).toHaveFiredFault('nope')))
})
