import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'
import { formatVerifyReport, startCassette, verifyCassette } from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'

const tempDir = useTempDirs()
const running: S2Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
})
const emulator = async (options: Parameters<typeof startS2Emulator>[0] = {}): Promise<S2Emulator> => {
  const started = await startS2Emulator({ port: 0, ...options })
  running.push(started)
  return started
}

/** Creates a basin and a stream, appends five records, checks the tail twice and reads them in a session. */
async function record(path: string, upstream: S2Emulator): Promise<void> {
  const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
  const s2 = sdkAt(recorder.url)
  await s2.basins.create({ basin: 'verify-basin' })
  await s2.basin('verify-basin').streams.create({ stream: 'orders' })
  const orders = s2.basin('verify-basin').stream('orders')
  await orders.append(AppendInput.create(['a', 'b', 'c', 'd', 'e'].map((body) => AppendRecord.string({ body }))))
  await orders.checkTail().catch(() => {})
  await orders.checkTail()
  const session = await orders.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
  for await (const _record of session) {
    // drained
  }
  await orders.close()
  await recorder.stop()
}

it('reports exactly where an upstream that misbehaved (fault rules) answered differently from the emulator', async () => {
  const path = join(tempDir(), 'faulty.json')
  const upstream = await emulator()
  await upstream.faults.add({ match: { operation: 'check_tail' }, action: { type: 'error', status: 503, code: 'unavailable' }, times: 1 })
  await upstream.faults.add({ match: { operation: 'read', transport: 's2s' }, action: { type: 'truncate', after: { records: 2 } } })
  await record(path, upstream)

  const report = await verifyCassette({ cassette: path })
  expect(report.ok).toBe(false)
  expect(report.differing).toBe(2)
  expect(report.exchanges.filter((x) => x.differences.length > 0).map((x) => [x.id, x.operation, x.differences])).toEqual([
    [4, 'check_tail', ['status: recorded 503, emulator 200']],
    [6, 'read', ['records: recorded 2 item(s), emulator 5']],
  ])
  expect(formatVerifyReport(report)).toBe(
    [
      'verify: 6 exchange(s) against in-process emulator; 2 differ',
      '  #4 check_tail: GET /v1/streams/orders/records/tail [basin verify-basin, stream orders]',
      '      status: recorded 503, emulator 200',
      '  #6 read: GET /v1/streams/orders/records?seq_num=0&count=5 (s2s session) [basin verify-basin, stream orders]',
      '      records: recorded 2 item(s), emulator 5',
    ].join('\n'),
  )
})

it('verifies against a running emulator by URL, in the namespace its token picks', async () => {
  const path = join(tempDir(), 'clean.json')
  await record(path, await emulator())
  const target = await emulator({ isolation: 'token' })
  expect(await verifyCassette({ cassette: path, url: target.url, token: 'namespace-a' })).toMatchObject({ ok: true, target: target.url })
  // The same namespace again: the recorded s2-request-token makes the create an idempotent repeat,
  // and the append lands after the first run's records.
  const again = await verifyCassette({ cassette: path, url: target.url, token: 'namespace-a' })
  expect(again.ok).toBe(false)
  expect(again.exchanges[0]?.differences).toEqual(['s2-provision-result: recorded created, emulator noop'])
  expect(again.exchanges[2]?.differences).toContain('body.start.seq_num: recorded 0, emulator 5')
  // Another token is another namespace, as fresh as a new emulator.
  expect((await verifyCassette({ cassette: path, url: target.url, token: 'namespace-b' })).ok).toBe(true)
})
