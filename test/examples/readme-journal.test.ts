import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

let emulator: S2Emulator
let s2: S2
beforeAll(async () => {
  emulator = await startS2Emulator({ journalSize: 1000 }) // the default; 0 turns the journal off
  s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url }, retry: { maxAttempts: 1 } })
})
afterAll(() => emulator.stop())

it('shows what the code under test sent', async () => {
  await s2.basins.create({ basin: 'journal-demo' })
  await s2.basin('journal-demo').streams.create({ stream: 'orders' })
  const orders = s2.basin('journal-demo').stream('orders')
  await emulator.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
  await orders.append(AppendInput.create([AppendRecord.string({ body: 'order-1' })]))
  await orders.checkTail().catch(() => {}) // the fault answers 503, once
  await orders.checkTail()
  await s2.basin('journal-demo').stream('typo').checkTail().catch(() => {}) // 404

  const entries = await emulator.journal.list({ basin: 'journal-demo' })
  expect(entries.map((e) => [e.operation, e.stream, e.status, e.faults])).toEqual([
    ['create_basin', null, 201, []],
    ['create_stream', 'orders', 201, []],
    ['append', 'orders', 200, []],
    ['check_tail', 'orders', 503, ['flaky-tail']],
    ['check_tail', 'orders', 200, []],
    ['check_tail', 'typo', 404, []],
  ])
  expect(entries.at(-1)?.error).toEqual({ status: 404, code: 'stream_not_found' })

  // Sessions are journaled too, with what they sent and how they ended.
  const session = await orders.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1 } } })
  for await (const record of session) expect(record.body).toBe('order-1')
  const [read] = await emulator.journal.list({ operation: 'read', since: entries.at(-1)?.seq })
  expect(read?.transport).toBe('s2s') // the SDK's sessions on Node
  expect(read?.session).toMatchObject({ kind: 'read', records: 1, end: 'complete' })

  await emulator.journal.clear() // or emulator.reset(), which clears it too
  await orders.close()
})
