import { emulatorDefaults } from '../../server/options.ts'
import type { HttpBindings } from '@hono/node-server'
import { readFileSync } from 'node:fs'
import { connectionOf } from '../../server/http/connection.ts'
import { listen } from '../../server/http/listener.ts'
import type { ExchangeCapture } from '../capture/exchange-capture.ts'
import { loadCassette, saveCassette } from '../cassette/file.ts'
import { redactHeaders } from '../cassette/redact.ts'
import { CASSETTE_FORMAT, CASSETTE_VERSION, type Cassette, type CassetteEntry, type RecordedRequest } from '../cassette/types.ts'
import { Matcher, type ReplayMiss } from '../match/matcher.ts'
import { resolveCassetteOptions, type CassetteMode, type CassetteOptions } from '../options.ts'
import { UpstreamClient } from '../upstream/client.ts'
import { decodeBody, messageTypeOf } from '../wire/bodies.ts'
import { transportOf } from '../wire/exchange-kind.ts'
import { requestHeaderMap } from '../wire/http-headers.ts'
import { forward } from './forward.ts'
import { jsonResponse, missBody, MISS_STATUS } from './miss.ts'
import { replayResponse } from './replay-response.ts'

/** What a cassette server did, reported by `stop()`. */
export interface CassetteReport {
  readonly mode: CassetteMode
  readonly path: string | undefined
  /** Exchanges answered from the cassette. */
  readonly replayed: number
  /** Exchanges recorded in this run (saved to the cassette in the record modes). */
  readonly recorded: number
  /** Requests the cassette had no answer for, in order. */
  readonly misses: readonly ReplayMiss[]
  /** Recorded exchanges never replayed (in the replay modes). */
  readonly unused: readonly { readonly id: number; readonly method: string; readonly path: string }[]
  /** Whether the cassette file was written. */
  readonly saved: boolean
}

/** A running record/replay endpoint: point the SDK at `url` (or use `env`) as at S2 itself. */
export interface CassetteServer {
  /** Base URL of the local endpoint (HTTP/1.1 and h2c on one port), e.g. `http://127.0.0.1:43117`. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` (both `url`) and `S2_ACCESS_TOKEN` (`ignored`). */
  readonly env: { readonly S2_ACCOUNT_ENDPOINT: string; readonly S2_BASIN_ENDPOINT: string; readonly S2_ACCESS_TOKEN: string }
  /** The mode in effect (the `S2_EMULATOR_CASSETTE_MODE` variable overrides the option). */
  readonly mode: CassetteMode
  readonly path: string | undefined
  /** Requests without a recorded answer so far. */
  misses(): readonly ReplayMiss[]
  /** Writes what was recorded so far (the record modes; otherwise nothing). */
  save(): Promise<boolean>
  /** Stops listening, ends open exchanges, saves the cassette (record modes) and reports. Idempotent. */
  stop(): Promise<CassetteReport>
  [Symbol.asyncDispose](): Promise<void>
}

const version = (): string | undefined => {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version
  } catch {
    return undefined
  }
}

const clientHost = (host: string): string =>
  host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host

/**
 * Starts a local S2 endpoint that records traffic to an upstream, replays it from a cassette, or
 * both (see {@link CassetteMode}). Give each test its own cassette path.
 *
 * ```ts
 * const cassette = await startCassette({ path: 'test/cassettes/orders.json', mode: 'replay' })
 * const s2 = new S2({ accessToken: 'ignored', endpoints: { account: cassette.url, basin: cassette.url } })
 * // ... the test ...
 * const report = await cassette.stop() // report.misses lists requests the cassette could not answer
 * ```
 */
