import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { S2Namespace } from 's2-emulator'
import { expectS2Error } from '../support/append-helpers.ts'
import { rawAs, useCloudNamespaces } from '../support/cloud.ts'
import { basinName, useEmulator, type RawRequest, type RawResponse } from '../support/emulator.ts'

/**
 * The cloud profile's metrics API on a known workload, with exact values. The namespace's clock
 * is frozen at T0 (a day boundary) and moved by hand, and every request goes on a connection of
 * its own (raw HTTP), so operations, bytes and storage are all known in advance.
 *
 * Metered sizes: a record is 8 bytes plus its body (and 2 + name + value per header).
 */
const t = useEmulator({ profile: 'cloud', isolation: 'token' })
const fresh = useCloudNamespaces(() => t.emulator)

const T0 = Date.parse('2031-03-01T00:00:00Z') / 1000
const MIN = 60
const HOUR = 3600

type Call = (method: string, path: string, init?: RawRequest) => Promise<RawResponse>

async function ok(call: Promise<RawResponse>, status = 200): Promise<RawResponse> {
  const res = await call
  expect(res.status, res.text).toBe(status)
  return res
}

/** The workload every test of the first block queries (see the comments for each step's usage). */
async function workload(ns: S2Namespace, call: Call): Promise<{ basin: string; idle: string }> {
  await ns.clock.freeze(T0 * 1000)
  const basin = basinName('metrics')
  const idle = basinName('idle')
  const inB = { 's2-basin': basin }
  const append = (stream: string, records: unknown[], headers: Record<string, string> = {}) =>
    ok(call('POST', `/v1/streams/${stream}/records`, { headers: { ...inB, ...headers }, body: { records } }))
  // T0: account op create-basin x2; basin ops create-stream x4.
  await ok(call('POST', '/v1/basins', { body: { basin } }), 201)
  await ok(call('POST', '/v1/basins', { body: { basin: idle } }), 201)
  await ok(call('POST', '/v1/streams', { headers: inB, body: { stream: 'fast' } }), 201)
  await ok(call('POST', '/v1/streams', { headers: inB, body: { stream: 'slow', config: { storage_class: 'standard' } } }), 201)
  await ok(call('POST', '/v1/streams', { headers: inB, body: { stream: 'brief', config: { retention_policy: { age: 120 } } } }), 201)
  await ok(call('POST', '/v1/streams', { headers: inB, body: { stream: 'trimmed' } }), 201)
  // T0: fast +24 bytes (2 x 12), brief +9, trimmed +27 (3 x 9); express append ops: 3.
  await append('fast', [{ body: 'aaaa' }, { body: 'aaaa' }])
  await append('brief', [{ body: 'e' }])
  await append('trimmed', [{ body: 'x' }, { body: 'x' }, { body: 'x' }])
  // T0+10s: fast +10 on another connection: another express op. T0+20s: slow +14, a standard op.
  await ns.clock.advance('10s')
  await append('fast', [{ body: 'bb' }])
  await ns.clock.advance('10s')
  await append('slow', [{ body: 'cccccc' }])
  // T0+60s: a unary read of fast (34 bytes) and a check-tail.
  await ns.clock.advance('40s')
  await ok(call('GET', '/v1/streams/fast/records?seq_num=0', { headers: inB }))
  await ok(call('GET', '/v1/streams/fast/records/tail', { headers: inB }))
  // T0+90s: a trim of trimmed to seq 2 (a 22-byte command: 8 + 2 + 4 + 8): records 0 and 1 go.
  await ns.clock.advance('30s')
  await append('trimmed', [{ headers: [['', 'dHJpbQ==']], body: 'AAAAAAAAAAI=' }], { 's2-format': 'base64' })
  // T0+120s: an SSE read of fast's three records: a streaming op, 34 bytes.
  await ns.clock.advance('30s')
  const sse = await ok(call('GET', '/v1/streams/fast/records?seq_num=0&count=3', { headers: { ...inB, accept: 'text/event-stream' } }))
  expect(sse.text).toContain('[DONE]')
  // T0+1h: slow deleted. T0+90min: fast +12.
  await ns.clock.advance(`${HOUR - 120}s`)
  await ok(call('DELETE', '/v1/streams/slow', { headers: inB }), 202)
  await ns.clock.advance('30m')
  await append('fast', [{ body: 'dddd' }])
  // Now: T0+2h.
  await ns.clock.advance('30m')
  return { basin, idle }
}

