/**
 * Memory: resident bytes per stored record and per stored payload byte at 1,000,000 records, in a
 * child process run with --expose-gc (measured after forced collections, before and after); then
 * snapshot take / restore / export / import of that store.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Ctx } from '../lib/context.ts'
import { HttpClient } from '../lib/http1.ts'
import { createKinesisStream, putRecords, putRecordsBody } from '../lib/kinesis.ts'
import type { Measured } from '../lib/report.ts'
import { freshStream, protoAppendTimes } from '../lib/s2.ts'
import { startServer, type ServerHandle } from '../lib/servers.ts'
import { summarize } from '../lib/stats.ts'
import { randomProtoAppend } from '../lib/wire.ts'

const SUITE = 'memory'
const SIZE = 100
const BATCH = 500

const one = (value: number, extra?: Record<string, number>): Measured => ({ n: 1, median: value, p99: value, min: value, max: value, ...(extra ? { extra } : {}) })

async function grow(server: ServerHandle, fill: () => Promise<void>): Promise<{ rss: number; heap: number; external: number }> {
  const before = await server.memory()
  await fill()
  const after = await server.memory()
  return {
    rss: after.rss - before.rss,
    heap: after.heapUsed - before.heapUsed,
    external: after.external - before.external,
  }
}

export async function memory(ctx: Ctx): Promise<void> {
  const records = ctx.pick(1_000_000, 100_000, 10_000)
  const peerRecords = ctx.pick(100_000, 3_000, 1_000)
  const snapshotRuns = ctx.pick(5, 2, 1)
  ctx.workload(
    SUITE,
    `${records.toLocaleString('en')} records of ${SIZE} random bytes (no headers) appended to one stream in protobuf batches of ${BATCH}; resident set (RSS) growth of the server's process, each measured after 4 forced GCs (--expose-gc) before and after. node = the payload itself (the floor). peer = kinesalite with ${peerRecords.toLocaleString('en')} records the same way (PutRecords of ${BATCH}; filling it with more takes minutes). Snapshots: ${snapshotRuns} runs of take, restore, export, import of that store.`,
  )
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-bench-'))
  // export and import by path write and read files only in the snapshot directory
  const emulator = await startServer({ kind: 'emulator', options: { snapshotDir: dir } }, { gc: true })
  const e = new HttpClient(emulator.url, 2)
  try {
    const { basin, stream } = await freshStream(e, 'mem')
    // one batch first, so the basin/stream and lazily built structures are not counted per record
    await protoAppendTimes(e, basin, stream, randomProtoAppend(BATCH, SIZE), 1, 1)
    // The resident set halfway too: what the second half adds is each further record's cost, without
    // what is paid once (V8's young generation grown under the load, the journal's bounded ring).
    let half: { rss: number; heapUsed: number; external: number; records: number } | null = null
    const grown = await grow(emulator, async () => {
      // random bodies, 16 batches at a time, so that snapshot files do not compress them away
      for (let left = records / BATCH - 1; left > 0; left -= 16) {
        const n = Math.min(16, left)
        await Promise.all(Array.from({ length: n }, () => protoAppendTimes(e, basin, stream, randomProtoAppend(BATCH, SIZE), 1, 1)))
        const stored = records - (left - n) * BATCH
        if (half === null && stored >= records / 2) half = { ...(await emulator.memory()), records: stored }
      }
    })
    const stored = records - BATCH
    const perRecord = grown.rss / stored
    ctx.add({
      suite: SUITE,
      measure: `resident bytes per record (${SIZE} B body)`,
      unit: 'bytes',
      better: 'lower',
      workload: `RSS growth / ${stored.toLocaleString('en')} records`,
      emulator: one(perRecord, { heapBytesPerRecord: grown.heap / stored, externalBytesPerRecord: grown.external / stored, rssGrowthBytes: grown.rss }),
      baseline: { ...one(SIZE), workload: 'the payload alone' },
    })
    const end = await emulator.memory()
    const mid = half as { rss: number; heapUsed: number; external: number; records: number } | null
    if (mid !== null) {
      const more = records - mid.records
      ctx.add({
        suite: SUITE,
        measure: `resident bytes per further record (${SIZE} B body)`,
        unit: 'bytes',
        better: 'lower',
        workload: `RSS growth from ${mid.records.toLocaleString('en')} to ${records.toLocaleString('en')} records / ${more.toLocaleString('en')}`,
        emulator: one((end.rss - mid.rss) / more, { heapBytesPerRecord: (end.heapUsed - mid.heapUsed) / more, externalBytesPerRecord: (end.external - mid.external) / more }),
        baseline: { ...one(SIZE), workload: 'the payload alone' },
      })
    }
    ctx.add({
      suite: SUITE,
      measure: 'resident bytes per payload byte',
      unit: 'bytes',
      better: 'lower',
      workload: `RSS growth / (${stored.toLocaleString('en')} x ${SIZE} B)`,
      emulator: one(perRecord / SIZE),
      baseline: { ...one(1), workload: 'the payload alone' },
    })
    ctx.log('memory: emulator filled')

    // snapshots of that store
    const admin = async (method: string, path: string, payload?: unknown): Promise<{ status: number; text: string; ms: number }> => {
      const t = performance.now()
      const res = await e.request(method, path, payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
      return { status: res.status, text: res.body.toString('utf8'), ms: performance.now() - t }
    }
    const times = { take: [] as number[], restore: [] as number[], export: [] as number[], import: [] as number[] }
    let exportSkip: string | null = null
    let importSkip: string | null = null
    let exportBytes = 0
    let takeRss = 0
    for (let run = 0; run < snapshotRuns; run++) {
      const name = `bench-${run}`
      const beforeTake = run === 0 ? await emulator.memory() : null
      const take = await admin('POST', '/_emulator/snapshots', { name })
      if (take.status !== 201 && take.status !== 200) throw new Error(`snapshot take: ${take.status} ${take.text}`)
      times.take.push(take.ms)
      if (beforeTake !== null) takeRss = (await emulator.memory()).rss - beforeTake.rss
      const restore = await admin('POST', `/_emulator/snapshots/${name}/restore`)
      if (restore.status !== 200) throw new Error(`snapshot restore: ${restore.status} ${restore.text}`)
      times.restore.push(restore.ms)
      if (exportSkip === null) {
        const file = join(dir, `${name}.snapshot`)
        const ex = await admin('POST', `/_emulator/snapshots/${name}/export`, { path: file })
        if (ex.status === 404) exportSkip = `POST /_emulator/snapshots/:name/export answered 404 ${ex.text}`
        else if (ex.status !== 200 && ex.status !== 201) throw new Error(`snapshot export: ${ex.status} ${ex.text}`)
        else {
          times.export.push(ex.ms)
          exportBytes = statSync(file).size
          const im = await admin('POST', '/_emulator/snapshots/import', { name: `${name}-imported`, path: file })
          if (im.status === 404) importSkip = `POST /_emulator/snapshots/import answered 404 ${im.text}`
          else if (im.status !== 200 && im.status !== 201) throw new Error(`snapshot import: ${im.status} ${im.text}`)
          else {
            times.import.push(im.ms)
            await admin('DELETE', `/_emulator/snapshots/${name}-imported`)
          }
          rmSync(file, { force: true })
        }
      }
      await admin('DELETE', `/_emulator/snapshots/${name}`)
    }
    if (exportSkip !== null) importSkip ??= 'export is not available, so there is nothing to import'
    const snap = (label: string, samples: number[], skip: string | null, extra?: Record<string, number>): void => {
      ctx.add({
        suite: SUITE,
        measure: `snapshot ${label} (${records.toLocaleString('en')} records)`,
        unit: 'ms',
        better: 'lower',
        workload: 'admin API over HTTP',
        emulator: skip !== null ? { skipped: skip } : { ...summarize(samples), ...(extra ? { extra } : {}) },
      })
    }
    snap('take', times.take, null, { rssGrowthBytes: takeRss })
    snap('restore', times.restore, null)
    snap('export', times.export, exportSkip, exportBytes > 0 ? { fileBytes: exportBytes, fileBytesPerRecord: exportBytes / records } : undefined)
    snap('import', times.import, importSkip)
    ctx.log('memory: snapshots done')
  } finally {
    e.close()
    rmSync(dir, { recursive: true, force: true })
    await emulator.stop()
  }

  // the peer, with fewer records
  const peer = await startServer({ kind: 'kinesalite' }, { gc: true })
  const p = new HttpClient(peer.url, 2)
  try {
    await createKinesisStream(p, 'mem')
    const body = putRecordsBody('mem', BATCH, SIZE)
    await putRecords(p, body, BATCH)
    const grown = await grow(peer, async () => {
      for (let i = 1; i < peerRecords / BATCH; i++) await putRecords(p, body, BATCH)
    })
    const stored = peerRecords - BATCH
    const perRecord = grown.rss / stored
    // Only the rows measured from an empty store, as kinesalite's is.
    const withPeer: Record<string, number> = { [`resident bytes per record (${SIZE} B body)`]: perRecord, 'resident bytes per payload byte': perRecord / SIZE }
    ctx.report.rows.forEach((row, index) => {
      const value = row.suite === SUITE ? withPeer[row.measure] : undefined
      if (value === undefined) return
      ctx.report.rows[index] = { ...row, peer: { ...one(value), workload: `kinesalite, RSS growth over ${stored.toLocaleString('en')} records` } }
    })
  } finally {
    p.close()
    await peer.stop()
  }
}