export async function startCassette(options: CassetteOptions): Promise<CassetteServer> {
  const resolved = resolveCassetteOptions(options)
  const { mode, path, scale } = resolved
  const replaying = mode === 'replay' || mode === 'record-missing'
  const recording = mode === 'record' || mode === 'record-missing'

  let loaded: Cassette | null = null
  if (mode === 'replay') loaded = await loadCassette(path as string, resolved.rules)
  else if (mode === 'record-missing') {
    loaded = await loadCassette(path as string, resolved.rules).catch((error: { code?: string }) => {
      if (error.code === 'S2EMU_CASSETTE_NOT_FOUND') return null
      throw error
    })
  }
  // The cassette's own rules and the options' together, for the recording and for matching requests.
  const rules = loaded?.redaction ?? resolved.rules
  const recordedAt = loaded?.recordedAt ?? new Date().toISOString()
  const epoch = Date.parse(recordedAt)
  const matcher = new Matcher(loaded?.entries ?? [], { allowRepeats: resolved.allowRepeats })
  let nextId = (loaded?.entries ?? []).reduce((max, e) => Math.max(max, e.id), 0) + 1
  const client = resolved.endpoints ? new UpstreamClient({ ca: resolved.ca }) : null
  const misses: ReplayMiss[] = []
  const recorded: CassetteEntry[] = []
  const open = new Set<ExchangeCapture>()
  let replayed = 0
  const stopping = new AbortController()

  const finish = (capture: ExchangeCapture): void => {
    if (!open.delete(capture)) return
    if (recording) recorded.push(capture.entry())
  }

  const handle = async (request: Request, env: HttpBindings): Promise<Response> => {
    const arrived = performance.now()
    const raw = env.incoming.url ?? '/'
    const q = raw.indexOf('?')
    const path = q === -1 ? raw : raw.slice(0, q)
    const query = q === -1 ? '' : raw.slice(q + 1)
    const method = request.method
    if (method === 'GET' && (path === '/health' || path === '/ping')) return new Response('OK', { status: 200 })
    const headers = requestHeaderMap(request.headers)
    const protocol = env.incoming.httpVersion === '2.0' ? ('h2' as const) : ('http/1.1' as const)
    const transport = transportOf(method, path, headers)
    const connection = connectionOf(env)
    let body: Uint8Array | null = null

    if (replaying) {
      if (transport !== 's2s') body = new Uint8Array(await request.arrayBuffer())
      const recordedRequest: RecordedRequest = {
        method,
        path,
        ...(query ? { query } : {}),
        headers: redactHeaders(headers, rules),
        ...(body && body.length > 0
          ? {
              body: decodeBody(
                body,
                { contentType: headers['content-type'], contentEncoding: headers['content-encoding'], message: messageTypeOf(method, path, 'request') },
                rules,
              ),
            }
          : {}),
      }
      const result = matcher.match(recordedRequest, transport)
      if ('entry' in result) {
        replayed++
        return replayResponse(result.entry, request, { scale, connection, rules, signal: stopping.signal, onMiss: (m) => misses.push(m) }, arrived)
      }
      if (mode === 'replay') {
        misses.push(result.miss)
        return jsonResponse(MISS_STATUS, missBody(result.miss))
      }
    }
    const start = { id: nextId++, start: Date.now() - epoch, protocol, method, path, query, headers }
    return forward(request, start, body, {
      client: client as UpstreamClient,
      endpoints: resolved.endpoints!,
      upstreamToken: resolved.upstreamToken,
      rules,
      connection,
      onStart: (capture) => open.add(capture),
      onEnd: finish,
    })
  }

  const listener = await listen(
    (request, env) =>
      handle(request, env as unknown as HttpBindings).catch((error: unknown) => {
        console.error('[s2-emulator] record/replay failed on a request:', error)
        return jsonResponse(500, { code: 'other', message: `[s2-emulator] record/replay failed: ${(error as Error).message}` })
      }),
    resolved.host,
    resolved.port,
    // The emulator's own limits: connections that never finish a request are closed, sessions never.
    { idleTimeoutMs: emulatorDefaults.idleTimeoutMs, maxConnections: emulatorDefaults.maxConnections },
  )
  const url = `http://${clientHost(listener.host)}:${listener.port}`

  const cassette = (): Cassette => {
    const entries = [...(mode === 'record-missing' ? (loaded?.entries ?? []) : []), ...recorded].sort((a, b) => a.start - b.start || a.id - b.id)
    return {
      format: CASSETTE_FORMAT,
      version: CASSETTE_VERSION,
      recordedAt,
      ...(version() ? { recorder: `s2-emulator ${version()}` } : {}),
      ...(resolved.endpoints ? { upstream: resolved.endpoints } : {}),
      redaction: rules,
      entries,
    }
  }
  const save = async (): Promise<boolean> => {
    if (!recording || path === undefined) return false
    if (mode === 'record-missing' && recorded.length === 0 && loaded !== null) return false
    await saveCassette(path, cassette())
    return true
  }

  let stopped: Promise<CassetteReport> | null = null
  const stop = (): Promise<CassetteReport> => {
    stopped ??= (async () => {
      for (const capture of [...open]) {
        capture.end('recording_stopped')
        finish(capture)
      }
      stopping.abort()
      await listener.close()
      client?.close()
      const saved = await save()
      return {
        mode,
        path,
        replayed,
        recorded: recorded.length,
        misses: [...misses],
        unused: replaying ? matcher.unused().map((e) => ({ id: e.id, method: e.request.method, path: e.request.path })) : [],
        saved,
      }
    })()
    return stopped
  }

  return {
    url,
    host: listener.host,
    port: listener.port,
    env: Object.freeze({ S2_ACCOUNT_ENDPOINT: url, S2_BASIN_ENDPOINT: url, S2_ACCESS_TOKEN: 'ignored' }),
    mode,
    path,
    misses: () => [...misses],
    save,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop()
    },
  }
}
