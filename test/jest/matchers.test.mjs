// The matchers in jest (ESM: `node --experimental-vm-modules`), with `setupFilesAfterEnv:
// ['s2-emulator/matchers/jest']`: each matcher passing, failing (messages pinned) and negated,
// against a real emulator over HTTP. Self-contained (it starts its own emulator), so it runs in
// any jest project that installs s2-emulator and @s2-dev/streamstore: npm test runs it in the jest
// examples (test/examples/runner-examples.test.ts), scripts/run-jest-matchers.ts in a scratch project.
// Kept the same as matchers.test.cjs but for its imports.
import { stripVTControlCharacters } from 'node:util'
import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { startS2Emulator } from 's2-emulator'
import { bindS2Namespace, s2Record } from 's2-emulator/matchers'

let emulator
let ns
let s2
let n = 0
const handles = []
const basin = 'jest-basin'

beforeAll(async () => {
  emulator = await startS2Emulator({ isolation: 'token', clock: 'virtual', startTime: '2026-01-01T00:00:00.000Z' })
})
afterAll(() => emulator.stop())
beforeEach(async () => {
  ns = await emulator.createNamespace({ token: `jest-matchers-${++n}` })
  bindS2Namespace(ns) // one test at a time: bound for every test until the next one
  s2 = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url }, retry: { maxAttempts: 1 } })
  await ns.init({ basins: [{ name: basin, streams: [{ name: 'orders' }, { name: 'refunds' }] }] })
})
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()))
  bindS2Namespace(null)
  await ns.drop()
})

const stream = (name) => {
  const handle = s2.basin(basin).stream(name)
  handles.push(handle)
  return handle
}
const append = (handle, ...bodies) =>
  handle.append(AppendInput.create(bodies.map((b) => (typeof b === 'string' ? AppendRecord.string({ body: b }) : b))))
/** The message an assertion fails with, without colours. */
const failure = async (assertion) => {
  const outcome = await assertion.then(
    () => null,
    (error) => error,
  )
  if (outcome === null) throw new Error('expected the assertion to fail, but it passed')
  return stripVTControlCharacters(outcome.message)
}

describe('stream content', () => {
  test('toHaveRecords passes on an SDK handle and a reference, and fails with a diff from the first difference', async () => {
    const orders = stream('orders')
    await append(orders, 'order-1', AppendRecord.string({ body: 'order-2', headers: [['type', 'created']] }))
    await expect(orders).toHaveRecords(['order-1', { body: expect.stringContaining('-2'), headers: { type: 'created' } }])
    await expect({ basin, stream: 'orders' }).toHaveRecords([expect.s2Record({ seqNum: 0 }), s2Record('order-2')])
    await expect(orders).not.toHaveRecords(['order-1'])
    expect(await failure(expect(orders).toHaveRecords(['order-1', 'order-9']))).toMatchInlineSnapshot(`
"expect(stream).toHaveRecords(expected)

Stream jest-basin/orders holds 2 records (seqNum 0 to 1); expected 2 records. The first difference is at record 1 (seqNum 1).

- Expected
+ Received

  Array [
    "order-1",
-   "order-9",
+   "order-2",
  ]"
`)
    expect(await failure(expect(orders).not.toHaveRecords(['order-1', 'order-2']))).toMatchInlineSnapshot(`
"expect(stream).not.toHaveRecords(expected)

Expected stream jest-basin/orders not to hold exactly these records, but it does: 2 records (seqNum 0 to 1):
  seqNum 0: "order-1"
  seqNum 1: "order-2""
`)
  })

  test('toContainRecords and toContainRecord', async () => {
    const orders = stream('orders')
    await append(orders, 'a', 'b', 'c')
    await expect(orders).toContainRecords(['a', 'c'])
    await expect(orders).toContainRecord({ body: 'b', seqNum: 1 })
    await expect(orders).not.toContainRecord('z')
    expect(await failure(expect(orders).toContainRecords(['c', 'a']))).toMatchInlineSnapshot(`
"expect(stream).toContainRecords(records)

Stream jest-basin/orders holds 3 records (seqNum 0 to 2).
It holds expected[0] (at seqNum 2), but no record after seqNum 2 matches expected[1]:
  "a"
(seqNum 0 matches it, but comes before the records matched so far: they must be in order)"
`)
    expect(await failure(expect(orders).not.toContainRecord('b'))).toMatchInlineSnapshot(`
"expect(stream).not.toContainRecord(record)

Expected stream jest-basin/orders not to contain this record, but it does:
  seqNum 1: "b""
`)
  })

  test('toHaveTail and toBeEmptyStream, with command records', async () => {
    const orders = stream('orders')
    await expect(orders).toBeEmptyStream()
    await append(orders, 'a', AppendRecord.fence('token-1'))
    await expect(orders).toHaveTail(2)
    await expect(orders).toContainRecord({ command: 'fence', fencingToken: 'token-1' })
    expect(await failure(expect(orders).toHaveTail(1))).toMatchInlineSnapshot(`
"expect(stream).toHaveTail(seqNum)

Stream jest-basin/orders has its tail (the next seqNum it assigns) at 2; expected 1 (1 more appended than expected)."
`)
    expect(await failure(expect({ basin, stream: 'orders' }).toBeEmptyStream())).toMatchInlineSnapshot(`
"expect(stream).toBeEmptyStream()

Stream jest-basin/orders in namespace ns-8a797d2e0d46359ae384 holds 2 records (seqNum 0 to 1); expected none:
  seqNum 0: "a"
  seqNum 1: { command: "fence", fencingToken: "token-1" }"
`)
  })
})

