import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import { connectS2Emulator, namespaceName, S2EmulatorError, type S2Namespace } from 's2-emulator'
import { basinName, raw, useEmulator, useStartedEmulators } from '../support/emulator.ts'
import { expectedScenario, namespaceScenario, type ScenarioOptions } from '../support/namespace-scenario.ts'
import { killAll, run } from '../support/process.ts'
import { settle } from '../support/sessions.ts'
import { appendBodies, asToken, bodiesOf, createBasin, createStream, expectErrorBody, expectStatus, tailOf } from '../support/state.ts'

/**
 * Namespaces as private emulators: one emulator serves many tests at once, and each test's
 * namespace holds everything it controls (data, fault rules, clock, snapshots, journal), so no
 * test sees another's. Global controls keep their meaning for every namespace that has not
 * overridden them.
 */

const A: ScenarioOptions = { label: 'alpha', expire: true, truncate: true, startTime: '2030-01-01T00:00:00Z' }
const B: ScenarioOptions = { label: 'beta', expire: false, truncate: false, startTime: '2031-06-01T12:00:00Z' }

const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])
const clientOf = (ns: S2Namespace) => new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url }, retry: { maxAttempts: 1 } })

describe('two namespaces used at once', () => {
  const t = useEmulator({ isolation: 'token' })

  it('each arms faults, moves its clock, takes a snapshot of the same name and reads its journal; nothing leaks', async () => {
    const results = await Promise.all([namespaceScenario(t.emulator, A), namespaceScenario(t.emulator, B)])
    for (const [result, options] of [[results[0], A], [results[1], B]] as const) {
      expect(result).toEqual({ ...expectedScenario(options), name: result.name, journalNamespaces: [result.name] })
    }
    expect(results[0].name).not.toBe(results[1].name)
    // The emulator's own clock, rules and snapshots were never touched.
    expect((await t.emulator.clock.get()).mode).toBe('system')
    expect(await t.emulator.faults.list()).toEqual([])
    expect(await t.emulator.snapshots.list()).toEqual([])
    // Dropped: forgotten entirely.
    const names = (await t.emulator.namespaces()).map((n) => n.name)
    expect(names).not.toContain(results[0].name)
    expect(names).not.toContain(results[1].name)
  })

  it('runs the same in two worker processes sharing the emulator', { timeout: 60_000 }, async () => {
    const worker = (options: ScenarioOptions) => run(process.execPath, ['test/support/namespace-worker.ts', t.url, JSON.stringify(options)])
    const outcomes = await Promise.all([worker(A), worker(B)])
    for (const [outcome, options] of [[outcomes[0], A], [outcomes[1], B]] as const) {
      expect(outcome.code, outcome.stderr).toBe(0)
      const result = JSON.parse(outcome.stdout) as { name: string }
      expect(result).toEqual({ ...expectedScenario(options), name: result.name, journalNamespaces: [result.name] })
    }
  })
})

