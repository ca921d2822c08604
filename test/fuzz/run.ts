/**
 * Runs the fuzz suite against an emulator started in this process on 127.0.0.1 (isolation
 * `token`, a frozen virtual clock so nothing changes between two requests but the requests):
 * requests go one at a time, each answer is checked (check.ts), and for a rejected request (4xx)
 * a digest of the whole state (digest.ts) taken before and after must be equal. Requests are
 * serialized so that the digest sees only the request under test; the digest is taken for every
 * `digestEvery`-th request (1 in `npm test`, sampled in `npm run fuzz`, where it would cost most
 * of the run). At the end the emulator must still answer: /health, and a valid append and read.
 * A request that blocks the event loop (which stops the deadline's timer too) is caught by a
 * watchdog thread (watchdog.ts), which prints it and kills the process.
 */
import { startS2Emulator, type S2Emulator } from '../../src/index.ts'
import { answerProblems } from './check.ts'
import { bearerToken } from '../../src/server/namespaces/directory.ts'
import { namespaceName } from '../../src/index.ts'
import { digestDiff, stateDigest, withoutAutoCreated, type StateDigest } from './digest.ts'
import { AUTHORIZATIONS, CATEGORIES, FIXTURE_BASINS, FIXTURE_STREAMS, KEY, RequestGenerator, TOKENS, type Category, type FuzzRequest } from './generate.ts'
import { Sender } from './send.ts'
import { Watchdog } from './watchdog.ts'

export interface FuzzOptions {
  readonly seed: number
  readonly count: number
  /** Check the state digest around every n-th request (1: all of them). */
  readonly digestEvery: number
  /** How long one request may take before it counts as a hang. */
  readonly deadlineMs: number
  /** Stop after this many failing requests. [default: 10] */
  readonly maxFailures?: number
  /** Progress lines (the CLI prints them), and a line when one step has taken more than a minute. */
  readonly progress?: (line: string) => void
  /** Called with each failure as it is found. */
  readonly onFailure?: (failure: FuzzFailure) => void
}

export interface FuzzFailure {
  readonly request: FuzzRequest
  readonly problems: string[]
}

export interface FuzzSummary {
  readonly seed: number
  readonly requests: number
  readonly durationMs: number
  readonly byCategory: Record<string, number>
  readonly byTransport: Record<string, number>
  readonly statuses: Record<string, number>
  /** Rejected requests whose state digest was compared. */
  readonly digestChecks: number
  /** Requests with a positive `wait` that had no answer by the deadline (abandoned, as asked). */
  readonly waited: number
  /** Read sessions that started, abandoned after their head. */
  readonly liveSessions: number
  readonly failures: FuzzFailure[]
  /** What was wrong with the emulator after the run (empty when it was healthy). */
  readonly health: string[]
}

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1
}

async function call(url: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers }
  let body: string | undefined
  if (init.body !== undefined) {
    body = JSON.stringify(init.body)
    headers['content-type'] = 'application/json'
  }
  const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) })
  await res.arrayBuffer()
  return res
}

const bearer = (token: string | null): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` })

async function namespaceNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/_emulator/namespaces`)
  return ((await res.json()) as { namespaces: { name: string }[] }).namespaces.map((n) => n.name)
}

/** Enters the namespace of every Authorization value the generator sends (see AUTHORIZATIONS). */
async function enterNamespaces(url: string): Promise<void> {
  for (const auth of AUTHORIZATIONS) await call(url, 'GET', '/v1/basins', { headers: auth === null ? {} : { authorization: auth } })
}

/** The basins and streams requests are mostly about, in each token's namespace. */
async function createFixtures(url: string): Promise<void> {
  for (const token of TOKENS) {
    const headers = bearer(token)
    await call(url, 'PUT', `/v1/basins/${FIXTURE_BASINS.plain}`, { headers, body: {} })
    await call(url, 'PUT', `/v1/basins/${FIXTURE_BASINS.enc}`, { headers, body: { config: { stream_cipher: 'aegis-256' } } })
    await call(url, 'PUT', `/v1/basins/${FIXTURE_BASINS.auto}`, { headers, body: { config: { create_stream_on_append: true, create_stream_on_read: true } } })
    for (const basin of Object.values(FIXTURE_BASINS)) {
      for (const stream of FIXTURE_STREAMS) {
        const streamHeaders = { ...headers, 's2-basin': basin, ...(basin === FIXTURE_BASINS.enc ? { 's2-encryption-key': KEY } : {}) }
        await call(url, 'PUT', `/v1/streams/${stream}`, { headers: streamHeaders })
        await call(url, 'POST', `/v1/streams/${stream}/records`, { headers: streamHeaders, body: { records: [{ body: 'a' }, { body: 'b', headers: [['k', 'v']] }] } })
      }
    }
  }
}

/**
 * After an admin request that changed something, puts back what the run relies on: no fault rules
 * (one could inject 5xx or hangs into later requests), default timing (a delayed ack on a frozen
 * clock would never come), frozen clocks, and exactly the namespaces of the token pool.
 */
