import { ExchangeCapture } from '../capture/exchange-capture.ts'
import { REDACTED, type CassetteEntry, type FrameEntry, type JsonValue, type RedactionRules, type SseEventEntry } from '../cassette/types.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import { upstreamTarget } from '../upstream/endpoints.ts'
import { encodeBody } from '../wire/bodies.ts'
import { entryToFrame } from '../wire/frames.ts'
import { forwardable, responseHeaderMap } from '../wire/http-headers.ts'

export interface ExchangeTarget {
  /** Base URL of the emulator (or of a namespace of one). */
  readonly url: string
  /** Sent as `Authorization: Bearer <token>` on every request. */
  readonly token: string
  /** Values for other redacted headers (e.g. `s2-encryption-key`); redacted headers without one are left out. */
  readonly headers: Readonly<Record<string, string>>
  readonly client: UpstreamClient
  readonly rules: RedactionRules
  /** How long past its recorded duration a session may run before verify gives up on it. */
  readonly slackMs: number
}

/** How far a run has got, for exchanges that must wait on part of it (a read that saw an ack). */
export class Progress {
  #outputs = 0
  #ended = false
  readonly #waiters = new Set<() => void>()

  update(outputs: number, ended: boolean): void {
    this.#outputs = outputs
    this.#ended ||= ended
    for (const w of [...this.#waiters]) w()
  }

  /** Resolves once `count` outputs (frames or events) arrived, or the exchange is over. */
  outputs(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#ended || this.#outputs >= count) {
          this.#waiters.delete(check)
          resolve()
        }
      }
      this.#waiters.add(check)
      check()
    })
  }

  /** Resolves once the exchange is over. */
  ended(): Promise<void> {
    return this.outputs(Number.POSITIVE_INFINITY)
  }
}

export interface ExchangeRun {
  readonly actual: CassetteEntry
  /** Wall-clock span of the run (ms since the epoch). */
  readonly window: readonly [number, number]
}

function recordsIn(outputs: readonly (FrameEntry | SseEventEntry)[]): number {
  let count = 0
  const inBatch = (batch: JsonValue | undefined): number =>
    batch !== null && typeof batch === 'object' && !Array.isArray(batch) && Array.isArray(batch.records) ? batch.records.length : 0
  for (const item of outputs) {
    if ('type' in item) count += item.type === 'ReadBatch' ? inBatch(item.message) : 0
    else if (item.event === 'batch') count += inBatch(item.data)
  }
  return count
}

/** The recorded headers, with the target's token and the given values in place of redacted ones. */
function requestHeaders(entry: CassetteEntry, target: ExchangeTarget): Record<string, string> {
  const substitutes = new Map(Object.entries(target.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(forwardable(entry.request.headers))) {
    if (value !== REDACTED) out[name] = value
    else if (substitutes.has(name)) out[name] = substitutes.get(name) as string
  }
  // The token picks the namespace of an emulator with isolation by token.
  out.authorization = `Bearer ${target.token}`
  return out
}

/**
 * Sends one recorded request to the target as the client sent it (same protocol, path, headers,
 * body; a session's input frames paced by the outputs that preceded each in the recording) and
 * records the answer the same way the recorder does. A session the client closed in the recording
 * is closed once as many records came back; one that does not end is given up on after its
 * recorded duration plus the slack.
 */
export async function runExchange(entry: CassetteEntry, target: ExchangeTarget, progress = new Progress()): Promise<ExchangeRun> {
  try {
    return await run(entry, target, progress)
  } finally {
    progress.update(0, true)
  }
}

async function run(entry: CassetteEntry, target: ExchangeTarget, progress: Progress): Promise<ExchangeRun> {
  const from = Date.now()
  const { method, path, query = '' } = entry.request
  const headers = requestHeaders(entry, target)
  const capture = new ExchangeCapture({ id: entry.id, start: entry.start, protocol: entry.protocol, method, path, query, headers }, target.rules)
  const recordedOutputs = entry.session?.output ?? []
  let finished = false
  const waiters = new Set<() => void>()
  const notify = (): void => {
    progress.update(capture.outputs.length, false)
    for (const w of [...waiters]) w()
  }
  const outputsSeen = (count: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (finished || capture.outputs.length >= count) {
          waiters.delete(check)
          resolve()
        }
      }
      waiters.add(check)
      check()
    })
  const before = (at: number): number => recordedOutputs.filter((o) => o.at <= at).length

  let body: Uint8Array | AsyncIterable<Uint8Array> | null
  const inputs = entry.session?.input
  if (capture.transport === 's2s' && method === 'POST') {
    body = (async function* () {
      for (const frame of inputs ?? []) {
        await outputsSeen(before(frame.at))
        if (finished) return
        const bytes = entryToFrame(frame)
        capture.input(bytes)
        yield bytes
      }
      const end = entry.session?.inputEnd
      if (end !== undefined) await outputsSeen(before(end))
      else await outputsSeen(Number.POSITIVE_INFINITY)
      capture.inputEnded()
    })()
  } else {
    const bytes = encodeBody(entry.request.body, entry.request.headers['content-encoding'])
    capture.input(bytes)
    capture.inputEnded()
    body = bytes.length > 0 || !['GET', 'HEAD', 'DELETE'].includes(method) ? bytes : null
  }

  const where = upstreamTarget({ account: target.url }, path, query, entry.basin)
  let response
  try {
    response = await target.client.request({ origin: where.origin, path: where.path, protocol: entry.protocol, method, headers, body })
  } catch (error) {
    finished = true
    notify()
    capture.response(0, { 'x-verify-error': (error as Error).message })
    capture.end('reset')
    return { actual: capture.entry(), window: [from, Date.now()] }
  }
  capture.response(response.status, responseHeaderMap(response.headers))

  const recordedEnd = entry.session?.end
  const clientClosed = recordedEnd?.kind === 'client_closed' || recordedEnd?.kind === 'recording_stopped'
  const recordedRecords = recordsIn(recordedOutputs)
  const giveUp = (): void => {
    capture.end('client_closed')
    response.cancel()
  }
  const budget = clientClosed && recordedRecords === 0 ? (recordedEnd?.at ?? 0) : entry.duration + target.slackMs
  const timer = setTimeout(giveUp, budget)
  try {
    for await (const chunk of response.body) {
      capture.output(chunk)
      notify()
      if (clientClosed && recordedRecords > 0 && recordsIn(capture.outputs) >= recordedRecords) {
        giveUp()
        break
      }
    }
    capture.end('complete')
  } catch {
    capture.end('reset')
  } finally {
    clearTimeout(timer)
    finished = true
    notify()
  }
  return { actual: capture.entry(), window: [from, Date.now()] }
}
