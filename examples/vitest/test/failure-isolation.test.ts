import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { expect, test } from 's2-emulator/vitest'
import { describe } from 'vitest'

const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])

// Shows that a failing test leaves nothing behind. It fails on purpose, so it runs only when asked:
// S2_EXAMPLE_DELIBERATE_FAILURE=1 npm test
describe.runIf(process.env.S2_EXAMPLE_DELIBERATE_FAILURE === '1')('a test that fails with faults armed', () => {
  test('fails deliberately, with a fault on every append, its clock a month ahead and a snapshot', async ({ basin, s2Emulator }) => {
    await s2Emulator.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 } }) // no limit
    await s2Emulator.clock.advance('30d')
    await s2Emulator.snapshots.take('baseline')
    await basin.streams.create({ stream: 'orders' })
    throw new Error('deliberate failure: no other test may meet this fault, clock or snapshot')
  })

  test('runs next in the same worker and meets none of it', async ({ basin, s2Emulator }) => {
    await basin.streams.create({ stream: 'orders' })
    const ack = await basin.stream('orders').append(record('order-1'))
    expect(ack.end.seqNum).toBe(1)
    expect(await s2Emulator.faults.list()).toEqual([])
    expect(await s2Emulator.snapshots.list()).toEqual([])
    expect((await s2Emulator.clock.get()).now).toBeLessThan(Date.now() + 24 * 3600 * 1000)
  })
})
