/**
 * Per-test isolation: a namespace per test (createNamespace, then drop), in process and over HTTP,
 * with a basin and a stream made in it; and what namespaces cost the S2 requests that do not use
 * their controls.
 */
import { S2 } from '@s2-dev/streamstore'
import { connectS2Emulator, startS2Emulator } from '../../src/index.ts'
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
    `${iterations} tests in sequence against one emulator started with isolation 'token'; each: createNamespace(), POST /v1/basins + POST /v1/streams with its token (raw HTTP, keep-alive; and the SDK with a new S2 client), one append, then drop() through the control client. node = the same requests answered with fixed bodies; peer = kinesalite CreateStream + DescribeStreamSummary until ACTIVE, and DeleteStream. Also: createNamespace+drop in this process (startS2Emulator's own controls), and an append in a namespace without rules or clock of its own while ${ctx.pick(1000, 200, 20)} other namespaces have rules armed and clocks frozen, against the same append with isolation off.`,
  )
  await perTest(ctx, iterations)
  await inProcess(ctx, ctx.pick(2000, 300, 20))
  await requestCost(ctx, ctx.pick(2000, 300, 30), ctx.pick(1000, 200, 20))
}

async function perTest(ctx: Ctx, iterations: number): Promise<void> {
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
  const samples = { raw: [] as number[], sdk: [] as number[], make: [] as number[], baseMake: [] as number[], sdkBase: [] as number[], base: [] as number[], peer: [] as number[], peerReset: [] as number[] }
  try {
    // The node server answers the same calls with the emulator's own response bodies.
    const probe = await admin.createNamespace()
    const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${probe.token}` }
    const probeBasin = basinName('probe')
    const basinRes = await e.request('POST', '/v1/basins', { headers: jsonHeaders, body: JSON.stringify({ basin: probeBasin }) })
    const streamRes = await e.request('POST', '/v1/streams', { headers: { ...jsonHeaders, 's2-basin': probeBasin }, body: '{"stream":"s"}' })
    const made = await e.request('POST', '/_emulator/namespaces', { headers: { 'content-type': 'application/json' }, body: '{}' })
    if (basinRes.status !== 201 || streamRes.status !== 201 || made.status !== 201) {
      throw new Error(`isolation setup: ${basinRes.status} ${streamRes.status} ${made.status}`)
    }
    await setReply(b, replyKey('POST', '/v1/basins', 'json'), basinRes.body)
    await setReply(b, replyKey('POST', '/v1/streams', 'json'), streamRes.body)
    await setReply(b, replyKey('POST', '/_emulator/namespaces', 'json'), made.body)
    await probe.drop()
    await admin.namespace(JSON.parse(made.body.toString('utf8')).token as string).drop()
    const sdkFor = (url: string, token: string): S2 => new S2({ accessToken: token, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })

    for (let i = -5; i < iterations; i++) {
      const keep = i >= 0
      // A namespace made and dropped around a test, over HTTP.
      let t = performance.now()
      const ns = await admin.createNamespace()
      let made = performance.now() - t
      const basin = basinName('iso')
      t = performance.now()
      await createBasin(e, basin, ns.token)
      await createStream(e, basin, 's', ns.token)
      if (keep) samples.raw.push(performance.now() - t)
      const res = await e.request('POST', recordsPath('s'), {
        headers: { ...basinHeaders(basin, ns.token), 'content-type': 'application/json' },
        body: '{"records":[{"body":"x"}]}',
      })
      if (res.status !== 200) throw new Error(`append in a fresh namespace: ${res.status}`)
      t = performance.now()
      await ns.drop()
      made += performance.now() - t
      if (keep) samples.make.push(made)

      // The SDK, one client per test as a test would make it.
      const sdkNs = await admin.createNamespace()
      t = performance.now()
      const s2 = sdkFor(emulator.url, sdkNs.token)
      const sdkBasin = basinName('isosdk')
      await s2.basins.create({ basin: sdkBasin })
      await s2.basin(sdkBasin).streams.create({ stream: 's' })
      if (keep) samples.sdk.push(performance.now() - t)
      await sdkNs.drop()
      t = performance.now()
      const s2b = sdkFor(baseline.url, sdkNs.token)
      await s2b.basins.create({ basin: sdkBasin })
      await s2b.basin(sdkBasin).streams.create({ stream: 's' })
      if (keep) samples.sdkBase.push(performance.now() - t)

      // Node limit: the same requests answered with fixed bodies.
      t = performance.now()
      const baseNs = await baselineAdmin.createNamespace()
      const baseMade = performance.now() - t
      t = performance.now()
      await createBasin(b, basin, ns.token)
      await createStream(b, basin, 's', ns.token)
      if (keep) samples.base.push(performance.now() - t)
      t = performance.now()
      await baseNs.drop()
      if (keep) samples.baseMake.push(baseMade + performance.now() - t)

      // Peer.
      const name = `iso-${i + 5}`
      t = performance.now()
      await createKinesisStream(p, name)
      if (keep) samples.peer.push(performance.now() - t)
      t = performance.now()
      await kinesis(p, 'DeleteStream', { StreamName: name })
      if (keep) samples.peerReset.push(performance.now() - t)
    }
    const left = (await admin.namespaces()).filter((n) => n.origin === 'api')
    if (left.length !== 0) ctx.note(SUITE, `after the drops ${left.length} namespace(s) were still listed`)
  } finally {
    e.close()
    b.close()
    p.close()
    await Promise.all([emulator.stop(), baseline.stop(), peer.stop()])
  }
  ctx.add({
    suite: SUITE,
    measure: 'createNamespace + drop, over HTTP',
    unit: 'ms',
    better: 'lower',
    workload: 'connectS2Emulator(url).createNamespace() and ns.drop() after a basin, a stream and a record in it (goal: under 1 ms)',
    emulator: summarize(samples.make),
    baseline: { ...summarize(samples.baseMake), workload: 'the same two control calls answered with fixed bodies' },
    peer: { ...summarize(samples.peerReset), workload: 'DeleteStream' },
  })
  ctx.add({
    suite: SUITE,
    measure: 'basin+stream in a new namespace, raw HTTP',
    unit: 'ms',
    better: 'lower',
    workload: "POST /v1/basins + POST /v1/streams with the namespace's token",
    emulator: summarize(samples.raw),
    baseline: summarize(samples.base),
    peer: { ...summarize(samples.peer), workload: 'CreateStream + DescribeStreamSummary until ACTIVE' },
  })
  ctx.add({
    suite: SUITE,
    measure: 'basin+stream in a new namespace, SDK',
    unit: 'ms',
    better: 'lower',
    workload: 'new S2({accessToken}) + basins.create + streams.create',
    emulator: summarize(samples.sdk),
    baseline: { ...summarize(samples.sdkBase), workload: 'the SDK against the node server answering with the emulator’s response bodies' },
  })
}

/** createNamespace + drop through the controls of an emulator started in this process (no network). */
async function inProcess(ctx: Ctx, iterations: number): Promise<void> {
  const emulator = await startS2Emulator({ isolation: 'token' })
  const samples: number[] = []
  try {
    for (let i = -50; i < iterations; i++) {
      const t = performance.now()
      const ns = await emulator.createNamespace()
      await ns.drop()
      if (i >= 0) samples.push(performance.now() - t)
    }
  } finally {
    await emulator.stop()
  }
  ctx.add({
    suite: SUITE,
    measure: 'createNamespace + drop, in process',
    unit: 'ms',
    better: 'lower',
    workload: "startS2Emulator's own controls (its app's fetch, no socket) (goal: under 0.5 ms)",
    emulator: summarize(samples),
  })
}

/**
 * What namespaces cost the requests that use none of their controls: an append in a namespace
 * with no rules and the emulator's clock, while many other namespaces have rules armed and clocks
 * frozen, against the same append with isolation off.
 */
async function requestCost(ctx: Ctx, iterations: number, others: number): Promise<void> {
  const [isolated, plain] = await Promise.all([
    startServer({ kind: 'emulator', options: { isolation: 'token' } }),
    startServer({ kind: 'emulator', options: {} }),
  ])
  const samples = { isolated: [] as number[], plain: [] as number[] }
  const clients = { isolated: new HttpClient(isolated.url), plain: new HttpClient(plain.url) }
  try {
    const admin = connectS2Emulator(isolated.url)
    for (let i = 0; i < others; i++) {
      const ns = await admin.createNamespace()
      await ns.faults.add({ match: { operation: 'append' }, action: { type: 'latency', ms: 1 } })
      await ns.clock.freeze()
    }
    const ns = await admin.createNamespace()
    const basin = basinName('cost')
    for (const [client, token] of [[clients.isolated, ns.token], [clients.plain, 'any']] as const) {
      await createBasin(client, basin, token)
      await createStream(client, basin, 's', token)
    }
    const append = async (client: HttpClient, token: string): Promise<number> => {
      const t = performance.now()
      const res = await client.request('POST', recordsPath('s'), {
        headers: { ...basinHeaders(basin, token), 'content-type': 'application/json' },
        body: '{"records":[{"body":"x"}]}',
      })
      if (res.status !== 200) throw new Error(`append: ${res.status}`)
      return performance.now() - t
    }
    for (let i = -100; i < iterations; i++) {
      // Interleaved, so both see the same machine.
      const a = await append(clients.isolated, ns.token)
      const b = await append(clients.plain, 'any')
      if (i >= 0) {
        samples.isolated.push(a)
        samples.plain.push(b)
      }
    }
  } finally {
    clients.isolated.close()
    clients.plain.close()
    await Promise.all([isolated.stop(), plain.stop()])
  }
  ctx.add({
    suite: SUITE,
    measure: 'append in a namespace with no controls of its own',
    unit: 'ms',
    better: 'lower',
    workload: `one JSON append (raw HTTP, keep-alive) in a namespace with no rules, following the emulator's clock, while ${others} other namespaces have a rule armed and a frozen clock; baseline: the same append on an emulator with isolation off (goal: no measurable difference)`,
    emulator: summarize(samples.isolated),
    baseline: { ...summarize(samples.plain), workload: "the same append on an emulator with isolation 'none'" },
  })
}
