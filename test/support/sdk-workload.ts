import { AppendInput, AppendRecord, type ReadRecord, type S2Stream } from '@s2-dev/streamstore'
import { sdkAt } from './cassettes.ts'

/**
 * One SDK workload touching every kind of exchange a recorder must handle: basins and streams
 * CRUD, unary appends of strings (JSON) and bytes (protobuf), unary reads of both, a 412 and a
 * 416, and on each session transport (S2S over HTTP/2, fetch: serial POSTs and SSE) a pipelined
 * append session and a read session. Returns what the SDK gave back, step by step, so two runs
 * compare with one `toEqual`. Names are fixed, so a recording of one run answers the next.
 */
export async function runWorkload(url: string, prefix: string): Promise<[string, unknown][]> {
  const s2 = sdkAt(url)
  const results: [string, unknown][] = []
  const step = async (label: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      const value = await run()
      results.push([label, value === undefined ? '(no value)' : JSON.parse(JSON.stringify(value))])
    } catch (error) {
      const e = error as { name: string; status?: number; code?: string; expectedSeqNum?: number; tail?: unknown }
      results.push([label, { error: e.name, status: e.status, code: e.code, expectedSeqNum: e.expectedSeqNum, tail: e.tail }])
    }
  }
  const main = `${prefix}-main`
  const spare = `${prefix}-spare`
  const basin = s2.basin(main)

  await step('create basin', () => s2.basins.create({ basin: main }))
  await step('ensure basin (created)', () => s2.basins.ensure({ basin: spare, config: { createStreamOnAppend: true } }))
  await step('ensure basin (noop)', () => s2.basins.ensure({ basin: spare, config: { createStreamOnAppend: true } }))
  await step('list basins', () => s2.basins.list({ prefix }))
  await step('basin config', () => s2.basins.getConfig({ basin: main }))
  await step('reconfigure basin', () => s2.basins.reconfigure({ basin: spare, createStreamOnRead: true }))
  await step('create stream', () => basin.streams.create({ stream: 'orders' }))
  await step('create stream (exists)', () => basin.streams.create({ stream: 'orders' }))
  await step('ensure stream', () => basin.streams.ensure({ stream: 'audit' }))
  await step('list streams', () => basin.streams.list())
  await step('stream config', () => basin.streams.getConfig({ stream: 'orders' }))
  await step('reconfigure stream', () => basin.streams.reconfigure({ stream: 'audit', storageClass: 'standard' }))

  const orders = basin.stream('orders')
  await step('append strings', () =>
    orders.append(AppendInput.create([AppendRecord.string({ body: 'order-1', headers: [['kind', 'new']] }), AppendRecord.string({ body: 'order-2' })])),
  )
  await step('append bytes', () => orders.append(AppendInput.create([AppendRecord.bytes({ body: new Uint8Array([0, 1, 2, 254, 255]) })])))
  await step('append with a stale match_seq_num (412)', () =>
    orders.append(AppendInput.create([AppendRecord.string({ body: 'late' })], { matchSeqNum: 0 })),
  )
  await step('check tail', () => orders.checkTail())
  await step('read strings', () => orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 2 } } }))
  await step('read bytes', () => orders.read({ start: { from: { seqNum: 2 } }, stop: { limits: { count: 1 } } }, { as: 'bytes' }))
  await step('read beyond the tail (416)', () => orders.read({ start: { from: { seqNum: 1000 } } }))

  for (const transport of ['s2s', 'fetch'] as const) {
    const handle: S2Stream = basin.stream('orders', { forceTransport: transport })
    await step(`${transport}: pipelined append session`, async () => {
      const session = await handle.appendSession()
      const tickets = []
      for (let i = 0; i < 3; i++) tickets.push(await session.submit(AppendInput.create([AppendRecord.string({ body: `${transport}-${i}` })])))
      const acks = await Promise.all(tickets.map((t) => t.ack()))
      await session.close()
      return acks
    })
    await step(`${transport}: read session`, async () => {
      const session = await handle.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 6 } } })
      const records: ReadRecord[] = []
      for await (const record of session) records.push(record)
      return records
    })
    await step(`${transport}: read session beyond the tail (416)`, async () => {
      const session = await handle.readSession({ start: { from: { seqNum: 1000 } } })
      for await (const _record of session) {
        // Not reached: the session fails.
      }
      return 'ended'
    })
    await handle.close()
  }

  await step('delete stream', () => basin.streams.delete({ stream: 'audit' }))
  await step('delete basin', () => s2.basins.delete({ basin: spare }))
  await orders.close()
  return results
}