describe('a namespace handle', () => {
  const t = useEmulator({ isolation: 'token' })
  const made: S2Namespace[] = []
  const create = async (label?: string) => {
    const ns = await t.emulator.createNamespace(label === undefined ? {} : { label })
    made.push(ns)
    return ns
  }
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop()))
    await killAll()
  })

  it('carries what code under test needs: a fresh token, the URL, and the S2_* variables', async () => {
    const ns = await create('carries')
    expect(ns.token).toMatch(/^s2e_[A-Za-z0-9_-]{24}$/)
    expect(ns.name).toBe(namespaceName(ns.token))
    expect(ns.name).toMatch(/^ns-[0-9a-f]{20}$/)
    expect(ns.url).toBe(t.url)
    expect(ns.env).toEqual({ S2_ACCOUNT_ENDPOINT: t.url, S2_BASIN_ENDPOINT: t.url, S2_ACCESS_TOKEN: ns.token })
    expect(await ns.info()).toMatchObject({ name: ns.name, label: 'carries', origin: 'api', basins: 0, faults: 0, snapshots: 0 })
    const other = await create()
    expect(other.token).not.toBe(ns.token)
  })

  it('of a token (emulator.namespace(token)) acts on the namespace that token enters, even before its first request', async () => {
    const token = `tenant-${Math.random().toString(36).slice(2)}`
    const ns = t.emulator.namespace(token)
    await ns.faults.add({ match: { operation: 'create_basin' }, action: { type: 'error', status: 503 }, times: 1 })
    const first = await asToken(t.raw, token)('POST', '/v1/basins', { body: { basin: basinName('tok') } })
    expect(first.status).toBe(503)
    await ns.faults.assertAllFired()
    // Another token's requests never meet it.
    expect((await asToken(t.raw, `${token}-2`)('POST', '/v1/basins', { body: { basin: basinName('tok') } })).status).toBe(201)
    await ns.drop()
  })

  it("confines its rules: another namespace's requests and its rule list never see them, a global rule reaches every namespace", async () => {
    const [a, b] = [await create(), await create()]
    const basin = basinName('rules')
    for (const ns of [a, b]) {
      await createBasin(asToken(t.raw, ns.token), basin)
      await createStream(asToken(t.raw, ns.token), basin, 's')
    }
    await a.faults.add({ id: 'a-only', match: { operation: 'append' }, action: { type: 'error', status: 503 } })
    const global = await t.emulator.faults.add({ id: 'everyone', match: { operation: 'check_tail' }, action: { type: 'error', status: 500 }, times: 2 })
    try {
      const append = (ns: S2Namespace) => asToken(t.raw, ns.token)('POST', '/v1/streams/s/records', { headers: { 's2-basin': basin }, body: { records: [{ body: 'x' }] } })
      expect((await append(a)).status).toBe(503)
      expect((await append(b)).status).toBe(200)
      for (const ns of [a, b]) expect((await asToken(t.raw, ns.token)('GET', '/v1/streams/s/records/tail', { headers: { 's2-basin': basin } })).status).toBe(500)
      expect((await a.faults.list()).map((r) => r.id)).toEqual(['a-only'])
      expect(await b.faults.list()).toEqual([])
      expect((await t.emulator.faults.list()).map((r) => r.id)).toEqual(['everyone'])
      await b.faults.assertAllFired() // none of its own
      await a.faults.assertAllFired()
      expect(await b.faults.clear()).toBe(0)
      expect((await a.faults.list()).length).toBe(1)
      expect((await t.emulator.faults.get(global.id)).fired).toBe(2)
    } finally {
      await t.emulator.faults.clear()
    }
  })

  it('has its own seed: the same seed draws the same fires, whatever other namespaces do', async () => {
    const fires = async (seed: number, noise: boolean) => {
      const ns = await t.emulator.createNamespace({ faultSeed: seed })
      made.push(ns)
      expect(await ns.faults.seed()).toBe(seed)
      const rule = await ns.faults.add({ match: { operation: 'list_basins' }, action: { type: 'error', status: 503 }, probability: 0.5 })
      const noisy = noise ? await create() : null
      const pattern: number[] = []
      for (let i = 0; i < 16; i++) {
        if (noisy) await noisy.faults.add({ match: { operation: 'list_basins' }, action: { type: 'latency', ms: 0 }, probability: 0.5 })
        pattern.push((await asToken(t.raw, ns.token)('GET', '/v1/basins')).status)
        if (noisy) await asToken(t.raw, noisy.token)('GET', '/v1/basins')
      }
      expect((await ns.faults.get(rule.id)).matched).toBe(16)
      return pattern
    }
    const first = await fires(1234, false)
    expect(new Set(first)).toEqual(new Set([200, 503]))
    expect(await fires(1234, true)).toEqual(first)
  })

  it("has its own clock: frozen, set and advanced without moving the emulator's or another namespace's", async () => {
    const [a, b] = [await create(), await create()]
    expect(await a.clock.get()).toMatchObject({ mode: 'system', follows: true })
    const frozen = await a.clock.freeze('2040-01-01T00:00:00Z')
    expect(frozen).toMatchObject({ mode: 'virtual', follows: false, iso: '2040-01-01T00:00:00.000Z' })
    expect((await a.clock.advance('1h')).iso).toBe('2040-01-01T01:00:00.000Z')
    const wall = Date.now()
    expect(Math.abs((await t.emulator.clock.get()).now - wall)).toBeLessThan(60_000)
    expect(Math.abs((await b.clock.get()).now - wall)).toBeLessThan(60_000)
    // Arrival timestamps follow the namespace's clock.
    const basin = basinName('clock')
    await createBasin(asToken(t.raw, a.token), basin)
    await createStream(asToken(t.raw, a.token), basin, 's')
    await appendBodies(asToken(t.raw, a.token), basin, 's', ['at 2040'])
    expect((await tailOf(asToken(t.raw, a.token), basin, 's')).timestamp).toBe(Date.parse('2040-01-01T01:00:00Z'))
    expect((await a.journal.list({ operation: 'append' }))[0]?.iso).toBe('2040-01-01T01:00:00.000Z')
    // Resumed, it runs on from where it stands.
    const resumed = await a.clock.resume()
    expect(resumed).toMatchObject({ mode: 'system', follows: false })
    expect(resumed.now).toBeGreaterThanOrEqual(Date.parse('2040-01-01T01:00:00Z'))
    expect(resumed.now).toBeLessThan(Date.parse('2040-01-02T00:00:00Z'))
  })

  it("follows the emulator's clock until it moves its own", async () => {
    const emulator = await startFresh({ isolation: 'token', clock: 'virtual', startTime: '2030-01-01T00:00:00Z' })
    const [following, own] = [await emulator.createNamespace(), await emulator.createNamespace()]
    await own.clock.freeze()
    await emulator.clock.advance('1d')
    expect((await following.clock.get()).iso).toBe('2030-01-02T00:00:00.000Z')
    expect((await own.clock.get()).iso).toBe('2030-01-01T00:00:00.000Z')
    // Retention expires by the emulator's clock in a following namespace, and not in one that froze its own.
    const basin = basinName('follow')
    for (const ns of [following, own]) {
      const s2 = clientOf(ns)
      await s2.basins.create({ basin })
      await s2.basin(basin).streams.create({ stream: 's', config: { retentionPolicy: { ageSecs: 3600 } } })
      await s2.basin(basin).stream('s').append(record('soon gone'))
    }
    await emulator.clock.advance('2h')
    const readAll = async (ns: S2Namespace) =>
      (await clientOf(ns).basin(basin).stream('s').read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })).records.map((r) => r.body)
    expect(await readAll(following)).toEqual([])
    expect(await readAll(own)).toEqual(['soon gone'])
    await own.clock.advance('2h')
    expect(await readAll(own)).toEqual([])
  })

  it("runs a long-poll wait on its own clock: advancing it ends the wait, another namespace's advance does not", async () => {
    const [a, b] = [await create(), await create()]
    await a.clock.freeze()
    await b.clock.freeze()
    const basin = basinName('wait')
    await createBasin(asToken(t.raw, a.token), basin)
    await createStream(asToken(t.raw, a.token), basin, 's')
    const waiting = asToken(t.raw, a.token)('GET', '/v1/streams/s/records?tail_offset=0&wait=30', { headers: { 's2-basin': basin } })
    let done = false
    void waiting.then(() => {
      done = true
    })
    await b.clock.advance('60s')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(done).toBe(false)
    await a.clock.advance('30s')
    const res = await waiting
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ records: [] })
  })

  it('has its own snapshots: the same name in two namespaces is two snapshots, each restoring its own state', async () => {
    const [a, b] = [await create(), await create()]
    const basin = basinName('snap')
    for (const ns of [a, b]) {
      await createBasin(asToken(t.raw, ns.token), basin)
      await createStream(asToken(t.raw, ns.token), basin, 's')
      await appendBodies(asToken(t.raw, ns.token), basin, 's', [`${ns.name}-kept`])
      await ns.snapshots.take('empty')
    }
    expect((await a.snapshots.list()).map((s) => [s.name, s.namespace])).toEqual([['empty', a.name]])
    await appendBodies(asToken(t.raw, a.token), basin, 's', ['a-later'])
    await appendBodies(asToken(t.raw, b.token), basin, 's', ['b-later'])
    await a.snapshots.restore('empty')
    expect(await bodiesOf(asToken(t.raw, a.token), basin, 's')).toEqual([`${a.name}-kept`])
    expect(await bodiesOf(asToken(t.raw, b.token), basin, 's')).toEqual([`${b.name}-kept`, 'b-later'])
    await b.snapshots.delete('empty')
    expect((await a.snapshots.list()).map((s) => s.name)).toEqual(['empty'])
    expect(await t.emulator.snapshots.list()).toEqual([])
  })

  it('seeds with init, and resets alone', async () => {
    const [a, b] = [await create(), await create()]
    const basin = basinName('init')
    const spec = { basins: [{ name: basin, streams: [{ name: 'orders' }] }] }
    expect(await a.init(spec)).toEqual({ namespace: a.name, basins: [{ name: basin, result: 'created', streams: [{ name: 'orders', result: 'created' }] }] })
    await b.init(spec)
    await appendBodies(asToken(t.raw, b.token), basin, 'orders', ['b'])
    await a.reset()
    expect(expectStatus<{ basins: unknown[] }>(await asToken(t.raw, a.token)('GET', '/v1/basins'), 200).basins).toEqual([])
    expect(await bodiesOf(asToken(t.raw, b.token), basin, 'orders')).toEqual(['b'])
  })

  it('drops everything: data, rules, seed, clock, snapshots, journal; its token then enters a fresh namespace', async () => {
    const ns = await t.emulator.createNamespace({ faultSeed: 7 })
    const basin = basinName('drop')
    await createBasin(asToken(t.raw, ns.token), basin)
    await ns.faults.add({ match: { operation: 'read' }, action: { type: 'latency', ms: 1 } })
    await ns.clock.freeze('2035-01-01T00:00:00Z')
    await ns.snapshots.take('s')
    await ns.drop()
    await ns.drop() // safe twice
    expect((await t.emulator.namespaces()).map((n) => n.name)).not.toContain(ns.name)
    expect(await t.emulator.journal.list({ namespace: ns.name })).toEqual([])
    // The same token comes back to a fresh namespace.
    expect(expectStatus<{ basins: unknown[] }>(await asToken(t.raw, ns.token)('GET', '/v1/basins'), 200).basins).toEqual([])
    expect(await ns.faults.list()).toEqual([])
    expect(await ns.snapshots.list()).toEqual([])
    expect(await ns.clock.get()).toMatchObject({ follows: true })
    expect(await ns.faults.seed()).not.toBe(7)
    await ns.drop()
  })

  it('lists namespaces by name and label, never by token', async () => {
    const ns = await create('listing test')
    const res = await t.raw('GET', '/_emulator/namespaces')
    const body = expectStatus<{ isolation: string; namespaces: { name: string; label: string | null }[] }>(res, 200)
    expect(body.isolation).toBe('token')
    expect(body.namespaces.find((n) => n.name === ns.name)).toMatchObject({ label: 'listing test', origin: 'api' })
    expect(res.text).not.toContain(ns.token)
    // The journal and the namespace's own answers never carry the token either.
    await asToken(t.raw, ns.token)('GET', '/v1/basins')
    for (const path of ['/_emulator/journal', `/_emulator/namespaces/${ns.name}`, `/_emulator/namespaces/${ns.name}/journal`]) {
      expect((await t.raw('GET', path)).text).not.toContain(ns.token)
    }
  })

  it('lets createNamespace take a token of the caller, refusing one whose namespace is in use', async () => {
    const token = `chosen-${Math.random().toString(36).slice(2)}`
    const ns = await t.emulator.createNamespace({ token })
    made.push(ns)
    expect(ns.token).toBe(token)
    const again = await settle(t.emulator.createNamespace({ token }))
    expect(again.ok).toBe(false)
    expect((again as { error: S2EmulatorError }).error).toMatchObject({ status: 409, adminCode: 'namespace_exists' })
  })
})