async function restoreInvariants(url: string, request: FuzzRequest, namespaces: ReadonlySet<string>): Promise<void> {
  const scope = /^(\/_emulator(?:\/namespaces\/[^/?]+)?)\//.exec(request.path)?.[1]
  if (scope !== undefined) {
    const headers: Record<string, string> = {}
    const nsToken = request.headers['s2-namespace-token']
    if (nsToken !== undefined) headers['s2-namespace-token'] = nsToken
    if (request.path.includes('/faults')) await call(url, 'DELETE', `${scope}/faults`, { headers })
    if (request.path.includes('/timing') || request.path === '/_emulator/namespaces') await call(url, 'DELETE', `${scope}/timing`, { headers })
    if (request.path.includes('/clock')) await call(url, 'POST', `${scope}/clock/freeze`, { headers, body: {} })
  }
  for (const name of await namespaceNames(url)) {
    if (!namespaces.has(name)) await call(url, 'DELETE', `/_emulator/namespaces/${name}`)
  }
  await enterNamespaces(url)
  for (const name of namespaces) {
    await call(url, 'DELETE', `/_emulator/namespaces/${name}/faults`)
    await call(url, 'DELETE', `/_emulator/namespaces/${name}/timing`)
  }
  await call(url, 'DELETE', '/_emulator/faults')
}

/** The stream a data request would auto-create (see withoutAutoCreated), or null for other requests. */
function autoCreatedStream(request: FuzzRequest): { namespace: string; basin: string; stream: string; on: 'read' | 'append' } | null {
  const match = /^\/v1\/streams\/([^/?]+)\/records(\/tail)?(\?|$)/.exec(request.path)
  const basin = request.headers['s2-basin']?.trim() // as HTTP/1.1 delivers it
  if (match === null || basin === undefined) return null
  let stream: string
  try {
    stream = decodeURIComponent(match[1] as string)
  } catch {
    return null
  }
  const namespace = namespaceName(bearerToken(request.headers['authorization']))
  return { namespace, basin, stream, on: request.method === 'POST' ? 'append' : 'read' }
}

