/** Collected figures, ratios, the table on stdout and the JSON file. */
import type { Summary } from './stats.ts'

export type Target = 'emulator' | 'baseline' | 'floor' | 'store' | 'peer'
/** What the emulator is compared with. */
export type Reference = Exclude<Target, 'emulator'>

export interface Measured extends Summary {
  /** What this target ran, when it differs from the row's workload (the peer's own API, say). */
  readonly workload?: string
  /** Further figures of the same runs (records/s, p50 of another measure, ...). */
  readonly extra?: Readonly<Record<string, number>>
  /**
   * Each run's figure in the order the runs were made, where a row has few runs (throughput): a
   * trend across them, a server still warming up, say, is what a median hides.
   */
  readonly runs?: readonly number[]
}

export interface Skipped {
  readonly skipped: string
}

export interface Row {
  readonly suite: string
  readonly measure: string
  readonly unit: string
  /** Which way is better: times are 'lower', rates are 'higher'. */
  readonly better: 'lower' | 'higher'
  readonly workload: string
  readonly emulator: Measured | Skipped
  readonly baseline?: Measured | Skipped
  /**
   * The node limit doing the one thing a store cannot skip: keeping the bytes it is sent (appends).
   * How close the emulator comes to it shows what the emulator's own work costs.
   */
  readonly floor?: Measured | Skipped
  /**
   * The node limit doing the least an S2 store does with an append (protobuf and S2S appends):
   * keeping the bytes, finding each record in them and answering with a real ack. How close the
   * emulator comes to it shows what its own work costs beyond what no S2 store can skip.
   */
  readonly store?: Measured | Skipped
  readonly peer?: Measured | Skipped
  /** Bytes per record, when the row's rates are payload MiB/s (to derive records/s). */
  readonly recordSize?: number
}

export const isMeasured = (m: Measured | Skipped | undefined): m is Measured => m !== undefined && !('skipped' in m)

/**
 * The emulator's median relative to another target's median, oriented so that higher is better
 * for the emulator: for times other/emulator, for rates emulator/other. Against the node baseline
 * this is the fraction of the physical limit; against the peer, how many times faster.
 */
export function ratio(row: Row, other: Reference): number | null {
  const e = row.emulator
  const o = row[other]
  if (!isMeasured(e) || !isMeasured(o) || e.median <= 0 || o.median <= 0) return null
  return row.better === 'lower' ? o.median / e.median : e.median / o.median
}

export interface Report {
  readonly rows: Row[]
  readonly notes: { suite: string; note: string }[]
}

function fmt(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '-'
  if (unit === 'ms') return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3)
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)}M`
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(0)}k`
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function cell(m: Measured | Skipped | undefined, unit: string, which: 'median' | 'p99'): string {
  if (m === undefined) return ''
  if (!isMeasured(m)) return which === 'median' ? 'skipped' : ''
  return fmt(m[which], unit)
}

function ratioCell(row: Row, other: Reference): string {
  const r = ratio(row, other)
  if (r === null) return ''
  return other !== 'peer' ? `${(r * 100).toFixed(r < 0.1 ? 1 : 0)}%` : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

/**
 * The table: one block per suite; a row per measure with emulator p50/p99, node limit, peer and the
 * ratios, and the floor's and the store's columns in suites that measure them.
 */
export function table(report: Report, workloads: Record<string, string>): string {
  const lines: string[] = []
  const suites = [...new Set(report.rows.map((r) => r.suite)), ...new Set(report.notes.map((n) => n.suite))]
  for (const suite of [...new Set(suites)]) {
    const rows = report.rows.filter((r) => r.suite === suite)
    const floors = rows.some((r) => r.floor !== undefined)
    const stores = rows.some((r) => r.store !== undefined)
    const header = ['measure', 'unit', 'emu p50', 'emu p99', 'node p50', 'of node', ...(floors ? ['keep p50', 'of keep'] : []), ...(stores ? ['store p50', 'of store'] : []), 'peer p50', 'vs peer']
    const body = rows.map((r) => [
      r.measure,
      r.unit,
      cell(r.emulator, r.unit, 'median'),
      cell(r.emulator, r.unit, 'p99'),
      cell(r.baseline, r.unit, 'median'),
      ratioCell(r, 'baseline'),
      ...(floors ? [cell(r.floor, r.unit, 'median'), ratioCell(r, 'floor')] : []),
      ...(stores ? [cell(r.store, r.unit, 'median'), ratioCell(r, 'store')] : []),
      cell(r.peer, r.unit, 'median'),
      ratioCell(r, 'peer'),
    ])
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)))
    lines.push('', `== ${suite}: ${workloads[suite] ?? ''}`)
    if (rows.length > 0) {
      lines.push(header.map((h, i) => pad(h, widths[i] as number, i > 1)).join('  '))
      for (const b of body) lines.push(b.map((c, i) => pad(c, widths[i] as number, i > 1)).join('  '))
    }
    const skips = new Map<string, string[]>()
    for (const row of rows) {
      for (const target of ['emulator', 'baseline', 'floor', 'store', 'peer'] as const) {
        const m = row[target]
        if (m === undefined || isMeasured(m)) continue
        const key = `${target === 'baseline' ? 'node' : target === 'floor' ? 'keep' : target}: skipped: ${m.skipped}`
        skips.set(key, [...(skips.get(key) ?? []), row.measure])
      }
    }
    for (const [reason, measures] of skips) lines.push(`   ${reason} (${measures.length === rows.length ? 'all rows' : measures.join('; ')})`)
    for (const note of report.notes.filter((n) => n.suite === suite)) lines.push(`   ${note.note}`)
  }
  return lines.join('\n')
}
