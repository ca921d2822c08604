/**
 * `npm run bench [-- --quick | --smoke] [--only=suite,...] [--out=FILE] [--no-write] [--quiet] [--help]`
 *
 * Measures what matters to a test suite using the emulator, and compares it in the same run on the
 * same machine with the physical limit (bare node:http / node:http2 servers doing the least work for
 * the same request shapes) and with a peer emulator (kinesalite). Every figure is a median and a p99
 * over repeated runs; comparisons are ratios of medians. Loopback (127.0.0.1) only.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem, platform, arch, release } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createContext, type Mode, type Suite } from './lib/context.ts'
import { ratio, table } from './lib/report.ts'
import { container } from './suites/container.ts'
import { fanout } from './suites/fanout.ts'
import { isolation } from './suites/isolation.ts'
import { latency } from './suites/latency.ts'
import { memory } from './suites/memory.ts'
import { overhead } from './suites/overhead.ts'
import { persist } from './suites/persist.ts'
import { startup } from './suites/startup.ts'
import { throughput } from './suites/throughput.ts'

const SUITES: Record<string, Suite> = { startup, isolation, latency, throughput, fanout, memory, overhead, persist, container }
const root = fileURLToPath(new URL('..', import.meta.url))
const USAGE = `usage: npm run bench [-- --quick | --smoke] [--only=suite,...] [--out=FILE] [--no-write] [--quiet] [--help]
suites: ${Object.keys(SUITES).join(', ')} (all by default)`

/** A mistake in the command line: told with the usage, without a stack trace. */
class UsageError extends Error {}

const OPTIONS = {
  quick: { type: 'boolean' },
  smoke: { type: 'boolean' },
  only: { type: 'string' },
  out: { type: 'string' },
  'no-write': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function commandLine() {
  try {
    return parseArgs({ options: OPTIONS }).values
  } catch (error) {
    // node:util's message names the option or argument it refused.
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  const values = commandLine()
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? Object.keys(SUITES)
  for (const name of only) if (!(name in SUITES)) throw new UsageError(`unknown suite '${name}'`)
  const ctx = createContext(mode, values.quiet !== true)
  const started = performance.now()
  const suiteSeconds: Record<string, number> = {}
  for (const name of only) {
    const t = performance.now()
    ctx.log(`${name} ...`)
    await (SUITES[name] as Suite)(ctx)
    suiteSeconds[name] = (performance.now() - t) / 1000
  }
  const seconds = (performance.now() - started) / 1000

  const cpuList = cpus()
  const machine = {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    kernel: release(),
    node: process.version,
    // Every server inherits it: with glibc.malloc.hugetlb=1 their heaps grow in huge pages (README, Performance).
    glibcTunables: process.env.GLIBC_TUNABLES ?? null,
  }
  const revision = git(['rev-parse', 'HEAD'])
  const dirty = (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== ''
  const date = new Date().toISOString()

  const output = table(ctx.report, ctx.workloads)
  process.stdout.write(
    `s2-emulator bench (${mode}) ${date}\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB, ${machine.platform}/${machine.arch}, node ${machine.node}${machine.glibcTunables === null ? '' : `, GLIBC_TUNABLES=${machine.glibcTunables}`}\n` +
      `git: ${revision ?? 'unknown'}${dirty ? ' (with uncommitted changes)' : ''}\n` +
      'medians and p99s over repeated runs; "of node" = the emulator as a fraction of the bare node:http/http2 limit (times: node/emu, rates: emu/node); "of keep" = likewise of that limit keeping every body it is sent (appends: what no store can skip); "of store" = likewise of that limit also finding each record and answering with a real ack (the least an S2 store does); "vs peer" = how many times faster than kinesalite.\n' +
      `${output}\n\ntook ${seconds.toFixed(1)} s\n`,
  )

  if (values['no-write'] !== true) {
    const file = resolve(values.out ?? resolve(root, 'bench/results/latest.json'))
    mkdirSync(dirname(file), { recursive: true })
    const json = {
      date,
      mode,
      suites: only,
      seconds,
      suiteSeconds,
      machine,
      git: { revision, dirty },
      conventions: {
        median: 'median of the samples',
        p99: 'for times the 99th percentile (slow tail); for rates the 1st percentile of the per-run rates (slow tail)',
        ofNode: 'higher is better: node.median/emulator.median for times, emulator.median/node.median for rates',
        ofFloor: 'likewise against the floor: the node limit keeping every request body it is sent, as a store must (append rows only)',
        ofStore: 'likewise against the store reference: the node limit doing the least an S2 store does with an append, keeping the bytes, finding each record in them and answering with a real ack (protobuf and S2S append rows only)',
        vsPeer: 'higher is better: peer.median/emulator.median for times, emulator.median/peer.median for rates',
        loopback: '127.0.0.1 only; servers under test run in a child process each, the load in the bench process',
      },
      workloads: ctx.workloads,
      rows: ctx.report.rows.map((row) => ({ ...row, ofNode: ratio(row, 'baseline'), ...(row.floor === undefined ? {} : { ofFloor: ratio(row, 'floor') }), ...(row.store === undefined ? {} : { ofStore: ratio(row, 'store') }), vsPeer: ratio(row, 'peer') })),
      notes: ctx.report.notes,
    }
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
    ctx.log(`wrote ${file}`)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n${USAGE}`)
      process.exit(2)
    }
    console.error('bench failed:', error)
    process.exit(1)
  },
)
