const { AppendInput, AppendRecord, S2, S2Environment } = require('@s2-dev/streamstore')

const record = (body) => AppendInput.create([AppendRecord.string({ body })])
const client = () => new S2({ accessToken: '', ...S2Environment.parse() })

// Shows that a failing test leaves nothing behind. It fails on purpose, so it runs only when asked:
// S2_EXAMPLE_DELIBERATE_FAILURE=1 npm test
const describeIfAsked = process.env.S2_EXAMPLE_DELIBERATE_FAILURE === '1' ? describe : describe.skip

describeIfAsked('a test that fails with faults armed', () => {
  test('fails deliberately, with a fault on every append, its clock a month ahead and a snapshot', async () => {
    await s2Emulator.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 } }) // no limit
    await s2Emulator.clock.advance('30d')
    await s2Emulator.snapshots.take('baseline')
    await client().basins.create({ basin: 'shop-orders' })
    throw new Error('deliberate failure: no other test may meet this fault, clock or snapshot')
  })

  test('runs next in the same worker and meets none of it', async () => {
    const s2 = client()
    await s2.basins.create({ basin: 'shop-orders' })
    await s2.basin('shop-orders').streams.create({ stream: 'orders' })
    const orders = s2.basin('shop-orders').stream('orders')
    const ack = await orders.append(record('order-1'))
    expect(ack.end.seqNum).toBe(1)
    expect(await s2Emulator.faults.list()).toEqual([])
    expect(await s2Emulator.snapshots.list()).toEqual([])
    expect((await s2Emulator.clock.get()).now).toBeLessThan(Date.now() + 24 * 3600 * 1000)
    await orders.close()
  })
})