describe('bad input', () => {
  const t = useEmulator({ isolation: 'token' })

  it('an unknown namespace is a 404 that says how namespaces come into being, and changes nothing', async () => {
    const unknown = 'ns-0123456789abcdef0123'
    for (const [method, path, body] of [
      ['GET', `/_emulator/namespaces/${unknown}`, undefined],
      ['GET', `/_emulator/namespaces/${unknown}/faults`, undefined],
      ['POST', `/_emulator/namespaces/${unknown}/faults`, { action: { type: 'latency', ms: 1 } }],
      ['POST', `/_emulator/namespaces/${unknown}/clock/freeze`, {}],
      ['POST', `/_emulator/namespaces/${unknown}/snapshots`, { name: 'x' }],
      ['POST', `/_emulator/namespaces/${unknown}/reset`, {}],
      ['DELETE', `/_emulator/namespaces/${unknown}`, undefined],
    ] as const) {
      const res = await t.raw(method, path, body === undefined ? {} : { body })
      expect(expectErrorBody(res, 404, 'namespace_not_found').message, `${method} ${path}`).toMatch(/createNamespace .* s2-namespace-token/)
    }
    expect((await t.emulator.namespaces()).map((n) => n.name)).not.toContain(unknown)
    // A token whose digest is not the name does not open it.
    const wrong = await t.raw('GET', `/_emulator/namespaces/${unknown}/faults`, { headers: { 's2-namespace-token': 'someone-else' } })
    expectErrorBody(wrong, 404, 'namespace_not_found')
  })

  it('a malformed name is a 400 that says what names look like', async () => {
    for (const name of ['tenant-a', 'NS-0123456789ABCDEF0123', 'ns-123', '%20']) {
      const res = await t.raw('GET', `/_emulator/namespaces/${name}/faults`)
      expect(expectErrorBody(res, 400, 'bad_path').message).toMatch(/is not a namespace name: names are "default" or "ns-" and 20 hex digits/)
    }
  })

  it('a rule whose match.namespace contradicts its handle is a 400, and nothing is armed', async () => {
    const ns = await t.emulator.createNamespace()
    try {
      const other = namespaceName('another-token')
      const added = await settle(ns.faults.add({ match: { namespace: other }, action: { type: 'latency', ms: 1 } }))
      expect(added.ok).toBe(false)
      expect(String((added as { error: Error }).error.message)).toMatch(/match\.namespace: this rule is armed in namespace ns-\w+ and can only match it/)
      expect(await ns.faults.list()).toEqual([])
      // Naming its own namespace is allowed.
      await ns.faults.add({ match: { namespace: ns.name }, action: { type: 'latency', ms: 1 } })
      expect((await ns.faults.list()).length).toBe(1)
    } finally {
      await ns.drop()
    }
  })

  it('a bad createNamespace body is a 400, and makes nothing', async () => {
    const before = (await t.emulator.namespaces()).length
    for (const body of [{ lable: 'typo' }, { faultSeed: -1 }, { token: '' }, { token: 'has space' }, { label: 7 }, []]) {
      const res = await t.raw('POST', '/_emulator/namespaces', { body })
      expectErrorBody(res, 400, 'bad_json')
    }
    expect((await t.emulator.namespaces()).length).toBe(before)
  })

  it("an init spec naming another namespace's token is a 400 through a handle, and creates nothing", async () => {
    const ns = await t.emulator.createNamespace()
    try {
      const res = await settle(ns.init({ namespace: 'someone-else', basins: [{ name: basinName('x') }] }))
      expect(res.ok).toBe(false)
      expect((await ns.info()).basins).toBe(0)
    } finally {
      await ns.drop()
    }
  })
})

