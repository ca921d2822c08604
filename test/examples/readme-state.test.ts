import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

let emulator: S2Emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token', clock: 'virtual', startTime: '2026-01-01T00:00:00Z' })
})
afterAll(() => emulator.stop())

// With isolation 'token', each access token is its own account.
const client = (accessToken: string) =>
  new S2({ accessToken, endpoints: { account: emulator.url, basin: emulator.url } })

it('isolates tests by token, and resets one of them', async () => {
  const [alice, bob] = [client('test-a'), client('test-b')]
  await alice.basins.create({ basin: 'shared-name-1' })
  await bob.basins.create({ basin: 'shared-name-1' }) // no conflict: another account
  await emulator.reset({ namespace: 'test-a' })
  expect((await alice.basins.list()).basins).toEqual([])
  expect((await bob.basins.list()).basins.map((b) => b.name)).toEqual(['shared-name-1'])
})

it('snapshots and restores state', async () => {
  const s2 = client('test-c')
  await s2.basins.create({ basin: 'snapshot-demo' })
  const basin = s2.basin('snapshot-demo')
  await basin.streams.create({ stream: 'events' })
  await emulator.snapshots.take('clean', { namespace: 'test-c' })
  await basin.stream('events').append(AppendInput.create([AppendRecord.string({ body: 'scratch' })]))
  await emulator.snapshots.restore('clean')
  expect((await basin.stream('events').checkTail()).tail.seqNum).toBe(0)
})

it('checks a 7-day retention in milliseconds', async () => {
  const s2 = client('test-d')
  await s2.basins.create({ basin: 'retention-demo' })
  const events = s2.basin('retention-demo').stream('events')
  await s2.basin('retention-demo').streams.create({ stream: 'events' }) // default retention: 7 days
  await events.append(AppendInput.create([AppendRecord.string({ body: 'old' })]))
  await emulator.clock.advance('7d')
  const batch = await events.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records).toEqual([]) // expired; the tail stays at 1
  expect((await events.checkTail()).tail.seqNum).toBe(1)
})