describe('what the emulator received', () => {
  test('toHaveReceived by operation, stream and records, with counts and near misses', async () => {
    await append(stream('orders'), 'order-1', 'order-2')
    await append(stream('refunds'), 'refund-1')
    await expect(ns).toHaveReceived({ operation: 'append', stream: 'orders', records: ['order-1', 'order-2'] })
    await expect(ns).toHaveReceived({ operation: 'append' }, 2)
    await expect(ns).not.toHaveReceived({ operation: 'read' })
    expect(await failure(expect(ns).toHaveReceived({ operation: 'append', stream: 'orders', records: ['order-1', 'order-3'] }))).toMatchInlineSnapshot(`
"expect(namespace).toHaveReceived(request)

Expected namespace ns-31b1c29877f677eeff80 to have received at least one request matching
  { operation: "append", stream: "orders", records: ["order-1", "order-3"] }
Its journal holds 2 requests; 0 match.

Closest requests:
  #28 append jest-basin/orders (unary, 200, 2 records)
    records[1].body: expected "order-3", received "order-2"
  #29 append jest-basin/refunds (unary, 200, 1 record)
    stream: expected "orders", received "refunds"
    records.length: expected 2, received 1"
`)
    expect(await failure(expect(ns).not.toHaveReceived({ stream: 'refunds' }))).toMatchInlineSnapshot(`
"expect(namespace).not.toHaveReceived(request)

Expected namespace ns-31b1c29877f677eeff80 not to have received any request matching
  { stream: "refunds" }
but it received 1 matching request:
  #29 append jest-basin/refunds (unary, 200, 1 record)"
`)
  })
})

describe('faults', () => {
  test('toHaveFiredFault and toHaveFiredAllFaults', async () => {
    const rule = await ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
    await ns.faults.add({ id: 'never', match: { operation: 'list_streams' }, action: { type: 'error', status: 503 } })
    await stream('orders').checkTail().catch(() => {})
    await expect(ns).toHaveFiredFault(rule, 1)
    await expect(ns).not.toHaveFiredFault('never')
    expect(await failure(expect(ns).toHaveFiredFault('never'))).toMatchInlineSnapshot(`
"expect(namespace).toHaveFiredFault(rule)

Expected fault rule "never" of namespace ns-aa5dac08866916d94cb7 to have fired at least once; it fired 0 times.
  never (error 503 on list_streams): fired 0 times, matched 0 requests"
`)
    expect(await failure(expect(ns).toHaveFiredAllFaults())).toMatchInlineSnapshot(`
"expect(namespace).toHaveFiredAllFaults()

1 fault rule of 2 armed in namespace ns-aa5dac08866916d94cb7 never fired:
  never (error 503 on list_streams): fired 0 times, matched 0 requests"
`)
  })
})

describe('s2Record in toEqual', () => {
  test('matches records the SDK read', async () => {
    const orders = stream('orders')
    await append(orders, 'a', 'b')
    const batch = await orders.read({ start: { from: { seqNum: 0 } } })
    expect(batch.records).toEqual([expect.s2Record('a'), s2Record({ seqNum: 1, body: 'b' })])
    expect(batch.records).not.toEqual([expect.s2Record('a'), expect.s2Record('c')])
  })
})