/** Whether the emulator still serves: /health, and a valid append and read in a fresh basin. */
async function healthProblems(emulator: S2Emulator): Promise<string[]> {
  const url = emulator.url
  const problems: string[] = []
  const health = await call(url, 'GET', '/health')
  if (health.status !== 200) problems.push(`/health answered ${health.status}`)
  const basin = 'fuzz-health-check'
  const created = await call(url, 'PUT', `/v1/basins/${basin}`, { body: {} })
  if (created.status !== 201 && created.status !== 200) problems.push(`creating a basin answered ${created.status}`)
  const headers = { 's2-basin': basin }
  const stream = await call(url, 'PUT', '/v1/streams/check', { headers })
  if (stream.status !== 201 && stream.status !== 200) problems.push(`creating a stream answered ${stream.status}`)
  const append = await fetch(`${url}/v1/streams/check/records`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ records: [{ body: 'alive' }] }) })
  const ack = (await append.json()) as { end?: { seq_num: number } }
  if (append.status !== 200) problems.push(`a valid append answered ${append.status} ${JSON.stringify(ack)}`)
  const read = await fetch(`${url}/v1/streams/check/records?seq_num=${(ack.end?.seq_num ?? 1) - 1}&count=1`, { headers })
  const batch = (await read.json()) as { records?: { body: string }[] }
  if (read.status !== 200 || batch.records?.[0]?.body !== 'alive') problems.push(`reading it back answered ${read.status} ${JSON.stringify(batch)}`)
  return problems
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = performance.now()
  const maxFailures = options.maxFailures ?? 10
  const emulator = await startS2Emulator({ host: '127.0.0.1', port: 0, isolation: 'token', clock: 'virtual' })
  const url = emulator.url
  // The emulator reports an unexpected error (the cause of a 500) on console.error.
  const unexpected: string[] = []
  const consoleError = console.error
  console.error = (...args: unknown[]) => {
    unexpected.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ').slice(0, 2000))
  }
  const sender = new Sender(url, options.deadlineMs)
  let stalled: ReturnType<typeof setInterval> | undefined
  // The emulator shares this process: a request that blocks the event loop is caught from a worker.
  const watchdog = new Watchdog(Math.max(30_000, options.deadlineMs * 3))
  const summary = {
    seed: options.seed,
    requests: 0,
    durationMs: 0,
    byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    byTransport: {} as Record<string, number>,
    statuses: {} as Record<string, number>,
    digestChecks: 0,
    waited: 0,
    liveSessions: 0,
    failures: [] as FuzzFailure[],
    health: [] as string[],
  }
  try {
    await enterNamespaces(url)
    await createFixtures(url)
    const namespaces = new Set(await namespaceNames(url))
    const poolTokens = [...new Set(AUTHORIZATIONS.map((auth) => bearerToken(auth ?? undefined)))]
    const generator = new RequestGenerator(options.seed)
    let current: StateDigest | null = null
    // Which request is in flight and at which step, so a run that stops moving says where.
    let step = { index: -1, what: 'setup', since: performance.now() }
    let shown = ''
    const at = (index: number, what: string) => {
      step = { index, what, since: performance.now() }
      watchdog.at(`${what}\n${shown}`)
    }
    stalled = setInterval(() => {
      const seconds = Math.round((performance.now() - step.since) / 1000)
      if (seconds >= 60) options.progress?.(`request #${step.index}: ${step.what} for ${seconds} s`)
    }, 60_000)
    stalled.unref()
    for (let i = 0; i < options.count && summary.failures.length < maxFailures; i++) {
      const request = generator.next()
      shown = describeRequest(options.seed, request)
      const checked = i % options.digestEvery === 0
      at(i, 'the digest before')
      if (checked && current === null) current = await stateDigest(emulator, poolTokens)
      at(i, `the request: ${request.method} ${request.path.slice(0, 200)}`)
      const before = current
      current = null
      unexpected.length = 0
      const outcome = await sender.send(request)
      summary.requests++
      count(summary.byCategory, request.category)
      count(summary.byTransport, request.transport)
      count(summary.statuses, outcome.waited ? 'waited' : outcome.status === null ? 'none' : String(outcome.status))
      if (outcome.waited) summary.waited++
      if (outcome.liveSession) summary.liveSessions++
      const problems = answerProblems(request, outcome)
      if (unexpected.length > 0) problems.push(...unexpected.map((line) => `logged an unexpected error: ${line}`))
      const rejected = outcome.status !== null && outcome.status >= 400 && outcome.status < 500
      if (checked && rejected && before !== null) {
        at(i, 'the digest after')
        const after = await stateDigest(emulator, poolTokens)
        summary.digestChecks++
        let diff = digestDiff(before, after)
        const created = diff.length > 0 ? autoCreatedStream(request) : null
        if (created !== null) {
          const stripped = withoutAutoCreated(after, created.namespace, created.basin, created.stream, created.on)
          if (stripped !== null && digestDiff(before, stripped).length === 0) diff = []
        }
        if (diff.length > 0) problems.push(`state changed on a ${outcome.status}:`, ...diff.map((line) => `  ${line}`))
        else current = after
      }
      if (problems.length > 0) {
        summary.failures.push({ request, problems })
        options.onFailure?.({ request, problems })
      }
      at(i, 'restoring the invariants')
      if (!rejected && request.path.startsWith('/_emulator') && request.method !== 'GET') await restoreInvariants(url, request, namespaces)
      if ((i + 1) % 5000 === 0) options.progress?.(`${i + 1} requests, ${summary.failures.length} failing, ${Math.round((performance.now() - started) / 1000)} s`)
    }
    summary.health = await healthProblems(emulator)
  } finally {
    clearInterval(stalled)
    await watchdog.stop()
    sender.close()
    console.error = consoleError
    await emulator.stop()
  }
  summary.durationMs = Math.round(performance.now() - started)
  return summary
}

/** A request as a developer replays it: the seed, its index, and the request byte for byte. */
export function describeRequest(seed: number, request: FuzzRequest): string {
  const body = Buffer.from(request.body)
  const shown = body.length > 4096 ? `${body.subarray(0, 4096).toString('hex')}… (${body.length} bytes)` : body.toString('hex')
  return [
    `seed ${seed}, request #${request.index} (${request.category}, ${request.transport}); replay: npm run fuzz -- --seed ${seed} --count ${request.index + 1}`,
    `  ${request.method} ${request.path}`,
    ...Object.entries(request.headers).map(([k, v]) => `  ${k}: ${v}`),
    `  body (hex): ${shown || '(empty)'}`,
    ...(request.pieces === undefined ? [] : [`  written in ${request.pieces.length} pieces of ${request.pieces.map((p) => p.length).join(', ')} bytes`]),
  ].join('\n')
}

/** A failure: the request, and what was wrong. */
export function describeFailure(seed: number, failure: FuzzFailure): string {
  const [first, ...rest] = describeRequest(seed, failure.request).split('\n')
  return [first, ...failure.problems.map((p) => `  problem: ${p}`), ...rest].join('\n')
}

/** The summary as a few lines. */
export function describeSummary(summary: FuzzSummary): string {
  const line = (map: Record<string, number>) => Object.entries(map).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ')
  return [
    `seed ${summary.seed}: ${summary.requests} requests in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  by category: ${line(summary.byCategory)}`,
    `  by transport: ${line(summary.byTransport)}`,
    `  statuses: ${line(summary.statuses)}`,
    `  state digests compared around ${summary.digestChecks} rejected requests; ${summary.liveSessions} read sessions started; ${summary.waited} waiting reads abandoned`,
    `  failures: ${summary.failures.length}; health after the run: ${summary.health.length === 0 ? 'ok' : summary.health.join('; ')}`,
  ].join('\n')
}
