import { startS2Emulator } from '../../server/emulator.ts'
import { loadCassette } from '../cassette/file.ts'
import type { Cassette, CassetteEntry, Transport } from '../cassette/types.ts'
import { UpstreamClient } from '../upstream/client.ts'
import { compareEntries } from './compare.ts'
import { Progress, runExchange } from './run-exchange.ts'

export interface VerifyOptions {
  /** The cassette: a file path, or one already loaded. */
  cassette: string | Cassette
  /**
   * The emulator to verify against: its URL (or a namespace's). Without one, a fresh in-process
   * emulator is started for the run and stopped after it.
   */
  url?: string
  /** Bearer token sent on every request (with isolation by token, it picks the namespace). [default 'verify'] */
  token?: string
  /** Values for redacted request headers other than `authorization`, e.g. `{ 's2-encryption-key': key }`. */
  headers?: Readonly<Record<string, string>>
  /** Field names (anywhere in bodies and records) whose values are not compared. */
  ignore?: readonly string[]
  /** How long past its recorded duration a session may run before verify gives up on it. [default 5000] */
  slackMs?: number
  /** Certificate authorities to trust when `url` is `https://`. */
  ca?: string | Buffer | readonly (string | Buffer)[]
}

/** One exchange of the cassette, and where the emulator's answer differed. */
export interface VerifiedExchange {
  readonly id: number
  readonly method: string
  readonly path: string
  readonly query?: string
  readonly operation?: string
  readonly basin?: string
  readonly stream?: string
  readonly transport: Transport
  readonly status: { readonly recorded: number; readonly emulator: number }
  /** Empty when the emulator answered as recorded. */
  readonly differences: readonly string[]
  /** The emulator's answer, recorded as the recorder would. */
  readonly actual: CassetteEntry
}

export interface VerifyReport {
  /** True when every exchange was answered as recorded. */
  readonly ok: boolean
  /** What was verified against: a URL, or `in-process emulator`. */
  readonly target: string
  readonly exchanges: readonly VerifiedExchange[]
  /** How many exchanges differ. */
  readonly differing: number
}

/**
 * Sends a cassette's requests to an emulator, in the recorded order (exchanges that overlapped in
 * the recording run concurrently, an exchange starts once every exchange that ended before it in
 * the recording has ended), and reports, exchange by exchange, where the answers differ from the
 * recorded ones (see compare.ts for what counts).
 */
export async function verifyCassette(options: VerifyOptions): Promise<VerifyReport> {
  const cassette = typeof options.cassette === 'string' ? await loadCassette(options.cassette) : options.cassette
  const emulator = options.url === undefined ? await startS2Emulator({ port: 0 }) : null
  const url = options.url ?? (emulator as { url: string }).url
  const client = new UpstreamClient({ ca: options.ca })
  const epoch = Date.parse(cassette.recordedAt)
  const ignore = new Set(options.ignore ?? [])
  const target = {
    url,
    token: options.token ?? 'verify',
    headers: options.headers ?? {},
    client,
    rules: cassette.redaction,
    slackMs: options.slackMs ?? 5000,
  }
  const entries = [...cassette.entries].sort((a, b) => a.start - b.start || a.id - b.id)
  const done = new Map<number, Promise<VerifiedExchange>>()
  const progress = new Map(entries.map((e) => [e.id, new Progress()]))
  try {
    for (const entry of entries) {
      done.set(
        entry.id,
        Promise.all(dependencies(entry, entries, progress)).then(async () => {
          const run = await runExchange(entry, target, progress.get(entry.id))
          const windows = {
            recorded: [epoch + entry.start, epoch + entry.start + entry.duration] as const,
            actual: run.window,
          }
          const differences = compareEntries(entry, run.actual, { windows, ignore })
          return {
            id: entry.id,
            method: entry.request.method,
            path: entry.request.path,
            ...(entry.request.query ? { query: entry.request.query } : {}),
            ...(entry.operation ? { operation: entry.operation } : {}),
            ...(entry.basin ? { basin: entry.basin } : {}),
            ...(entry.stream ? { stream: entry.stream } : {}),
            transport: entry.transport,
            status: { recorded: entry.response.status, emulator: run.actual.response.status },
            differences,
            actual: run.actual,
          }
        }),
      )
    }
    const exchanges = await Promise.all(entries.map((e) => done.get(e.id) as Promise<VerifiedExchange>))
    const differing = exchanges.filter((e) => e.differences.length > 0).length
    return { ok: differing === 0, target: emulator ? 'in-process emulator' : url, exchanges, differing }
  } finally {
    client.close()
    await emulator?.stop()
  }
}

/**
 * What an exchange waits for before it starts: every exchange that ended before it started in the
 * recording, and of those still running then, the frames or events they had received by then (a
 * read that began after an append session's ack must see that append).
 */
function dependencies(entry: CassetteEntry, entries: readonly CassetteEntry[], progress: ReadonlyMap<number, Progress>): Promise<void>[] {
  const out: Promise<void>[] = []
  for (const other of entries) {
    if (other === entry || other.start > entry.start || (other.start === entry.start && other.id > entry.id)) continue
    const p = progress.get(other.id) as Progress
    if (other.start + other.duration <= entry.start) out.push(p.ended())
    else {
      const seen = (other.session?.output ?? []).filter((o) => other.start + o.at <= entry.start).length
      if (seen > 0) out.push(p.outputs(seen))
    }
  }
  return out
}

/** The report as text: one line per exchange that differs, each difference indented below it. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    `verify: ${report.exchanges.length} exchange(s) against ${report.target}; ${report.differing === 0 ? 'no differences' : `${report.differing} differ`}`,
  ]
  for (const x of report.exchanges) {
    if (x.differences.length === 0) continue
    const where = [x.basin ? `basin ${x.basin}` : '', x.stream ? `stream ${x.stream}` : ''].filter(Boolean).join(', ')
    const session = x.transport === 'unary' ? '' : ` (${x.transport} session)`
    const operation = x.operation ? `${x.operation}: ` : ''
    lines.push(`  #${x.id} ${operation}${x.method} ${x.path}${x.query ? `?${x.query}` : ''}${session}${where ? ` [${where}]` : ''}`)
    for (const difference of x.differences) lines.push(`      ${difference}`)
  }
  return lines.join('\n')
}
