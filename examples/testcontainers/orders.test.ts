import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { expect, it } from 'vitest'
import { connectS2Emulator } from 's2-emulator'

const url = process.env.S2_EMULATOR_URL as string
const emulator = connectS2Emulator(url) // faults, snapshots, clock, journal, reset, ...
// With isolation 'token', a token of its own gives this file a namespace of its own.
const s2 = new S2({ accessToken: `orders-${crypto.randomUUID()}`, endpoints: { account: url, basin: url } })

it('appends and reads back, retrying a 503', async () => {
  await s2.basins.create({ basin: 'orders-basin' })
  await s2.basin('orders-basin').streams.create({ stream: 'placed' })
  const placed = s2.basin('orders-basin').stream('placed')
  const rule = await emulator.faults.add({
    match: { basin: 'orders-basin', operation: 'check_tail' },
    action: { type: 'error', status: 503 },
    times: 1,
  })
  await placed.append(AppendInput.create([AppendRecord.string({ body: 'order-1' })]))
  expect((await placed.checkTail()).tail.seqNum).toBe(1) // the SDK retried the 503
  expect((await emulator.faults.get(rule.id)).fired).toBe(1)
  await placed.close()
})
