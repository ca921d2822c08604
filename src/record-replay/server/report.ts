import { resolve as resolvePath } from 'node:path'
import type { CassetteReport } from './cassette-server.ts'

/** What `stop()` reported, as text: what was recorded or replayed, every miss, and what was never replayed. */
export function formatCassetteReport(report: CassetteReport): string {
  const lines: string[] = []
  if (report.mode === 'record' || report.mode === 'record-missing') {
    lines.push(
      report.saved
        ? `recorded ${report.recorded} exchange(s) into ${resolvePath(report.path as string)}`
        : `recorded nothing new; ${report.path ? resolvePath(report.path) : 'the cassette'} is unchanged`,
    )
  }
  if (report.mode === 'replay' || report.mode === 'record-missing') lines.push(`replayed ${report.replayed} exchange(s)`)
  if (report.misses.length > 0) {
    lines.push(`${report.misses.length} request(s) had no recorded answer:`)
    for (const miss of report.misses) lines.push(`  - ${miss.message}`)
  }
  if (report.unused.length > 0) {
    lines.push(`${report.unused.length} recorded exchange(s) were not replayed: ${report.unused.map((u) => `#${u.id} ${u.method} ${u.path}`).join(', ')}`)
  }
  return lines.join('\n')
}
