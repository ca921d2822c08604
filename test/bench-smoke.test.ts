import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 's2-emulator-bench-smoke-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Figure {
  median: number
  p99: number
  n: number
  runs?: number[]
}
interface BenchJson {
  machine: { cpus: number; node: string }
  git: { revision: string | null }
  rows: { suite: string; measure: string; emulator: Figure; baseline?: Figure; floor?: Figure; store?: Figure; peer?: Figure | { skipped: string }; ofNode: number | null; ofFloor?: number | null; ofStore?: number | null }[]
}

describe('the benchmark suite (npm run bench)', () => {
  it('runs the latency suite against the emulator, the node limit and kinesalite, and writes every figure with the machine to JSON', { timeout: 60_000 }, () => {
    const out = join(dir, 'smoke.json')
    const run = spawnSync(process.execPath, ['bench/run.ts', '--smoke', '--only=latency', `--out=${out}`, '--quiet'], { cwd: root, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('== latency:')
    expect(run.stdout).toMatch(/append 1 record, raw HTTP\s+ms\s+[\d.]+/)

    const json = JSON.parse(readFileSync(out, 'utf8')) as BenchJson
    expect(json.machine.cpus).toBeGreaterThan(0)
    expect(json.machine.node).toBe(process.version)
    const measures = json.rows.map((r) => r.measure)
    expect(measures).toEqual(
      expect.arrayContaining(['append 1 record, raw HTTP', 'append 1 record, SDK', 'read 1 record, raw HTTP', 'read 1 record, SDK', 'check tail, raw HTTP', 'check tail, SDK']),
    )
    for (const row of json.rows) {
      expect(row.emulator.n).toBe(20)
      expect(row.emulator.median).toBeGreaterThan(0)
      expect(row.emulator.p99).toBeGreaterThanOrEqual(row.emulator.median)
      expect(row.baseline?.median).toBeGreaterThan(0)
      expect(row.ofNode).toBeGreaterThan(0)
    }
    const peer = json.rows.find((r) => r.measure === 'read 1 record, raw HTTP')?.peer
    expect(peer !== undefined && 'median' in peer && peer.median > 0).toBe(true)
    expect(json.rows.find((r) => r.measure === 'check tail, raw HTTP')?.peer).toEqual({ skipped: 'Kinesis has no check-tail operation' })
  })

  it('measures the throughput rows, the append rows also against the node limit keeping every body (the floor), and the protobuf and S2S ones against it storing their records (the store reference)', { timeout: 60_000 }, () => {
    const out = join(dir, 'throughput.json')
    const run = spawnSync(process.execPath, ['bench/run.ts', '--smoke', '--only=throughput', `--out=${out}`, '--quiet'], { cwd: root, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    // The suite itself fails when the floor did not keep every byte it was sent (see throughput.ts).
    expect(run.stdout).toMatch(/append 500 x 1 KiB, protobuf unary\s+MiB\/s(\s+[\d.]+%?){8}/)
    expect(run.stdout).toMatch(/\bstore p50\s+of store\b/)
    const json = JSON.parse(readFileSync(out, 'utf8')) as BenchJson
    const appends = json.rows.filter((r) => r.measure.startsWith('append'))
    expect(appends.map((r) => r.measure)).toEqual(['append 500 x 1 KiB, JSON unary', 'append 500 x 1 KiB, protobuf unary', 'append 500 x 1 KiB, S2S session'])
    for (const row of json.rows) {
      // Each run's figure is listed besides their median (the order the runs were made in is not checked here).
      for (const figure of [row.emulator, row.baseline, row.floor, row.store]) {
        if (figure === undefined) continue
        expect(figure.runs).toHaveLength(figure.n)
        expect(figure.runs).toContain(figure.median)
      }
    }
    for (const row of appends) {
      expect(row.floor?.n).toBe(2)
      expect(row.floor?.median).toBeGreaterThan(0)
      expect(row.ofFloor).toBeGreaterThan(0)
      // The suite itself fails when the store reference did not hold every byte and record (see throughput.ts).
      if (row.measure.includes('JSON')) expect(row.store === undefined && row.ofStore === undefined).toBe(true)
      else {
        expect(row.store?.n).toBe(2)
        expect(row.store?.median).toBeGreaterThan(0)
        expect(row.ofStore).toBeGreaterThan(0)
      }
    }
    const reads = json.rows.filter((r) => r.measure.startsWith('catch-up read'))
    expect(reads.length).toBe(2)
    for (const row of reads) expect(row.floor === undefined && row.ofFloor === undefined && row.store === undefined).toBe(true)
  })

  it('tells a mistyped option or suite with the usage and exit code 2, running nothing', () => {
    for (const [args, message] of [
      [['--only=latncy'], "bench: unknown suite 'latncy'"],
      [['--quik'], "bench: Unknown option '--quik'"],
    ] as const) {
      const run = spawnSync(process.execPath, ['bench/run.ts', ...args], { cwd: root, encoding: 'utf8' })
      expect(run.status).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(message)
      expect(run.stderr).toContain('suites: startup, isolation, latency, throughput')
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
    const help = spawnSync(process.execPath, ['bench/run.ts', '--help'], { cwd: root, encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^usage: npm run bench /)
  })
})
