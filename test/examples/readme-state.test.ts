import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator, type S2Namespace } from 's2-emulator'

let emulator: S2Emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token' }) // one emulator for the whole run
})
afterAll(() => emulator.stop())

// Each test gets a namespace of its own: a private emulator (data, faults, clock, snapshots, journal).
let ns: S2Namespace
let s2: S2
beforeEach(async () => {
  ns = await emulator.createNamespace()
  s2 = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url } })
})
afterEach(() => ns.drop()) // forgets all of it

const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])

it('isolates tests: the same basin name in two namespaces is two basins', async () => {
  const other = await emulator.createNamespace()
  const s2Other = new S2({ accessToken: other.token, endpoints: { account: other.url, basin: other.url } })
  await s2.basins.create({ basin: 'shared-name-1' })
  await s2Other.basins.create({ basin: 'shared-name-1' }) // no conflict: another namespace
  await ns.reset() // removes this namespace's basins, rules and journal only
  expect((await s2.basins.list()).basins).toEqual([])
  expect((await s2Other.basins.list()).basins.map((b) => b.name)).toEqual(['shared-name-1'])
  await other.drop()
})

it('snapshots and restores its own state', async () => {
  await s2.basins.create({ basin: 'snapshot-demo' })
  const basin = s2.basin('snapshot-demo')
  await basin.streams.create({ stream: 'events' })
  await ns.snapshots.take('clean') // names are this namespace's own
  await basin.stream('events').append(record('scratch'))
  await ns.snapshots.restore('clean')
  expect((await basin.stream('events').checkTail()).tail.seqNum).toBe(0)
})

it('checks a 7-day retention in milliseconds, on its own clock', async () => {
  await s2.basins.create({ basin: 'retention-demo' })
  await s2.basin('retention-demo').streams.create({ stream: 'events' }) // default retention: 7 days
  const events = s2.basin('retention-demo').stream('events')
  await ns.clock.freeze() // from now on this namespace's time moves only when told
  await events.append(record('old'))
  await ns.clock.advance('7d') // other namespaces' time does not move
  const batch = await events.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect(batch.records).toEqual([]) // expired; the tail stays at 1
  expect((await events.checkTail()).tail.seqNum).toBe(1)
})

it("arms faults that only this namespace's requests meet", async () => {
  await s2.basins.create({ basin: 'faults-demo-2' })
  await ns.faults.add({ match: { operation: 'list_basins' }, action: { type: 'error', status: 503 }, times: 1 })
  await s2.basins.list() // 503 once, then the SDK's retry succeeds
  await ns.faults.assertAllFired() // sees only this namespace's rules
  const entries = await ns.journal.list({ operation: 'list_basins' })
  expect(entries.map((e) => e.status)).toEqual([503, 200])
})
