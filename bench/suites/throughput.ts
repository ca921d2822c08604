/**
 * Throughput in MiB/s (payload) and records/s: unary JSON appends, protobuf appends, a pipelined S2S
 * append session, and catch-up reads over SSE and S2S, for 100 B, 1 KiB and 64 KiB records.
 */
import type { ClientHttp2Session } from 'node:http2'
import { connectS2Emulator } from '../../src/index.ts'
import type { Ctx } from '../lib/context.ts'
import { closeSession, h2connect, h2Get, s2sAppendSession } from '../lib/h2.ts'
import { closedLoop, HttpClient } from '../lib/http1.ts'
import { createKinesisStream, kinesis, putRecords, putRecordsBody, SHARD } from '../lib/kinesis.ts'
import { startReadClient, type ReadRequest } from '../lib/read-client.ts'
import type { Measured } from '../lib/report.ts'
import { basinHeaders, basinName, createBasin, createStream, freshStream, protoAppendTimes, recordsPath } from '../lib/s2.ts'
import { replyKey, setReply } from '../lib/replies.ts'
import { startServer } from '../lib/servers.ts'
import { MiB, summarizeRates } from '../lib/stats.ts'
import { decodeReadBatch, frame, jsonAppend, parseFrames, protoAppend } from '../lib/wire.ts'

const SUITE = 'throughput'
const CONCURRENCY = 4
const WINDOW = 8

