/**
 * The cost of an armed but non-matching fault rule (vs none armed), of the request journal
 * (journalSize 0 vs the default), and of the record content it keeps (journalRecordBytes 0 vs the
 * default), on small unary appends.
 */
import type { Ctx } from '../lib/context.ts'
import { closedLoop, HttpClient } from '../lib/http1.ts'
import type { Row } from '../lib/report.ts'
import { basinHeaders, freshStream, recordsPath } from '../lib/s2.ts'
import { startServer, type ServerHandle } from '../lib/servers.ts'
import { summarize, summarizeRates } from '../lib/stats.ts'

const SUITE = 'overhead'
const RECORD = '{"records":[{"body":"hello, world"}]}'
const CONCURRENCY = 4
const BATCH = JSON.stringify({ records: Array.from({ length: 100 }, (_, i) => ({ body: `${i}`.padEnd(1024, 'x') })) })

/** Matches only a basin that never exists, so it is checked on every request and never fires. */
const NON_MATCHING_RULE = { id: 'never', match: { basin: 'no-such-basin-anywhere' }, action: { type: 'error', status: 503 } }

interface Variant {
  readonly label: string
  readonly options: Record<string, unknown>
  server?: ServerHandle
  client?: HttpClient
  headers?: Record<string, string>
  latency: number[]
  rate: number[]
}

