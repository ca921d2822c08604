import type { Store } from '../store/index.ts'

/**
 * Counters of what the emulator served, for `GET /metrics`. Observability only: S2 state stays
 * in the store, and the stream and basin gauges are read from it at scrape time.
 */
export class Metrics {
  readonly #requests = new Map<string, number>()
  readonly #sessions = new Map<string, number>()
  recordsAppended = 0
  bytesAppended = 0
  appendBatches = 0
  recordsRead = 0
  bytesRead = 0

  request(operation: string, status: number): void {
    const key = `${operation}\u0000${status}`
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
  }

  appended(records: number, meteredBytes: number): void {
    this.appendBatches++
    this.recordsAppended += records
    this.bytesAppended += meteredBytes
  }

  read(records: number, meteredBytes: number): void {
    this.recordsRead += records
    this.bytesRead += meteredBytes
  }

  /**
   * Counts a session as open until the returned function is called (calling it again is harmless),
   * so tests can check that every session a client abandons is cleaned up.
   */
  sessionOpened(kind: 'read' | 'append', transport: 'sse' | 's2s'): () => void {
    const key = `${kind}\u0000${transport}`
    this.#sessions.set(key, (this.#sessions.get(key) ?? 0) + 1)
    let open = true
    return () => {
      if (!open) return
      open = false
      this.#sessions.set(key, (this.#sessions.get(key) ?? 1) - 1)
    }
  }

  /** Sessions (SSE and S2S reads, S2S appends) currently open. */
  get openSessions(): number {
    let total = 0
    for (const count of this.#sessions.values()) total += count
    return total
  }

  /** Prometheus text exposition format 0.0.4. */
  render(store: Store): string {
    const lines: string[] = []
    const family = (name: string, type: 'counter' | 'gauge', help: string): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    family('s2_emulator_requests_total', 'counter', 'S2 API requests by operation and HTTP status.')
    const requests = [...this.#requests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    for (const [key, count] of requests) {
      const [operation, status] = key.split('\u0000')
      lines.push(`s2_emulator_requests_total{operation="${operation}",status="${status}"} ${count}`)
    }
    family('s2_emulator_append_batches_total', 'counter', 'Append batches acknowledged.')
    lines.push(`s2_emulator_append_batches_total ${this.appendBatches}`)
    family('s2_emulator_records_appended_total', 'counter', 'Records appended.')
    lines.push(`s2_emulator_records_appended_total ${this.recordsAppended}`)
    family('s2_emulator_appended_bytes_total', 'counter', 'Metered bytes appended.')
    lines.push(`s2_emulator_appended_bytes_total ${this.bytesAppended}`)
    family('s2_emulator_records_read_total', 'counter', 'Records delivered to readers.')
    lines.push(`s2_emulator_records_read_total ${this.recordsRead}`)
    family('s2_emulator_read_bytes_total', 'counter', 'Metered bytes delivered to readers.')
    lines.push(`s2_emulator_read_bytes_total ${this.bytesRead}`)

    family('s2_emulator_open_sessions', 'gauge', 'Streaming sessions currently open, by kind and transport.')
    for (const kind of ['append', 'read']) {
      for (const transport of ['s2s', 'sse']) {
        if (kind === 'append' && transport === 'sse') continue
        lines.push(
          `s2_emulator_open_sessions{kind="${kind}",transport="${transport}"} ${this.#sessions.get(`${kind}\u0000${transport}`) ?? 0}`,
        )
      }
    }

    let basins = 0
    let deletingBasins = 0
    let streams = 0
    let deletingStreams = 0
    let records = 0
    for (const account of store.accounts()) {
      for (const basin of account.basins.values()) {
        if (basin.deleting) deletingBasins++
        else basins++
        for (const stream of basin.streams.values()) {
          if (stream.deleting) deletingStreams++
          else streams++
          records += stream.log.size
        }
      }
    }
    family('s2_emulator_basins', 'gauge', 'Basins by state.')
    lines.push(`s2_emulator_basins{state="active"} ${basins}`, `s2_emulator_basins{state="deleting"} ${deletingBasins}`)
    family('s2_emulator_streams', 'gauge', 'Streams by state.')
    lines.push(`s2_emulator_streams{state="active"} ${streams}`, `s2_emulator_streams{state="deleting"} ${deletingStreams}`)
    family('s2_emulator_stored_records', 'gauge', 'Records held in memory, trimmed and expired ones not yet freed included.')
    lines.push(`s2_emulator_stored_records ${records}`)
    return `${lines.join('\n')}\n`
  }
}