const sizeLabel = (size: number): string => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`)

interface Rates {
  mib: number[]
  records: number[]
}
const rates = (): Rates => ({ mib: [], records: [] })
function addRun(r: Rates, records: number, size: number, elapsedMs: number): void {
  r.mib.push((records * size) / MiB / (elapsedMs / 1000))
  r.records.push(records / (elapsedMs / 1000))
}
function measured(r: Rates, workload?: string): Measured {
  const m = summarizeRates(r.mib)
  const rec = summarizeRates(r.records)
  return { ...m, ...(workload === undefined ? {} : { workload }), extra: { recordsPerSecondMedian: rec.median, recordsPerSecondP99: rec.p99 }, runs: [...r.mib] }
}

export async function throughput(ctx: Ctx): Promise<void> {
  const sizes = ctx.pick([100, 1024, 65536], [100, 1024, 65536], [1024])
  const runs = ctx.pick(5, 2, 2)
  const runMs = ctx.pick(750, 100, 100)
  const readBytes = ctx.pick(32 * MiB, 1 * MiB, 256 * 1024)
  const readCap = ctx.pick(100_000, 5_000, 500)
  const readMs = ctx.pick(300, 0, 0)
  const peerFillMs = ctx.pick(1000, 150, 100)
  ctx.workload(
    SUITE,
    `payload MiB/s (records/s in the JSON); ${runs} runs each, targets interleaved run by run. Appends: batches of min(500, 512 KiB/size) records, closed loop for ${runMs} ms per run: unary with ${CONCURRENCY} requests in flight on ${CONCURRENCY} keep-alive connections; S2S: one h2c session with ${WINDOW} batches in flight; each run into a fresh stream. Catch-up reads: reads of the whole stream (min(${readCap}, ${readBytes / MiB} MiB/size) records, seq_num=0, count=N), one after another for at least ${readMs} ms per run (at least one; the rate is over their summed times), timed in a client process of its own that only reads (SSE over a keep-alive HTTP/1.1 connection, S2S over one h2c session per server). node = bare http/http2 accepting the bodies with a fixed answer (one ack frame per S2S input) and replaying the emulator's read bytes; keep (the floor of appends) = the same node server keeping every body it is sent, joined in one buffer per request (an S2S session's chunks as they come), dropped after each run; store (protobuf and S2S appends) = the same node server doing the least an S2 store does: keeping each input (an S2S session's frames joined whole), finding every record's body in it and answering with its real AppendAck (sequence numbers, timestamp), dropped after each run; peer = kinesalite PutRecords of the same batches (base64) with the same concurrency, and GetShardIterator(TRIM_HORIZON) + GetRecords(Limit 10000) until all read (its stream filled for at most ${peerFillMs} ms).`,
  )
  const [emulator, baseline, peer] = await Promise.all([
    startServer({ kind: 'emulator' }),
    startServer({ kind: 'baseline' }),
    startServer({ kind: 'kinesalite' }),
  ])
  const e = new HttpClient(emulator.url, CONCURRENCY)
  const b = new HttpClient(baseline.url, CONCURRENCY)
  const p = new HttpClient(peer.url, CONCURRENCY)
  const admin = connectS2Emulator(emulator.url)
  const h2e = await h2connect(emulator.h2url)
  const h2b = await h2connect(baseline.h2url)
  const reader = await startReadClient()
  try {
    await createKinesisStream(p, 'tp')
    const readBasin = basinName('reads')
    await createBasin(e, readBasin)
    for (const size of sizes) {
      const k = Math.min(500, Math.floor((512 * 1024) / size))
      const json = jsonAppend(k, size)
      const proto = protoAppend(k, size)
      const s2sFrame = frame(proto)
      const peerBody = putRecordsBody('tp', k, size)
      const jsonHeaders = { 'content-type': 'application/json' }
      const protoHeaders = { 'content-type': 'application/protobuf', accept: 'application/protobuf' }
      const appendPath = recordsPath('s')

      const unaryRun = async (client: HttpClient, headers: Record<string, string>, body: string | Buffer): Promise<{ calls: number; elapsedMs: number }> =>
        closedLoop(CONCURRENCY, runMs, async () => {
          const res = await client.request('POST', appendPath, { headers, body })
          if (res.status !== 200) throw new Error(`append ${sizeLabel(size)}: ${res.status} ${res.body.toString().slice(0, 200)}`)
        })
      const s2sFrames = (deadline: number) => (): Buffer | null => (performance.now() < deadline ? s2sFrame : null)
      const s2sRun = async (session: ClientHttp2Session, basin: string): Promise<{ acks: number; elapsedMs: number }> =>
        s2sAppendSession(session, { ':path': appendPath, 's2-basin': basin }, WINDOW, s2sFrames(performance.now() + runMs))
      /** A run against the emulator: into a fresh stream, whose basin is reset afterwards. */
      const onEmulator = async <T>(fn: (basin: string) => Promise<T>): Promise<T> => {
        const { basin } = await freshStream(e, 'tp')
        try {
          return await fn(basin)
        } finally {
          await admin.reset({ basin })
        }
      }

      // capture the emulator's acks so the node server answers with the same bytes
      const firstJson = await onEmulator((basin) => e.request('POST', appendPath, { headers: { ...jsonHeaders, ...basinHeaders(basin) }, body: json }))
      const firstProto = await onEmulator((basin) => e.request('POST', appendPath, { headers: { ...protoHeaders, ...basinHeaders(basin) }, body: proto }))
      if (firstJson.status !== 200 || firstProto.status !== 200) throw new Error(`append setup: ${firstJson.status} ${firstProto.status}`)
      await setReply(b, replyKey('POST', appendPath, 'json'), firstJson.body)
      await setReply(b, replyKey('POST', appendPath, 'proto'), firstProto.body, 'application/protobuf')

      /**
       * A run against the node limit holding what it is sent: the floor keeps every body, the store
       * reference stores their records too. It then drops them and says how many bytes and records
       * it held: each of the run's `sent` requests or frames of `bytes`, and for the store `k`
       * records each.
       */
      const holding = async <T>(reference: 'floor' | 'store', fn: () => Promise<T>, sent: (result: T) => number, bytes: number): Promise<T> => {
        const result = await fn()
        const res = await b.request('DELETE', '/_bench/kept')
        const held = `${res.body.toString()} bytes, ${String(res.headers['x-bench-records'])} records`
        const expected = `${sent(result) * bytes} bytes, ${reference === 'store' ? sent(result) * k : 0} records`
        if (res.status !== 200 || held !== expected) {
          throw new Error(`the ${reference === 'floor' ? 'floor' : 'store reference'} held ${held} (status ${res.status}), expected ${expected}`)
        }
        return result
      }
      const calls = (x: { calls: number }): number => x.calls
      const acks = (y: { acks: number }): number => y.acks
      const keep = { 'x-bench-keep': '1' }
      const store = { 'x-bench-store': '1' }

      const r = {
        json: rates(), jsonNode: rates(), jsonKeep: rates(),
        proto: rates(), protoNode: rates(), protoKeep: rates(), protoStore: rates(),
        s2s: rates(), s2sNode: rates(), s2sKeep: rates(), s2sStore: rates(),
        peer: rates(),
      }
      for (let run = -1; run < runs; run++) {
        const measuring = run >= 0
        const record = (into: Rates, batches: number, elapsedMs: number): void => {
          if (measuring) addRun(into, batches * k, size, elapsedMs)
        }
        let x = await onEmulator((basin) => unaryRun(e, { ...jsonHeaders, ...basinHeaders(basin) }, json))
        record(r.json, x.calls, x.elapsedMs)
        x = await unaryRun(b, { ...jsonHeaders, ...basinHeaders('tp') }, json)
        record(r.jsonNode, x.calls, x.elapsedMs)
        x = await holding('floor', () => unaryRun(b, { ...jsonHeaders, ...basinHeaders('tp'), ...keep }, json), calls, Buffer.byteLength(json))
        record(r.jsonKeep, x.calls, x.elapsedMs)
        x = await closedLoop(CONCURRENCY, runMs, () => putRecords(p, peerBody, k))
        record(r.peer, x.calls, x.elapsedMs)
        x = await onEmulator((basin) => unaryRun(e, { ...protoHeaders, ...basinHeaders(basin) }, proto))
        record(r.proto, x.calls, x.elapsedMs)
        x = await unaryRun(b, { ...protoHeaders, ...basinHeaders('tp') }, proto)
        record(r.protoNode, x.calls, x.elapsedMs)
        x = await holding('floor', () => unaryRun(b, { ...protoHeaders, ...basinHeaders('tp'), ...keep }, proto), calls, proto.length)
        record(r.protoKeep, x.calls, x.elapsedMs)
        x = await holding('store', () => unaryRun(b, { ...protoHeaders, ...basinHeaders('tp'), ...store }, proto), calls, proto.length)
        record(r.protoStore, x.calls, x.elapsedMs)
        let y = await onEmulator((basin) => s2sRun(h2e, basin))
        record(r.s2s, y.acks, y.elapsedMs)
        y = await s2sRun(h2b, 'tp')
        record(r.s2sNode, y.acks, y.elapsedMs)
        y = await holding('floor', () => s2sAppendSession(h2b, { ':path': appendPath, 's2-basin': 'tp', ...keep }, WINDOW, s2sFrames(performance.now() + runMs)), acks, s2sFrame.length)
        record(r.s2sKeep, y.acks, y.elapsedMs)
        y = await holding('store', () => s2sAppendSession(h2b, { ':path': appendPath, 's2-basin': 'tp', ...store }, WINDOW, s2sFrames(performance.now() + runMs)), acks, s2sFrame.length)
        record(r.s2sStore, y.acks, y.elapsedMs)
      }
      const batch = `${k} x ${sizeLabel(size)}`
      const peerAppend = measured(r.peer, `PutRecords of ${k} records (base64 JSON), ${CONCURRENCY} in flight`)
      ctx.add({ suite: SUITE, measure: `append ${batch}, JSON unary`, unit: 'MiB/s', better: 'higher', recordSize: size, workload: `POST JSON, ${CONCURRENCY} in flight`, emulator: measured(r.json), baseline: measured(r.jsonNode), floor: measured(r.jsonKeep), peer: peerAppend })
      ctx.add({ suite: SUITE, measure: `append ${batch}, protobuf unary`, unit: 'MiB/s', better: 'higher', recordSize: size, workload: `POST application/protobuf, ${CONCURRENCY} in flight`, emulator: measured(r.proto), baseline: measured(r.protoNode), floor: measured(r.protoKeep), store: measured(r.protoStore), peer: peerAppend })
      ctx.add({ suite: SUITE, measure: `append ${batch}, S2S session`, unit: 'MiB/s', better: 'higher', recordSize: size, workload: `one h2c S2S append session, ${WINDOW} batches in flight`, emulator: measured(r.s2s), baseline: measured(r.s2sNode), floor: measured(r.s2sKeep), store: measured(r.s2sStore), peer: peerAppend })
      ctx.log(`throughput: appends of ${sizeLabel(size)} done`)

      // catch-up reads
      const n = Math.max(k, Math.min(readCap, Math.floor(readBytes / size / k) * k))
      const readStream = `r${size}`
      await createStream(e, readBasin, readStream)
      await protoAppendTimes(e, readBasin, readStream, proto, n / k)
      const readPath = recordsPath(readStream)
      const query = `${readPath}?seq_num=0&count=${n}`
      const sseHeaders = { ...basinHeaders(readBasin), accept: 'text/event-stream' }
      const s2sHeaders = { ':path': query, 's2-basin': readBasin, 'content-type': 's2s/proto', accept: 'application/protobuf' }
      const sse = await e.request('GET', query, { headers: sseHeaders })
      const sseText = sse.body.toString('utf8')
      const lastId = [...sseText.matchAll(/^id: (\d+),(\d+),(\d+)$/gm)].pop()
      if (sse.status !== 200 || !sseText.endsWith('data: [DONE]\n\n') || lastId?.[2] !== String(n)) {
        throw new Error(`SSE catch-up read of ${n} records: status ${sse.status}, last id ${lastId?.[0] ?? 'none'}`)
      }
      const s2s = await h2Get(h2e, s2sHeaders)
      const frames = parseFrames(s2s.body)
      const last = frames.at(-1)
      const lastBatch = last === undefined || last.terminal ? undefined : decodeReadBatch(last.payload)
      if (s2s.status !== 200 || lastBatch?.records.at(-1)?.seq_num !== n - 1) throw new Error(`S2S catch-up read of ${n} records: status ${s2s.status}, ${frames.length} frames`)
      await setReply(b, replyKey('GET', readPath, 'sse'), sse.body, 'text/event-stream')
      await setReply(b, replyKey('GET', readPath, 's2s'), s2s.body, 's2s/proto')

      // the peer's stream to read, filled with the same records for at most peerFillMs
      const peerStream = `r${size}`
      await createKinesisStream(p, peerStream)
      const peerFill = putRecordsBody(peerStream, k, size)
      let peerN = 0
      const fillUntil = performance.now() + peerFillMs
      while (peerN < n && performance.now() < fillUntil) {
        await putRecords(p, peerFill, k)
        peerN += k
      }
      const peerRead = async (): Promise<number> => {
        const t = performance.now()
        let it = (await kinesis<{ ShardIterator: string }>(p, 'GetShardIterator', { StreamName: peerStream, ShardId: SHARD, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator
        let got = 0
        while (got < peerN) {
          const res = await kinesis<{ Records: unknown[]; NextShardIterator: string }>(p, 'GetRecords', { ShardIterator: it, Limit: 10000 })
          if (res.Records.length === 0) throw new Error(`kinesalite GetRecords stopped at ${got} of ${peerN}`)
          got += res.Records.length
          it = res.NextShardIterator
        }
        return performance.now() - t
      }

      const rr = { sse: rates(), sseNode: rates(), s2s: rates(), s2sNode: rates(), peer: rates() }
      for (let run = -1; run < runs; run++) {
        const keep = run >= 0
        // Each run reads the whole stream again and again for readMs: one read takes 15 to 100 ms here.
        const timed = async (into: Rates, what: string, request: ReadRequest, expected: number): Promise<void> => {
          const c = await reader.read({ ...request, forMs: readMs })
          if (c.status !== 200 || c.bytes !== c.reads * expected) throw new Error(`${what}: status ${c.status}, ${c.bytes} bytes in ${c.reads} reads, expected ${expected} each`)
          if (keep) addRun(into, c.reads * n, size, c.elapsedMs)
        }
        await timed(rr.sse, 'SSE read', { kind: 'sse', url: emulator.url, path: query, headers: sseHeaders }, sse.body.length)
        await timed(rr.sseNode, 'SSE read (node)', { kind: 'sse', url: baseline.url, path: query, headers: sseHeaders }, sse.body.length)
        await timed(rr.s2s, 'S2S read', { kind: 's2s', url: emulator.h2url, headers: s2sHeaders }, s2s.body.length)
        await timed(rr.s2sNode, 'S2S read (node)', { kind: 's2s', url: baseline.h2url, headers: s2sHeaders }, s2s.body.length)
        const ms = await peerRead()
        if (keep) addRun(rr.peer, peerN, size, ms)
      }
      const peerReads = measured(rr.peer, `GetShardIterator(TRIM_HORIZON) + GetRecords(Limit 10000) of ${peerN} records`)
      ctx.add({ suite: SUITE, measure: `catch-up read ${n} x ${sizeLabel(size)}, SSE`, unit: 'MiB/s', better: 'higher', recordSize: size, workload: 'GET text/event-stream over HTTP/1.1', emulator: measured(rr.sse), baseline: measured(rr.sseNode), peer: peerReads })
      ctx.add({ suite: SUITE, measure: `catch-up read ${n} x ${sizeLabel(size)}, S2S`, unit: 'MiB/s', better: 'higher', recordSize: size, workload: 'GET s2s/proto over h2c', emulator: measured(rr.s2s), baseline: measured(rr.s2sNode), peer: peerReads })
      await admin.reset({ basin: readBasin, stream: readStream })
      await kinesis(p, 'DeleteStream', { StreamName: peerStream })
      ctx.log(`throughput: reads of ${sizeLabel(size)} done`)
    }
  } finally {
    e.close()
    b.close()
    p.close()
    await Promise.all([closeSession(h2e), closeSession(h2b), reader.close()])
    await Promise.all([emulator.stop(), baseline.stop(), peer.stop()])
  }
}