describe('without isolation', () => {
  const t = useEmulator()

  it('createNamespace is a 409 that says how to turn isolation on', async () => {
    const made = await settle(t.emulator.createNamespace())
    expect(made.ok).toBe(false)
    const error = (made as { error: S2EmulatorError }).error
    expect(error).toMatchObject({ status: 409, adminCode: 'isolation_off' })
    expect(error.message).toMatch(/isolation: 'token' \(CLI --isolation token\)/)
    expectErrorBody(await t.raw('GET', `/_emulator/namespaces/${namespaceName('x')}/faults`), 409, 'isolation_off')
  })

  it('the default namespace has the controls of a namespace', async () => {
    const ns = t.emulator.namespace('')
    expect(ns.name).toBe('default')
    const { basin, stream } = await t.stream()
    await ns.faults.add({ match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
    expect((await t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin, authorization: 'Bearer anything' } })).status).toBe(503)
    await ns.faults.assertAllFired()
    expect((await ns.journal.list({ operation: 'check_tail' })).map((e) => e.namespace)).toEqual(['default'])
  })
})

const startFresh = useStartedEmulators()

describe('the admin API is closed to web pages', () => {
  const t = useEmulator({ isolation: 'token' })

  it('sends no CORS headers and refuses preflights, while the S2 API keeps s2-lite\'s permissive CORS', async () => {
    const preflight = await t.raw('OPTIONS', '/_emulator/reset', {
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBeGreaterThanOrEqual(400)
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    const s2Preflight = await t.raw('OPTIONS', '/v1/basins', { headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } })
    expect(s2Preflight.headers['access-control-allow-origin']).toBe('http://app.example')
  })

  it('refuses cross-site browser requests (Origin, Sec-Fetch-Site), and the pages of other host names (DNS rebinding)', async () => {
    const basin = basinName('evil')
    await createBasin(t.raw, basin)
    const host = new URL(t.url).host
    const pages: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example:1234', host: 'evil.example:1234' },
      { origin: 'null' },
    ]
    for (const headers of pages) {
      const res = await t.raw('POST', '/_emulator/reset', { headers: { ...headers, 'content-type': 'text/plain' }, body: '{}' })
      expect(expectErrorBody(res, 403, 'admin_forbidden').message, JSON.stringify(headers)).toMatch(/never web pages/)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
    expect((await t.raw('GET', '/v1/basins')).text).toContain(basin)
    // The emulator's own pages (same origin, loopback) and tools are served.
    expect((await t.raw('GET', '/_emulator/faults', { headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' } })).status).toBe(200)
    expect((await t.raw('GET', '/_emulator/faults')).status).toBe(200)
  })

  it('requires the admin token when one is set, and the client sends it', async () => {
    const emulator = await startFresh({ adminToken: 'sekret-admin-token' })
    const open = await raw(emulator.url, 'GET', '/_emulator/faults')
    expect(expectErrorBody(open, 401, 'admin_unauthorized').message).toMatch(/Authorization: Bearer <admin token>/)
    expectErrorBody(await raw(emulator.url, 'GET', '/_emulator/faults', { headers: { authorization: 'Bearer wrong' } }), 401, 'admin_unauthorized')
    expect((await raw(emulator.url, 'GET', '/_emulator/faults', { headers: { authorization: 'Bearer sekret-admin-token' } })).status).toBe(200)
    expect(await emulator.faults.list()).toEqual([]) // the emulator's own controls carry it
    await expect(connectS2Emulator(emulator.url).faults.list()).rejects.toMatchObject({ status: 401 })
    expect(await connectS2Emulator(emulator.url, { adminToken: 'sekret-admin-token' }).faults.list()).toEqual([])
    // The S2 API does not need it.
    expect((await raw(emulator.url, 'GET', '/v1/basins')).status).toBe(200)
  })
})