describe('every metric set on a known workload', () => {
  let ns: S2Namespace
  let call: Call
  let basin: string
  let idle: string
  const metrics = async (path: string) => (await ok(call('GET', path))).json as { values: unknown[] }
  const range = (start: number, end: number, extra = '') => `start=${start}&end=${end}${extra}`

  beforeAll(async () => {
    ns = await t.emulator.createNamespace({ label: 'metrics workload' })
    call = (method, path, init) => rawAs(ns.url, ns.token, method, path, init)
    ;({ basin, idle } = await workload(ns, call))
  })
  afterAll(() => ns.drop())

  it('account-ops: one accumulation per account operation, counted when answered (metrics queries too)', async () => {
    expect(await metrics(`/v1/metrics?set=account-ops&${range(T0, T0 + 2 * HOUR)}`)).toEqual({
      values: [{ accumulation: { name: 'create-basin', unit: 'operations', interval: 'minute', values: [[T0, 2]] } }],
    })
    expect(await metrics(`/v1/metrics?set=account-ops&${range(T0, T0 + 2 * HOUR, '&interval=day')}`)).toEqual({
      values: [
        { accumulation: { name: 'account-metrics', unit: 'operations', interval: 'day', values: [[T0, 1]] } },
        { accumulation: { name: 'create-basin', unit: 'operations', interval: 'day', values: [[T0, 2]] } },
      ],
    })
  })

  it('active-basins: the basins that had a stream during the range', async () => {
    const active = (start: number, end: number) => metrics(`/v1/metrics?set=active-basins&${range(start, end)}`)
    expect(await active(T0, T0 + 2 * HOUR)).toEqual({ values: [{ label: { name: 'active-basins', values: [basin] } }] })
    expect(await active(T0 - HOUR, T0 - 1)).toEqual({ values: [{ label: { name: 'active-basins', values: [] } }] })
    expect((await active(T0, T0 + HOUR)).values).not.toContainEqual(idle)
  })

  it('storage (basin): a gauge with a point per hour, read when each hour closes (or now)', async () => {
    // T0 hour closes with fast 34 + slow 14 + trimmed 31 (brief expired at T0+120s); slow is deleted at T0+1h; fast +12 at T0+90min.
    expect(await metrics(`/v1/metrics/${basin}?set=storage&${range(T0 - HOUR, T0 + 2 * HOUR)}`)).toEqual({
      values: [{ gauge: { name: 'storage', unit: 'bytes', values: [[T0 - HOUR, 0], [T0, 79], [T0 + HOUR, 77], [T0 + 2 * HOUR, 77]] } }],
    })
  })

  it('storage (stream): a gauge with a point per minute, following appends, trims, expiry and deletion', async () => {
    const gauge = async (stream: string, start: number, end: number) =>
      ((await metrics(`/v1/metrics/${basin}/${stream}?set=storage&${range(start, end)}`)).values[0] as { gauge: { values: number[][] } }).gauge.values
    expect(await gauge('fast', T0 - MIN, T0 + 2 * MIN)).toEqual([[T0 - MIN, 0], [T0, 34], [T0 + MIN, 34], [T0 + 2 * MIN, 34]])
    expect(await gauge('brief', T0, T0 + 3 * MIN)).toEqual([[T0, 9], [T0 + MIN, 9], [T0 + 2 * MIN, 0], [T0 + 3 * MIN, 0]])
    expect(await gauge('trimmed', T0, T0 + 2 * MIN)).toEqual([[T0, 27], [T0 + MIN, 31], [T0 + 2 * MIN, 31]])
    expect(await gauge('slow', T0 + HOUR - MIN, T0 + HOUR + MIN)).toEqual([[T0 + HOUR - MIN, 14], [T0 + HOUR, 0], [T0 + HOUR + MIN, 0]])
    expect(await metrics(`/v1/metrics/${basin}/fast?set=storage&${range(T0 + 2 * HOUR, T0 + 2 * HOUR)}`)).toEqual({
      values: [{ gauge: { name: 'storage', unit: 'bytes', values: [[T0 + 2 * HOUR, 46]] } }],
    })
  })

  it('append-ops: one accumulation per storage class, an operation a minute per stream and connection', async () => {
    const set = (interval: string) => metrics(`/v1/metrics/${basin}?set=append-ops&${range(T0, T0 + 2 * HOUR, `&interval=${interval}`)}`)
    expect(await set('minute')).toEqual({
      values: [
        { accumulation: { name: 'standard', unit: 'operations', interval: 'minute', values: [[T0, 1]] } },
        { accumulation: { name: 'express', unit: 'operations', interval: 'minute', values: [[T0, 4], [T0 + MIN, 1], [T0 + 90 * MIN, 1]] } },
      ],
    })
    expect(await set('hour')).toEqual({
      values: [
        { accumulation: { name: 'standard', unit: 'operations', interval: 'hour', values: [[T0, 1]] } },
        { accumulation: { name: 'express', unit: 'operations', interval: 'hour', values: [[T0, 5], [T0 + HOUR, 1]] } },
      ],
    })
  })

  it('read-ops: unary and streaming reads; read-throughput and append-throughput: metered bytes', async () => {
    const query = (set: string) => metrics(`/v1/metrics/${basin}?set=${set}&${range(T0, T0 + 2 * HOUR)}`)
    expect(await query('read-ops')).toEqual({
      values: [
        { accumulation: { name: 'unary', unit: 'operations', interval: 'minute', values: [[T0 + MIN, 1]] } },
        { accumulation: { name: 'streaming', unit: 'operations', interval: 'minute', values: [[T0 + 2 * MIN, 1]] } },
      ],
    })
    expect(await query('read-throughput')).toEqual({
      values: [{ accumulation: { name: 'read-throughput', unit: 'bytes', interval: 'minute', values: [[T0 + MIN, 34], [T0 + 2 * MIN, 34]] } }],
    })
    expect(await query('append-throughput')).toEqual({
      values: [{ accumulation: { name: 'append-throughput', unit: 'bytes', interval: 'minute', values: [[T0, 84], [T0 + MIN, 22], [T0 + 90 * MIN, 12]] } }],
    })
  })

  it('basin-ops: one accumulation per operation on the basin', async () => {
    expect(await metrics(`/v1/metrics/${basin}?set=basin-ops&${range(T0, T0 + 2 * HOUR, '&interval=hour')}`)).toEqual({
      values: [
        { accumulation: { name: 'append', unit: 'operations', interval: 'hour', values: [[T0, 6], [T0 + HOUR, 1]] } },
        { accumulation: { name: 'check-tail', unit: 'operations', interval: 'hour', values: [[T0, 1]] } },
        { accumulation: { name: 'create-stream', unit: 'operations', interval: 'hour', values: [[T0, 4]] } },
        { accumulation: { name: 'delete-stream', unit: 'operations', interval: 'hour', values: [[T0 + HOUR, 1]] } },
        { accumulation: { name: 'read', unit: 'operations', interval: 'hour', values: [[T0, 2]] } },
      ],
    })
  })

  it('an idle basin has zero series and a zero gauge; a range before anything happened is empty', async () => {
    expect(await metrics(`/v1/metrics/${idle}?set=append-ops&${range(T0, T0 + HOUR)}`)).toEqual({
      values: [
        { accumulation: { name: 'standard', unit: 'operations', interval: 'minute', values: [] } },
        { accumulation: { name: 'express', unit: 'operations', interval: 'minute', values: [] } },
      ],
    })
    expect(await metrics(`/v1/metrics/${idle}?set=basin-ops&${range(T0, T0 + HOUR)}`)).toEqual({ values: [] })
    expect(await metrics(`/v1/metrics/${idle}?set=storage&${range(T0, T0)}`)).toEqual({
      values: [{ gauge: { name: 'storage', unit: 'bytes', values: [[T0, 0]] } }],
    })
    expect(await metrics(`/v1/metrics?set=account-ops&start=0&end=3600`)).toEqual({ values: [] })
  })
})

