/** Unary latency, via the official SDK and via raw HTTP: append one small record, read one record, check tail. */
import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import type { Ctx } from '../lib/context.ts'
import { HttpClient } from '../lib/http1.ts'
import { createKinesisStream, kinesis, SHARD } from '../lib/kinesis.ts'
import type { Measured } from '../lib/report.ts'
import { basinHeaders, freshStream, recordsPath } from '../lib/s2.ts'
import { startServer } from '../lib/servers.ts'
import { shuffler } from '../lib/order.ts'
import { summarize } from '../lib/stats.ts'
import { replyKey, setReply } from '../lib/replies.ts'

const SUITE = 'latency'
const RECORD = '{"records":[{"body":"hello, world"}]}'
/** The order of each operation's calls (see lib/order.ts). */
const SEED = 0x5eed

type Op = () => Promise<void>

export async function latency(ctx: Ctx): Promise<void> {
  const iterations = ctx.pick(1000, 100, 20)
  ctx.workload(
    SUITE,
    `${iterations} sequential calls of each operation (after ${ctx.pick(50, 20, 5)} unmeasured), one keep-alive connection, operations interleaved across targets (each operation's calls in an order shuffled per iteration, seeded); the record is a 12-byte JSON body. node = the same requests answered with the emulator's own response bytes; peer = kinesalite PutRecord, GetShardIterator(AT_SEQUENCE_NUMBER)+GetRecords(Limit 1).`,
  )
  const [emulator, baseline, peer] = await Promise.all([
    startServer({ kind: 'emulator' }),
    startServer({ kind: 'baseline' }),
    startServer({ kind: 'kinesalite' }),
  ])
  const e = new HttpClient(emulator.url)
  const b = new HttpClient(baseline.url)
  const p = new HttpClient(peer.url)
  try {
    const { basin, stream } = await freshStream(e, 'lat')
    const headers = basinHeaders(basin)
    const appendInit = { headers: { ...headers, 'content-type': 'application/json' }, body: RECORD }
    const path = recordsPath(stream)
    const readPath = `${path}?seq_num=0&count=1`
    const tailPath = `${path}/tail`
    const first = await e.request('POST', path, appendInit)
    const read = await e.request('GET', readPath, { headers })
    const tail = await e.request('GET', tailPath, { headers })
    for (const r of [first, read, tail]) if (r.status !== 200) throw new Error(`latency setup: ${r.status} ${r.body.toString()}`)
    await setReply(b, replyKey('POST', path, 'json'), first.body)
    await setReply(b, replyKey('GET', path, 'json'), read.body)
    await setReply(b, replyKey('GET', tailPath, 'json'), tail.body)

    const sdk = (url: string): S2 => new S2({ accessToken: 'bench', endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
    const sdkE = sdk(emulator.url).basin(basin).stream(stream)
    const sdkB = sdk(baseline.url).basin(basin).stream(stream)

    await createKinesisStream(p, 'lat')
    const put = (await kinesis<{ SequenceNumber: string }>(p, 'PutRecord', { StreamName: 'lat', Data: Buffer.from('hello, world').toString('base64'), PartitionKey: 'k' }))
    const seq = put.SequenceNumber

    const ok = async (client: HttpClient, method: string, url: string, init: { headers?: Record<string, string>; body?: string }): Promise<void> => {
      const res = await client.request(method, url, init)
      if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status}`)
    }
    const ops: Record<string, Record<string, Op>> = {
      append: {
        raw: () => ok(e, 'POST', path, appendInit),
        rawNode: () => ok(b, 'POST', path, appendInit),
        sdk: async () => void (await sdkE.append(AppendInput.create([AppendRecord.string({ body: 'hello, world' })]))),
        sdkNode: async () => void (await sdkB.append(AppendInput.create([AppendRecord.string({ body: 'hello, world' })]))),
        peer: async () => void (await kinesis(p, 'PutRecord', { StreamName: 'lat', Data: 'aGVsbG8sIHdvcmxk', PartitionKey: 'k' })),
      },
      read: {
        raw: () => ok(e, 'GET', readPath, { headers }),
        rawNode: () => ok(b, 'GET', readPath, { headers }),
        sdk: async () => {
          const batch = await sdkE.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1 } } })
          if (batch.records.length !== 1) throw new Error('SDK read returned no record')
        },
        sdkNode: async () => {
          const batch = await sdkB.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1 } } })
          if (batch.records.length !== 1) throw new Error('SDK read (node) returned no record')
        },
        peer: async () => {
          const it = await kinesis<{ ShardIterator: string }>(p, 'GetShardIterator', {
            StreamName: 'lat',
            ShardId: SHARD,
            ShardIteratorType: 'AT_SEQUENCE_NUMBER',
            StartingSequenceNumber: seq,
          })
          const got = await kinesis<{ Records: unknown[] }>(p, 'GetRecords', { ShardIterator: it.ShardIterator, Limit: 1 })
          if (got.Records.length !== 1) throw new Error('kinesalite GetRecords returned no record')
        },
      },
      tail: {
        raw: () => ok(e, 'GET', tailPath, { headers }),
        rawNode: () => ok(b, 'GET', tailPath, { headers }),
        sdk: async () => void (await sdkE.checkTail()),
        sdkNode: async () => void (await sdkB.checkTail()),
      },
    }
    const samples = new Map<string, number[]>()
    const warmup = ctx.pick(50, 20, 5)
    const shuffle = shuffler(SEED)
    for (let i = -warmup; i < iterations; i++) {
      for (const [op, variants] of Object.entries(ops)) {
        for (const [variant, fn] of shuffle(Object.entries(variants))) {
          const t = performance.now()
          await fn()
          const ms = performance.now() - t
          if (i < 0) continue
          const key = `${op}.${variant}`
          let list = samples.get(key)
          if (list === undefined) samples.set(key, (list = []))
          list.push(ms)
        }
      }
    }
    const s = (key: string): Measured => summarize(samples.get(key) ?? [])
    const names: Record<string, string> = { append: 'append 1 record', read: 'read 1 record', tail: 'check tail' }
    const peerWork: Record<string, string> = { append: 'PutRecord', read: 'GetShardIterator(AT_SEQUENCE_NUMBER) + GetRecords(Limit 1)' }
    for (const op of Object.keys(ops)) {
      ctx.add({
        suite: SUITE,
        measure: `${names[op]}, raw HTTP`,
        unit: 'ms',
        better: 'lower',
        workload: op === 'append' ? `POST ${RECORD}` : op === 'read' ? 'GET ?seq_num=0&count=1 (JSON)' : 'GET …/records/tail',
        emulator: s(`${op}.raw`),
        baseline: s(`${op}.rawNode`),
        peer: peerWork[op] === undefined ? { skipped: 'Kinesis has no check-tail operation' } : { ...s(`${op}.peer`), workload: peerWork[op] },
      })
      ctx.add({
        suite: SUITE,
        measure: `${names[op]}, SDK`,
        unit: 'ms',
        better: 'lower',
        workload: '@s2-dev/streamstore 0.27.0 unary call (fetch, HTTP/1.1 keep-alive)',
        emulator: s(`${op}.sdk`),
        baseline: { ...s(`${op}.sdkNode`), workload: 'the SDK against the node server replaying the emulator’s response bytes' },
      })
    }
  } finally {
    e.close()
    b.close()
    p.close()
    await Promise.all([emulator.stop(), baseline.stop(), peer.stop()])
  }
}
