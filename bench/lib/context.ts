import type { Report, Row } from './report.ts'

export type Mode = 'full' | 'quick' | 'smoke'

export interface Ctx {
  readonly mode: Mode
  /** Picks a size by mode: the full run, `--quick` (under a minute), `--smoke` (a few seconds, for npm test). */
  pick<T>(full: T, quick: T, smoke?: T): T
  add(row: Row): void
  note(suite: string, note: string): void
  /** What a suite measured, in a sentence (printed above its rows and kept in the JSON). */
  workload(suite: string, text: string): void
  /** Progress, on stderr. */
  log(text: string): void
  readonly report: Report
  readonly workloads: Record<string, string>
}

export function createContext(mode: Mode, verbose = true): Ctx {
  const report: Report = { rows: [], notes: [] }
  const workloads: Record<string, string> = {}
  return {
    mode,
    pick: (full, quick, smoke) => (mode === 'full' ? full : mode === 'quick' ? quick : (smoke ?? quick)),
    add: (row) => void report.rows.push(row),
    note: (suite, note) => void report.notes.push({ suite, note }),
    workload: (suite, text) => {
      workloads[suite] = text
    },
    log: (text) => {
      if (verbose) process.stderr.write(`[bench] ${text}\n`)
    },
    report,
    workloads,
  }
}

export type Suite = (ctx: Ctx) => Promise<void>