describe('time ranges and bad input', () => {
  it('answers invalid ranges with 422 invalid, as the service does', async () => {
    const { ns, basin } = await fresh()
    const b = await basin()
    await ns.clock.freeze(T0 * 1000)
    const get = (path: string) => rawAs(ns.url, ns.token, 'GET', path)
    expectS2Error(await get('/v1/metrics?set=active-basins'), 422, 'invalid', 'metric set `active-basins` requires both a `start` and an `end` timestamp')
    expectS2Error(await get(`/v1/metrics?set=account-ops&end=${T0}`), 422, 'invalid', 'metric set `account-ops` requires both a `start` and an `end` timestamp')
    expectS2Error(await get(`/v1/metrics?set=account-ops&start=${T0}&end=${T0 - 1}`), 422, 'invalid', `\`start\` (${T0}) must not be after \`end\` (${T0 - 1})`)
    expectS2Error(await get(`/v1/metrics?set=account-ops&start=${T0}&end=${T0 + 301}`), 422, 'invalid')
    expect((await get(`/v1/metrics?set=account-ops&start=${T0}&end=${T0 + 300}`)).status).toBe(200)
    expectS2Error(await get(`/v1/metrics?set=account-ops&start=${T0 - 30 * 86400 - 1}&end=${T0}`), 422, 'invalid', 'the time range must not exceed 30 days')
    expect((await get(`/v1/metrics?set=account-ops&start=${T0 - 30 * 86400}&end=${T0}`)).status).toBe(200)
    expectS2Error(await get(`/v1/metrics/${b}?set=storage&start=${T0}&end=${T0}&interval=minute`), 422, 'invalid', 'metric set `storage` does not accept interval `minute`: it accepts `hour`')
    expect((await get(`/v1/metrics/${b}?set=storage&start=${T0}&end=${T0}&interval=hour`)).status).toBe(200)
    await ns.clock.resume()
  })

  it('answers a bad query with 400 and an unknown basin or stream with 404', async () => {
    const { ns, root, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 's' })
    const now = Math.floor(Date.now() / 1000)
    const get = (path: string) => rawAs(ns.url, ns.token, 'GET', path)
    expectS2Error(await get('/v1/metrics?set=nope'), 400, 'bad_query')
    expectS2Error(await get(`/v1/metrics?set=account-ops&start=soon&end=${now}`), 400, 'bad_query')
    expectS2Error(await get(`/v1/metrics/${b}/s?set=storage&start=${now}&end=${now}&interval=hour`), 422, 'invalid')
    expectS2Error(await get(`/v1/metrics/${basinName('missing')}?set=storage&start=${now}&end=${now}`), 404, 'basin_not_found')
    expectS2Error(await get(`/v1/metrics/${b}/missing?set=storage&start=${now}&end=${now}`), 404, 'stream_not_found')
  })

  it('needs the metrics operations and the basin in scope (403)', async () => {
    const { ns, issue, basin } = await fresh()
    const b = await basin()
    const now = Math.floor(Date.now() / 1000)
    const other = await basin()
    const token = await issue({ id: 'metrics', scope: { basins: { exact: b }, ops: ['basin-metrics'] } })
    const get = (path: string) => rawAs(ns.url, token, 'GET', path)
    expect((await get(`/v1/metrics/${b}?set=append-ops&start=${now}&end=${now}`)).status).toBe(200)
    expectS2Error(await get(`/v1/metrics/${other}?set=append-ops&start=${now}&end=${now}`), 403, 'permission_denied')
    expectS2Error(await get(`/v1/metrics?set=account-ops&start=${now}&end=${now}`), 403, 'permission_denied')
  })
})
