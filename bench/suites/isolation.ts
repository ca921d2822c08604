/**
 * Per-test isolation: a fresh namespace + basin + stream (isolation 'token': a new bearer token is a
 * new namespace), and `emulator.reset({ namespace })` afterwards.
 */
import { S2 } from '@s2-dev/streamstore'
import { connectS2Emulator } from '../../src/index.ts'
import type { Ctx } from '../lib/context.ts'
import { HttpClient } from '../lib/http1.ts'
import { createKinesisStream, kinesis } from '../lib/kinesis.ts'
import { basinHeaders, basinName, createBasin, createStream, recordsPath } from '../lib/s2.ts'
import { replyKey, setReply } from '../lib/replies.ts'
import { startServer } from '../lib/servers.ts'
import { summarize } from '../lib/stats.ts'

const SUITE = 'isolation'

export async function isolation(ctx: Ctx): Promise<void> {
  const iterations = ctx.pick(300, 30, 5)
  ctx.workload(
    SUITE,
    `${iterations} tests in sequence against one emulator started with isolation 'token'; each: a new token, POST /v1/basins + POST /v1/streams (raw HTTP, keep-alive; and the SDK with a new S2 client per token), one append, then reset({namespace}) through the admin client. node = the same requests answered with a fixed body; peer = kinesalite CreateStream + DescribeStreamSummary until ACTIVE, and DeleteStream.`,
  )
  const [emulator, baseline, peer] = await Promise.all([
    startServer({ kind: 'emulator', options: { isolation: 'token' } }),
    startServer({ kind: 'baseline' }),
    startServer({ kind: 'kinesalite' }),
  ])
  const e = new HttpClient(emulator.url)
  const b = new HttpClient(baseline.url)
  const p = new HttpClient(peer.url)
  const admin = connectS2Emulator(emulator.url)
  const baselineAdmin = connectS2Emulator(baseline.url)
  const samples = { raw: [] as number[], sdk: [] as number[], reset: [] as number[], sdkBase: [] as number[], base: [] as number[], baseReset: [] as number[], peer: [] as number[], peerReset: [] as number[] }
  try {
    // the node server answers the SDK's two calls with the emulator's own response bodies
    const probe = basinName('probe')
    const jsonHeaders = { 'content-type': 'application/json', authorization: 'Bearer probe' }
    const basinRes = await e.request('POST', '/v1/basins', { headers: jsonHeaders, body: JSON.stringify({ basin: probe }) })
    const streamRes = await e.request('POST', '/v1/streams', { headers: { ...jsonHeaders, 's2-basin': probe }, body: '{"stream":"s"}' })
    if (basinRes.status !== 201 || streamRes.status !== 201) throw new Error(`isolation setup: ${basinRes.status} ${streamRes.status}`)
    await setReply(b, replyKey('POST', '/v1/basins', 'json'), basinRes.body)
    await setReply(b, replyKey('POST', '/v1/streams', 'json'), streamRes.body)
    await admin.reset({ namespace: 'probe' })
    const sdkFor = (url: string, token: string): S2 => new S2({ accessToken: token, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })

    for (let i = -5; i < iterations; i++) {
      const keep = i >= 0
      // raw HTTP
      const token = `bench-${i + 5}-${Math.random().toString(36).slice(2, 8)}`
      let t = performance.now()
      const basin = basinName('iso')
      await createBasin(e, basin, token)
      await createStream(e, basin, 's', token)
      if (keep) samples.raw.push(performance.now() - t)
      const res = await e.request('POST', recordsPath('s'), {
        headers: { ...basinHeaders(basin, token), 'content-type': 'application/json' },
        body: '{"records":[{"body":"x"}]}',
      })
      if (res.status !== 200) throw new Error(`append in a fresh namespace: ${res.status}`)
      t = performance.now()
      await admin.reset({ namespace: token })
      if (keep) samples.reset.push(performance.now() - t)

      // the SDK, one client per test as a test would make it
      const sdkToken = `${token}-sdk`
      t = performance.now()
      const s2 = sdkFor(emulator.url, sdkToken)
      const sdkBasin = basinName('isosdk')
      await s2.basins.create({ basin: sdkBasin })
      await s2.basin(sdkBasin).streams.create({ stream: 's' })
      if (keep) samples.sdk.push(performance.now() - t)
      await admin.reset({ namespace: sdkToken })
      t = performance.now()
      const s2b = sdkFor(baseline.url, sdkToken)
      await s2b.basins.create({ basin: sdkBasin })
      await s2b.basin(sdkBasin).streams.create({ stream: 's' })
      if (keep) samples.sdkBase.push(performance.now() - t)

      // node limit: the same three requests answered with a fixed body
      t = performance.now()
      await createBasin(b, basin, token)
      await createStream(b, basin, 's', token)
      if (keep) samples.base.push(performance.now() - t)
      t = performance.now()
      await baselineAdmin.reset({ namespace: token })
      if (keep) samples.baseReset.push(performance.now() - t)

      // peer
      const name = `iso-${i + 5}`
      t = performance.now()
      await createKinesisStream(p, name)
      if (keep) samples.peer.push(performance.now() - t)
      t = performance.now()
      await kinesis(p, 'DeleteStream', { StreamName: name })
      if (keep) samples.peerReset.push(performance.now() - t)
    }
    const left = await admin.namespaces()
    if (left.length !== 0) ctx.note(SUITE, `after the resets ${left.length} namespace(s) were still listed`)
  } finally {
    e.close()
    b.close()
    p.close()
    await Promise.all([emulator.stop(), baseline.stop(), peer.stop()])
  }
  ctx.add({
    suite: SUITE,
    measure: 'new namespace+basin+stream, raw HTTP',
    unit: 'ms',
    better: 'lower',
    workload: 'POST /v1/basins + POST /v1/streams with a new bearer token',
    emulator: summarize(samples.raw),
    baseline: summarize(samples.base),
    peer: { ...summarize(samples.peer), workload: 'CreateStream + DescribeStreamSummary until ACTIVE' },
  })
  ctx.add({
    suite: SUITE,
    measure: 'new namespace+basin+stream, SDK',
    unit: 'ms',
    better: 'lower',
    workload: 'new S2({accessToken}) + basins.create + streams.create',
    emulator: summarize(samples.sdk),
    baseline: { ...summarize(samples.sdkBase), workload: 'the SDK against the node server answering with the emulator’s response bodies' },
  })
  ctx.add({
    suite: SUITE,
    measure: 'reset({namespace})',
    unit: 'ms',
    better: 'lower',
    workload: 'POST /_emulator/reset through connectS2Emulator(url).reset (fetch), namespace with 1 basin, 1 stream, 1 record',
    emulator: summarize(samples.reset),
    baseline: { ...summarize(samples.baseReset), workload: 'the same admin client call answered with a fixed body' },
    peer: { ...summarize(samples.peerReset), workload: 'DeleteStream' },
  })
}