export async function overhead(ctx: Ctx): Promise<void> {
  const iterations = ctx.pick(2000, 100, 30)
  const runs = ctx.pick(5, 2, 2)
  const runMs = ctx.pick(1000, 100, 100)
  const { emulatorDefaults } = await import('../../src/index.ts')
  const journalDefault = (emulatorDefaults as Record<string, unknown>)['journalSize']
  const hasJournal = typeof journalDefault === 'number'
  ctx.workload(
    SUITE,
    `appends of one 12-byte JSON record: latency of ${iterations} sequential calls, and requests/s of ${runs} runs of ${runMs} ms with ${CONCURRENCY} in flight; one emulator per configuration, calls interleaved across them. Fault rule: ${JSON.stringify(NON_MATCHING_RULE)}.`,
  )
  const variants: Variant[] = [
    { label: hasJournal ? `defaults (journalSize ${String(journalDefault)}, no fault rule)` : 'defaults (no fault rule)', options: {}, latency: [], rate: [] },
    { label: '1 non-matching fault rule armed', options: { faults: [NON_MATCHING_RULE] }, latency: [], rate: [] },
  ]
  if (hasJournal) variants.push({ label: 'journalSize 0 (journal off)', options: { journalSize: 0 }, latency: [], rate: [] })
  else ctx.note(SUITE, 'journal: skipped: this build has no journalSize option')
  if ('journalRecordBytes' in emulatorDefaults) {
    variants.push({ label: 'journalRecordBytes 0 (journal on, record content off)', options: { journalRecordBytes: 0 }, latency: [], rate: [] })
  } else ctx.note(SUITE, 'journal record content: skipped: this build has no journalRecordBytes option')
  const baseline = await startServer({ kind: 'baseline' })
  const b = new HttpClient(baseline.url, CONCURRENCY)
  const base = { latency: [] as number[], rate: [] as number[] }
  try {
    await Promise.all(
      variants.map(async (v) => {
        v.server = await startServer({ kind: 'emulator', options: v.options })
        v.client = new HttpClient(v.server.url, CONCURRENCY)
        const { basin } = await freshStream(v.client, 'ovh')
        v.headers = { ...basinHeaders(basin), 'content-type': 'application/json' }
      }),
    )
    const append = async (client: HttpClient, headers: Record<string, string>): Promise<void> => {
      const res = await client.request('POST', recordsPath('s'), { headers, body: RECORD })
      if (res.status !== 200) throw new Error(`append: ${res.status} ${res.body.toString()}`)
    }
    const baseHeaders = { ...basinHeaders('ovh'), 'content-type': 'application/json' }
    // the order rotates so that none of them always runs first
    const rotated = (i: number): Variant[] => variants.map((_, j) => variants[(((i + j) % variants.length) + variants.length) % variants.length] as Variant)
    for (let i = -ctx.pick(100, 30, 5); i < iterations; i++) {
      for (const v of rotated(i)) {
        const t = performance.now()
        await append(v.client as HttpClient, v.headers as Record<string, string>)
        if (i >= 0) v.latency.push(performance.now() - t)
      }
      const t = performance.now()
      await append(b, baseHeaders)
      if (i >= 0) base.latency.push(performance.now() - t)
    }
    for (let run = 0; run < runs; run++) {
      for (const v of rotated(run)) {
        const x = await closedLoop(CONCURRENCY, runMs, () => append(v.client as HttpClient, v.headers as Record<string, string>))
        v.rate.push(x.calls / (x.elapsedMs / 1000))
      }
      const x = await closedLoop(CONCURRENCY, runMs, () => append(b, baseHeaders))
      base.rate.push(x.calls / (x.elapsedMs / 1000))
    }
    // Record capture grows with the records: 100 records of 1 KiB per append, capture on (the defaults) vs off.
    const capture = variants.filter((v) => v === variants[0] || v.options['journalRecordBytes'] === 0)
    const batchLatency = new Map<Variant, number[]>(capture.map((v) => [v, []]))
    if (capture.length === 2) {
      for (let i = -ctx.pick(20, 5, 2); i < ctx.pick(400, 40, 10); i++) {
        for (const v of i % 2 === 0 ? capture : [...capture].reverse()) {
          const t = performance.now()
          const res = await (v.client as HttpClient).request('POST', recordsPath('s'), { headers: v.headers as Record<string, string>, body: BATCH })
          if (res.status !== 200) throw new Error(`append: ${res.status} ${res.body.toString()}`)
          if (i >= 0) batchLatency.get(v)?.push(performance.now() - t)
        }
      }
    }
    const rows: Row[] = []
    for (const [v, samples] of batchLatency) {
      if (samples.length > 0) rows.push({ suite: SUITE, measure: `append latency, 100 x 1 KiB records, ${v.label}`, unit: 'ms', better: 'lower', workload: 'sequential', emulator: summarize(samples) })
    }
    if (capture.length === 2) {
      const [on, off] = capture.map((v) => summarize(batchLatency.get(v) ?? []).median) as [number, number]
      ctx.note(SUITE, `record content capture, 100 x 1 KiB records per append: median latency ${on >= off ? '+' : ''}${((on - off) * 1000).toFixed(1)} us (${((on / off - 1) * 100).toFixed(1)}%) with it on`)
    }
    for (const v of variants) {
      rows.push({ suite: SUITE, measure: `append latency, ${v.label}`, unit: 'ms', better: 'lower', workload: 'sequential', emulator: summarize(v.latency), baseline: summarize(base.latency) })
      rows.push({ suite: SUITE, measure: `appends/s, ${v.label}`, unit: 'req/s', better: 'higher', workload: `${CONCURRENCY} in flight`, emulator: summarizeRates(v.rate), baseline: summarizeRates(base.rate) })
    }
    for (const row of rows) ctx.add(row)
    const [reference, ...others] = variants as [Variant, ...Variant[]]
    const refLatency = summarize(reference.latency).median
    const refRate = summarizeRates(reference.rate).median
    for (const v of others) {
      const latency = summarize(v.latency).median
      const rate = summarizeRates(v.rate).median
      ctx.note(
        SUITE,
        `${v.label} vs defaults: median latency ${latency >= refLatency ? '+' : ''}${((latency - refLatency) * 1000).toFixed(1)} us (${((latency / refLatency - 1) * 100).toFixed(1)}%), appends/s ${((rate / refRate - 1) * 100).toFixed(1)}%`,
      )
    }
  } finally {
    b.close()
    for (const v of variants) v.client?.close()
    await Promise.all([baseline.stop(), ...variants.map((v) => v.server?.stop())])
  }
}
