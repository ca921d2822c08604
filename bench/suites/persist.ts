/**
 * What `--persist` costs: append latency (one small record, sequential) and append throughput
 * (unary JSON with 4 in flight, one S2S session with 8 batches in flight) for an emulator in
 * memory and for persistent ones, each acknowledging only once its change is in the log: fsync
 * with s2-lite's 5 ms flush interval (the default), fsync with no interval, and no fsync.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Ctx } from '../lib/context.ts'
import { closeSession, h2connect, s2sAppendSession } from '../lib/h2.ts'
import { closedLoop, HttpClient } from '../lib/http1.ts'
import { basinHeaders, freshStream, recordsPath } from '../lib/s2.ts'
import { startServer, type ServerHandle } from '../lib/servers.ts'
import { MiB, summarize, summarizeRates } from '../lib/stats.ts'
import { frame, jsonAppend, protoAppend } from '../lib/wire.ts'

const SUITE = 'persist'
const SIZE = 1024
const BATCH = 100
const CONCURRENCY = 4
const WINDOW = 8

interface Variant {
  readonly label: string
  readonly options: (dir: string) => Record<string, unknown>
}

const VARIANTS: readonly Variant[] = [
  { label: 'memory only', options: () => ({}) },
  { label: '--persist, fsync, 5 ms interval', options: (dir) => ({ persistDir: dir }) },
  { label: '--persist, fsync, 0 ms interval', options: (dir) => ({ persistDir: dir, persistFlushIntervalMs: 0 }) },
  { label: '--persist, no fsync, 5 ms interval', options: (dir) => ({ persistDir: dir, persistFsync: false }) },
]

export async function persist(ctx: Ctx): Promise<void> {
  const iterations = ctx.pick(500, 100, 20)
  const runs = ctx.pick(5, 2, 1)
  const runMs = ctx.pick(1000, 300, 100)
  ctx.workload(
    SUITE,
    `each variant its own emulator on a fresh directory of ${tmpdir()}: ${iterations} sequential appends of one 12-byte record (after 10 unmeasured); then ${runs} runs of ${runMs} ms appending batches of ${BATCH} x ${SIZE} B records, unary JSON with ${CONCURRENCY} in flight, and one h2c S2S session with ${WINDOW} batches in flight. Every append is answered only once durable (fsync) or written to the OS (no fsync).`,
  )
  const base = await mkdtemp(join(tmpdir(), 's2-emulator-bench-persist-'))
  const servers: ServerHandle[] = []
  try {
    for (const [i, variant] of VARIANTS.entries()) {
      const server = await startServer({ kind: 'emulator', options: variant.options(join(base, `v${i}`)) })
      servers.push(server)
      const client = new HttpClient(server.url, CONCURRENCY)
      const h2 = await h2connect(server.h2url)
      try {
        const { basin, stream } = await freshStream(client, 'persist')
        const path = recordsPath(stream)
        const init = { headers: { ...basinHeaders(basin), 'content-type': 'application/json' }, body: '{"records":[{"body":"hello, world"}]}' }
        const latencies: number[] = []
        for (let n = -10; n < iterations; n++) {
          const t = performance.now()
          const res = await client.request('POST', path, init)
          if (res.status !== 200) throw new Error(`persist append: ${res.status} ${res.body.toString()}`)
          if (n >= 0) latencies.push(performance.now() - t)
        }
        ctx.add({ suite: SUITE, measure: `append 1 record, ${variant.label}`, unit: 'ms', better: 'lower', workload: 'POST JSON, sequential', emulator: summarize(latencies) })

        const json = { headers: init.headers, body: jsonAppend(BATCH, SIZE) }
        const s2sFrame = frame(protoAppend(BATCH, SIZE))
        const unary: number[] = []
        const s2s: number[] = []
        for (let run = 0; run < runs; run++) {
          const x = await closedLoop(CONCURRENCY, runMs, async () => {
            const res = await client.request('POST', path, json)
            if (res.status !== 200) throw new Error(`persist append: ${res.status}`)
          })
          unary.push((x.calls * BATCH * SIZE) / MiB / (x.elapsedMs / 1000))
          const deadline = performance.now() + runMs
          const y = await s2sAppendSession(h2, { ':path': path, 's2-basin': basin }, WINDOW, () => (performance.now() < deadline ? s2sFrame : null))
          s2s.push((y.acks * BATCH * SIZE) / MiB / (y.elapsedMs / 1000))
        }
        const batch = `${BATCH} x ${SIZE / 1024} KiB`
        ctx.add({ suite: SUITE, measure: `append ${batch}, JSON unary, ${variant.label}`, unit: 'MiB/s', better: 'higher', recordSize: SIZE, workload: `${CONCURRENCY} in flight`, emulator: summarizeRates(unary) })
        ctx.add({ suite: SUITE, measure: `append ${batch}, S2S session, ${variant.label}`, unit: 'MiB/s', better: 'higher', recordSize: SIZE, workload: `${WINDOW} batches in flight`, emulator: summarizeRates(s2s) })
      } finally {
        client.close()
        await closeSession(h2)
        await server.stop()
      }
      ctx.log(`persist: ${variant.label} done`)
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    await rm(base, { recursive: true, force: true })
  }
}
