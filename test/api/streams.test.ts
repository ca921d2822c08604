import { S2Error } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import {
  eventually,
  expectAccepted,
  expectError,
  EXPECTED_JSON,
  expectJson,
  expectTimestamp,
  header,
  inParallel,
  pageThrough,
  shuffled,
} from '../support/control-plane.ts'
import type { Clock } from '../../src/index.ts'
import { systemClock } from '../../src/server/clock/clock.ts'
import { basinName, useEmulator, type RawRequest, type RawResponse } from '../support/emulator.ts'

/**
 * Control plane, streams: s2-lite §2.2, §3.2, §3.4, §4.1, §4.3, §4.4, §4.5, §8.5, §9.1 and checklist §11.2.
 */

interface StreamInfoJson {
  name: string
  created_at: string
  deleted_at: string | null
  cipher: string | null
}
interface StreamListJson {
  streams: StreamInfoJson[]
  has_more: boolean
}

const DEFAULT_STREAM_CONFIG_TEXT =
  '{"storage_class":"express","retention_policy":{"age":604800},"timestamping":{"mode":"client-prefer","uncapped":false},"delete_on_empty":{"min_age_secs":0}}'

const streamPath = (name: string): string => `/v1/streams/${encodeURIComponent(name)}`
const notFound = (basin: string, stream: string): string => `stream \`${stream}\` in basin \`${basin}\` not found`

function expectStreamInfo(value: unknown, name: string, deleted = false): StreamInfoJson {
  const info = value as StreamInfoJson
  expect(Object.keys(info).sort()).toEqual(['cipher', 'created_at', 'deleted_at', 'name'])
  expect(info.name).toBe(name)
  expectTimestamp(info.created_at)
  if (deleted) expectTimestamp(info.deleted_at)
  else expect(info.deleted_at).toBeNull()
  return info
}

type Ctx = ReturnType<typeof useEmulator>

/** Basin-scoped raw HTTP against one emulator. */
function client(ctx: Ctx) {
  const inBasin = (basin: string, init: RawRequest = {}): RawRequest => ({
    ...init,
    headers: { 's2-basin': basin, ...init.headers },
  })
  return {
    list: (basin: string, query = '') => ctx.raw('GET', `/v1/streams${query}`, inBasin(basin)),
    create: (basin: string, body: unknown, headers: Record<string, string> = {}) =>
      ctx.raw('POST', '/v1/streams', inBasin(basin, { headers, body })),
    get: (basin: string, stream: string) => ctx.raw('GET', streamPath(stream), inBasin(basin)),
    ensure: (basin: string, stream: string, init: RawRequest = {}) => ctx.raw('PUT', streamPath(stream), inBasin(basin, init)),
    patch: (basin: string, stream: string, body: unknown) => ctx.raw('PATCH', streamPath(stream), inBasin(basin, { body })),
    delete: (basin: string, stream: string) => ctx.raw('DELETE', streamPath(stream), inBasin(basin)),
    append: (basin: string, stream: string, records: unknown[]) =>
      ctx.raw('POST', `${streamPath(stream)}/records`, inBasin(basin, { body: { records } })),
    read: (basin: string, stream: string) => ctx.raw('GET', `${streamPath(stream)}/records?seq_num=0`, inBasin(basin)),
    tail: (basin: string, stream: string) => ctx.raw('GET', `${streamPath(stream)}/records/tail`, inBasin(basin)),
  }
}

const t = useEmulator()
const c = client(t)

async function listed(basin: string, query = ''): Promise<StreamListJson> {
  return expectJson(await c.list(basin, query), 200) as StreamListJson
}
async function names(basin: string, query = ''): Promise<string[]> {
  return (await listed(basin, query)).streams.map((s) => s.name)
}
async function createAll(basin: string, streams: readonly string[]): Promise<void> {
  await inParallel(streams.length, async (i) => {
    const res = await c.create(basin, { stream: streams[i] })
    expect(res.status).toBe(201)
  })
}
async function config(basin: string, stream: string): Promise<Record<string, unknown>> {
  return expectJson(await c.get(basin, stream), 200) as Record<string, unknown>
}
function provision(res: RawResponse): [number, string | undefined] {
  return [res.status, header(res, 's2-provision-result')]
}

describe('listing streams', () => {
  it('returns an empty page for a basin without streams', async () => {
    const res = await c.list(await t.basin())
    expectJson(res, 200)
    expect(res.text).toBe('{"streams":[],"has_more":false}')
  })

  it('returns 200 with an empty list for a basin that does not exist', async () => {
    const res = await c.list(basinName())
    expectJson(res, 200)
    expect(res.text).toBe('{"streams":[],"has_more":false}')
  })

  it('requires a valid S2-Basin header', async () => {
    expectError(await t.raw('GET', '/v1/streams'), 400, 'bad_header', 'Missing header `s2-basin`')
    expectError(await c.list('Bad_Basin'), 400, 'bad_header', /^Invalid header `s2-basin`: /)
  })

  it('lists streams in name order with has_more false, each as a full StreamInfo', async () => {
    const basin = await t.basin()
    const all = ['stream-a', 'stream-b', 'stream-c', 'stream-d', 'stream-e']
    const before = Date.now()
    await createAll(basin, shuffled(all))
    const page = await listed(basin)
    expect(page.streams.map((s) => s.name)).toEqual(all)
    expect(page.has_more).toBe(false)
    for (const [i, info] of page.streams.entries()) {
      expectStreamInfo(info, all[i] as string)
      expect(info.cipher).toBeNull()
      expectTimestamp(info.created_at, before - 1, Date.now())
    }
  })

  it('pages 12 streams 5 at a time with has_more true, true, false', async () => {
    const basin = await t.basin()
    const all = Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(2, '0')}`)
    await createAll(basin, shuffled(all))
    const pages = await pageThrough(3, 'streams', (startAfter) =>
      listed(basin, `?limit=5${startAfter ? `&start_after=${startAfter}` : ''}`),
    )
    expect(pages).toEqual([
      [all.slice(0, 5), true],
      [all.slice(5, 10), true],
      [all.slice(10), false],
    ])
  })

  it('answers has_more false for an exactly full last page', async () => {
    const basin = await t.basin()
    const all = Array.from({ length: 10 }, (_, i) => `x${i}`)
    await createAll(basin, all)
    const first = await listed(basin, '?limit=5')
    expect([first.streams.length, first.has_more]).toEqual([5, true])
    const second = await listed(basin, '?limit=5&start_after=x4')
    expect(second.streams.map((s) => s.name)).toEqual(all.slice(5))
    expect(second.has_more).toBe(false)
    expect(await listed(basin, '?limit=10')).toMatchObject({ has_more: false })
    expect(await listed(basin, '?limit=9')).toMatchObject({ has_more: true })
  })

  it('filters by prefix', async () => {
    const basin = await t.basin()
    await createAll(basin, ['test-stream-metrics-memory', 'test-stream-logs', 'test-stream-metrics-cpu', 'test-stream-metric', 'other'])
    const page = await listed(basin, '?prefix=test-stream-metrics-')
    expect(page).toMatchObject({ has_more: false })
    expect(page.streams.map((s) => s.name)).toEqual(['test-stream-metrics-cpu', 'test-stream-metrics-memory'])
  })

  it('treats start_after as exclusive and allows it to sort before the prefix', async () => {
    const basin = await t.basin()
    await createAll(basin, ['a-1', 'a-2', 'b-1', 'b-2', 'b-3'])
    expect(await names(basin, '?start_after=a-2')).toEqual(['b-1', 'b-2', 'b-3'])
    expect(await names(basin, '?prefix=b-&start_after=b-1')).toEqual(['b-2', 'b-3'])
    expect(await names(basin, '?prefix=b-&start_after=a-1')).toEqual(['b-1', 'b-2', 'b-3'])
    expect(await names(basin, '?prefix=b-&start_after=a')).toEqual(['b-1', 'b-2', 'b-3'])
    expect(await listed(basin, '?prefix=a-&start_after=b')).toEqual({ streams: [], has_more: false })
  })

  it('sorts by UTF-8 bytes, not by JavaScript string order', async () => {
    const basin = await t.basin()
    // UTF-8 byte order (= code point order). JS `<` would put the astral ones before U+E000.
    const ordered = ['Z', 'a', 'é', '\u{E000}', '\u{FFFD}', '\u{10000}', '\u{1F600}']
    expect([...ordered].sort()).not.toEqual(ordered)
    await createAll(basin, shuffled(ordered))
    expect(await names(basin)).toEqual(ordered)

    const q = encodeURIComponent
    const pages = await pageThrough(3, 'streams', (startAfter) => listed(basin, `?limit=3&start_after=${q(startAfter)}`))
    expect(pages).toEqual([
      [ordered.slice(0, 3), true],
      [ordered.slice(3, 6), true],
      [ordered.slice(6), false],
    ])
    expect(await names(basin, `?start_after=${q('\u{E000}')}`)).toEqual(['\u{FFFD}', '\u{10000}', '\u{1F600}'])
    expect(await names(basin, `?start_after=${q('\u{10000}')}`)).toEqual(['\u{1F600}'])
    expect(await names(basin, `?prefix=${q('\u{FFFD}')}&start_after=${q('\u{10000}')}`)).toEqual([])
  })

  it('matches prefixes on astral characters', async () => {
    const basin = await t.basin()
    await createAll(basin, ['\u{1F600}b', '\u{1F600}a', '\u{1F601}', '\u{FFFD}'])
    expect(await names(basin, `?prefix=${encodeURIComponent('\u{1F600}')}`)).toEqual(['\u{1F600}a', '\u{1F600}b'])
  })

  it('caps pages at 1000: limit 0, above 1000 and absent all mean 1000', async () => {
    const basin = await t.basin()
    const all = Array.from({ length: 1001 }, (_, i) => `n-${String(i).padStart(4, '0')}`)
    await createAll(basin, all)
    for (const query of ['', '?limit=0', '?limit=1000', '?limit=1001', '?limit=99999999']) {
      const page = await listed(basin, query)
      expect(page.streams.map((s) => s.name), query).toEqual(all.slice(0, 1000))
      expect(page.has_more, query).toBe(true)
    }
    expect(await listed(basin, '?limit=0&start_after=n-0999')).toMatchObject({ streams: [{ name: 'n-1000' }], has_more: false })
    const full = await listed(basin, '?limit=2000&start_after=n-0000')
    expect([full.streams.length, full.has_more]).toEqual([1000, false])
  })

  it('rejects a negative or non-integer limit and over-long filters with 400 bad_query', async () => {
    const basin = await t.basin()
    for (const query of ['limit=-1', 'limit=2.5', 'limit=ten', `prefix=${'p'.repeat(513)}`, `start_after=${'s'.repeat(513)}`]) {
      expectError(await c.list(basin, `?${query}`), 400, 'bad_query')
    }
    for (const query of ['prefix=', 'prefix=.', 'prefix=..', 'start_after=..', `prefix=${'p'.repeat(512)}`]) {
      expect((await c.list(basin, `?${query}`)).status, query).toBe(200)
    }
  })

  it('is readable through the SDK, with dates parsed', async () => {
    const basin = await t.basin()
    await createAll(basin, ['one', 'three', 'two'])
    const streams = t.s2.basin(basin).streams
    const page = await streams.list({ limit: 2 })
    expect(page.hasMore).toBe(true)
    expect(page.streams.map((s) => s.name)).toEqual(['one', 'three'])
    expect(page.streams[0]?.createdAt).toBeInstanceOf(Date)
    expect(page.streams[0]?.deletedAt ?? null).toBeNull()
    const all: string[] = []
    for await (const info of streams.listAll({ limit: 1 })) all.push(info.name)
    expect(all).toEqual(['one', 'three', 'two'])
    expect((await streams.list({ prefix: 't', startAfter: 'three' })).streams.map((s) => s.name)).toEqual(['two'])
  })
})

describe('creating streams (POST)', () => {
  it('answers 201 with StreamInfo and s2-provision-result created, and the config resolves to system defaults', async () => {
    const basin = await t.basin()
    const before = Date.now()
    const res = await c.create(basin, { stream: 'orders' })
    const info = expectStreamInfo(expectJson(res, 201), 'orders')
    expect(info.cipher).toBeNull()
    expect(header(res, 's2-provision-result')).toBe('created')
    expectTimestamp(info.created_at, before - 1, Date.now())
    const get = await c.get(basin, 'orders')
    expectJson(get, 200)
    expect(get.text).toBe(DEFAULT_STREAM_CONFIG_TEXT)
  })

  it('resolves each field from the stream, then the basin defaults, then the system defaults', async () => {
    const basin = await t.basin({
      default_stream_config: { storage_class: 'standard', retention_policy: { infinite: {} }, timestamping: { mode: 'client-require' } },
    })
    expect((await c.create(basin, { stream: 'inherits', config: {} })).status).toBe(201)
    expect(await config(basin, 'inherits')).toStrictEqual({
      storage_class: 'standard',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'client-require', uncapped: false },
      delete_on_empty: { min_age_secs: 0 },
    })
    const res = await c.create(basin, {
      stream: 'overrides',
      config: { storage_class: 'express', timestamping: { uncapped: true }, delete_on_empty: { min_age_secs: 30 } },
    })
    expect(res.status).toBe(201)
    expect(await config(basin, 'overrides')).toStrictEqual({
      storage_class: 'express',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'client-require', uncapped: true },
      delete_on_empty: { min_age_secs: 30 },
    })
  })

  it('keeps an explicit zero delete_on_empty over a basin default, and ensure with it noops', async () => {
    const basin = await t.basin({ default_stream_config: { delete_on_empty: { min_age_secs: 60 } } })
    expect((await c.create(basin, { stream: 'zero', config: { delete_on_empty: { min_age_secs: 0 } } })).status).toBe(201)
    expect((await c.create(basin, { stream: 'inherit' })).status).toBe(201)
    expect(await config(basin, 'zero')).toMatchObject({ delete_on_empty: { min_age_secs: 0 } })
    expect(await config(basin, 'inherit')).toMatchObject({ delete_on_empty: { min_age_secs: 60 } })
    expect(provision(await c.ensure(basin, 'zero', { body: { delete_on_empty: { min_age_secs: 0 } } }))).toEqual([200, 'noop'])
    expect(provision(await c.ensure(basin, 'zero', { body: {} }))).toEqual([200, 'updated'])
    expect(await config(basin, 'zero')).toMatchObject({ delete_on_empty: { min_age_secs: 60 } })
  })

  it('does not change existing streams when basin defaults change later', async () => {
    const basin = await t.basin({ default_stream_config: { storage_class: 'standard' } })
    await createAll(basin, ['early'])
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { default_stream_config: { storage_class: 'express' } } })).status).toBe(200)
    await createAll(basin, ['late'])
    expect(await config(basin, 'early')).toMatchObject({ storage_class: 'standard' })
    expect(await config(basin, 'late')).toMatchObject({ storage_class: 'express' })
  })

  it('copies the basin stream_cipher into the stream at creation', async () => {
    const basin = await t.basin({ stream_cipher: 'aegis-256' })
    const res = await c.create(basin, { stream: 'secret' })
    expect(expectStreamInfo(expectJson(res, 201), 'secret').cipher).toBe('aegis-256')
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { stream_cipher: 'aes-256-gcm' } })).status).toBe(200)
    const newer = await c.create(basin, { stream: 'secret-2' })
    expect(expectStreamInfo(expectJson(newer, 201), 'secret-2').cipher).toBe('aes-256-gcm')
    const ensured = await c.ensure(basin, 'secret-3')
    expect(expectStreamInfo(expectJson(ensured, 201), 'secret-3').cipher).toBe('aes-256-gcm')
    const page = await listed(basin)
    expect(page.streams.map((s) => [s.name, s.cipher])).toEqual([
      ['secret', 'aegis-256'],
      ['secret-2', 'aes-256-gcm'],
      ['secret-3', 'aes-256-gcm'],
    ])
    // Clearing the basin cipher does not decrypt existing streams either.
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { stream_cipher: null } })).status).toBe(200)
    expect((await listed(basin)).streams[0]?.cipher).toBe('aegis-256')
  })

  it('replays a create with the same request token and config as 201 noop, and rejects every other repeat with 409', async () => {
    const basin = await t.basin()
    const token = { 's2-request-token': 'token-1' }
    const first = await c.create(basin, { stream: 's', config: { storage_class: 'express' } }, token)
    const created = expectStreamInfo(expectJson(first, 201), 's')
    expect(header(first, 's2-provision-result')).toBe('created')
    expect(await config(basin, 's')).toMatchObject({ storage_class: 'express' })

    const replay = await c.create(basin, { stream: 's', config: { storage_class: 'express' } }, token)
    expect(expectJson(replay, 201)).toEqual(created)
    expect(header(replay, 's2-provision-result')).toBe('noop')

    const exists = `stream \`s\` in basin \`${basin}\` already exists`
    expectError(await c.create(basin, { stream: 's', config: { storage_class: 'express' } }, { 's2-request-token': 'token-2' }), 409, 'resource_already_exists', exists)
    expectError(await c.create(basin, { stream: 's', config: { timestamping: { mode: 'arrival' } } }, token), 409, 'resource_already_exists', exists)
    expectError(await c.create(basin, { stream: 's', config: { storage_class: 'express' } }), 409, 'resource_already_exists', exists)
    expect(await config(basin, 's')).toMatchObject({ timestamping: { mode: 'client-prefer' } })
  })

  it('rejects a create with a token for a stream that was created without one', async () => {
    const { basin, stream } = await t.stream()
    expectError(await c.create(basin, { stream }, { 's2-request-token': 'late' }), 409, 'resource_already_exists')
  })

  it('keeps the idempotency key across a PUT ensure, which is a full replace', async () => {
    const basin = await t.basin()
    const token = { 's2-request-token': 'provision' }
    const body = { stream: 'p', config: { storage_class: 'standard' } }
    expect(provision(await c.create(basin, body, token))).toEqual([201, 'created'])
    expect(provision(await c.create(basin, body, token))).toEqual([201, 'noop'])
    expect(provision(await c.ensure(basin, 'p', { body: { timestamping: { mode: 'arrival' } } }))).toEqual([200, 'updated'])
    expect(await config(basin, 'p')).toMatchObject({ storage_class: 'express', timestamping: { mode: 'arrival' } })
    expect(provision(await c.create(basin, body, token))).toEqual([201, 'noop'])
    expect(await config(basin, 'p')).toMatchObject({ storage_class: 'express' })
  })

  it('bases the idempotency key on the request, not on basin defaults that changed since', async () => {
    const basin = await t.basin()
    const token = { 's2-request-token': 'tok' }
    expect(provision(await c.create(basin, { stream: 'q', config: {} }, token))).toEqual([201, 'created'])
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { default_stream_config: { storage_class: 'standard' } } })).status).toBe(200)
    expect(provision(await c.create(basin, { stream: 'q', config: {} }, token))).toEqual([201, 'noop'])
  })

  it('accepts a 36-byte request token and rejects a 37-byte one with 400 bad_header', async () => {
    const basin = await t.basin()
    expect((await c.create(basin, { stream: 'ok' }, { 's2-request-token': 't'.repeat(36) })).status).toBe(201)
    const res = await c.create(basin, { stream: 'long' }, { 's2-request-token': 't'.repeat(37) })
    expectError(res, 400, 'bad_header', /request token was longer than 36 bytes in length: 37/)
    expectError(await c.get(basin, 'long'), 404, 'stream_not_found')
  })

  it('answers 404 basin_not_found when the basin does not exist', async () => {
    const basin = basinName()
    expectError(await c.create(basin, { stream: 's' }), 404, 'basin_not_found', `basin \`${basin}\` not found`)
  })

  it('validates stream names in the body with 400 bad_json', async () => {
    const basin = await t.basin()
    const cases: [string, string][] = [
      ['', 'stream name must not be empty'],
      ['.', 'stream name must not be "." or ".."'],
      ['..', 'stream name must not be "." or ".."'],
      ['a'.repeat(513), 'stream name must not exceed 512 bytes in length'],
      ['é'.repeat(256) + 'a', 'stream name must not exceed 512 bytes in length'],
    ]
    for (const [name, problem] of cases) {
      expectError(await c.create(basin, { stream: name }), 400, 'bad_json', new RegExp(problem.replace(/[.]/g, '\\.')))
    }
    // 512 bytes of two-byte characters and names with slashes, dots and spaces are fine.
    for (const name of ['é'.repeat(256), 'a/b c', '...', './x', 'with%percent']) {
      expect((await c.create(basin, { stream: name })).status, name).toBe(201)
      expect((await c.get(basin, name)).status, name).toBe(200)
    }
  })

  it('rejects an over-long stream name in the path with 400 bad_path', async () => {
    const basin = await t.basin()
    expectError(await c.get(basin, 'a'.repeat(513)), 400, 'bad_path')
  })

  it('requires a JSON Content-Type and rejects a zero retention age with 422', async () => {
    const basin = await t.basin()
    const body = JSON.stringify({ stream: 's' })
    expectError(await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body }), 400, 'bad_json', EXPECTED_JSON)
    expectError(await c.create(basin, { stream: 's', config: { retention_policy: { age: 0 } } }), 422, 'invalid', 'age must be greater than 0 seconds')
    expect(await listed(basin)).toEqual({ streams: [], has_more: false })
  })

  it('creates through the SDK and reads the resolved config back', async () => {
    const basin = await t.basin()
    const streams = t.s2.basin(basin).streams
    const info = await streams.create({
      stream: 'sdk',
      config: { storageClass: 'standard', retentionPolicy: { ageSecs: 3600 }, timestamping: { mode: 'arrival' } },
    })
    expect(info.name).toBe('sdk')
    expect(info.createdAt).toBeInstanceOf(Date)
    expect(Math.abs(info.createdAt.getTime() - Date.now())).toBeLessThan(60_000)
    expect(await streams.getConfig({ stream: 'sdk' })).toEqual({
      storageClass: 'standard',
      retentionPolicy: { ageSecs: 3600 },
      timestamping: { mode: 'arrival', uncapped: false },
      deleteOnEmpty: { minAgeSecs: 0 },
    })
    const err = await streams.create({ stream: 'sdk' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(S2Error)
    expect(err).toMatchObject({ status: 409, code: 'resource_already_exists' })
    await expect(streams.getConfig({ stream: 'missing' })).rejects.toMatchObject({ status: 404, code: 'stream_not_found' })
  })
})

describe('stream configuration (GET)', () => {
  it('answers 404 stream_not_found for a missing stream, and also when the basin is missing', async () => {
    const basin = await t.basin()
    expectError(await c.get(basin, 'nope'), 404, 'stream_not_found', notFound(basin, 'nope'))
    const missing = basinName()
    expectError(await c.get(missing, 'nope'), 404, 'stream_not_found', notFound(missing, 'nope'))
  })

  it('decodes percent-encoded stream names in the path', async () => {
    const basin = await t.basin()
    const name = 'dir/sub dir/ü?#&'
    expect((await c.create(basin, { stream: name, config: { storage_class: 'standard' } })).status).toBe(201)
    expect(await config(basin, name)).toMatchObject({ storage_class: 'standard' })
  })
})

describe('ensuring streams (PUT)', () => {
  it('creates a missing stream with 201 created from an unwrapped StreamConfig body', async () => {
    const basin = await t.basin()
    const res = await c.ensure(basin, 'e', { body: { storage_class: 'standard' } })
    expectStreamInfo(expectJson(res, 201), 'e')
    expect(header(res, 's2-provision-result')).toBe('created')
    expect(await config(basin, 'e')).toMatchObject({ storage_class: 'standard' })
  })

  it('answers 200 noop when the effective config matches and 200 updated when it differs', async () => {
    const basin = await t.basin({ default_stream_config: { storage_class: 'express', retention_policy: { age: 864000 } } })
    const body = { storage_class: 'standard', retention_policy: { infinite: {} } }
    expect((await c.create(basin, { stream: 'm', config: body })).status).toBe(201)
    const same = await c.ensure(basin, 'm', { body })
    expectStreamInfo(expectJson(same, 200), 'm')
    expect(header(same, 's2-provision-result')).toBe('noop')
    // The same effective config spelled out field by field is still a noop.
    const spelled = { ...body, timestamping: { mode: 'client-prefer', uncapped: false }, delete_on_empty: { min_age_secs: 0 } }
    expect(provision(await c.ensure(basin, 'm', { body: spelled }))).toEqual([200, 'noop'])
    const changed = await c.ensure(basin, 'm', { body: { ...body, timestamping: { uncapped: true } } })
    expect(provision(changed)).toEqual([200, 'updated'])
    expect(await config(basin, 'm')).toMatchObject({ timestamping: { uncapped: true } })
  })

  it('is a full replace merged with the current basin defaults', async () => {
    const basin = await t.basin({ default_stream_config: { retention_policy: { age: 3600 } } })
    expect((await c.create(basin, { stream: 'r', config: { storage_class: 'standard', retention_policy: { infinite: {} } } })).status).toBe(201)
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { default_stream_config: { timestamping: { mode: 'arrival' } } } })).status).toBe(200)
    expect(provision(await c.ensure(basin, 'r', { body: { delete_on_empty: { min_age_secs: 5 } } }))).toEqual([200, 'updated'])
    expect(await config(basin, 'r')).toStrictEqual({
      storage_class: 'express',
      retention_policy: { age: 3600 },
      timestamping: { mode: 'arrival', uncapped: false },
      delete_on_empty: { min_age_secs: 5 },
    })
  })

  it('resets an existing stream to the defaults when the PUT has no body, and then noops', async () => {
    const basin = await t.basin()
    expect((await c.create(basin, { stream: 'n', config: { storage_class: 'standard', timestamping: { mode: 'arrival' } } })).status).toBe(201)
    const reset = await c.ensure(basin, 'n')
    expectStreamInfo(expectJson(reset, 200), 'n')
    expect(header(reset, 's2-provision-result')).toBe('updated')
    expect((await c.get(basin, 'n')).text).toBe(DEFAULT_STREAM_CONFIG_TEXT)
    expect(provision(await c.ensure(basin, 'n', { headers: { 'content-type': 'application/json' }, body: '' }))).toEqual([200, 'noop'])
    // A body without Content-Type is ignored.
    expect(provision(await c.ensure(basin, 'n', { body: '{"storage_class":"standard"}' }))).toEqual([200, 'noop'])
    expectError(await c.ensure(basin, 'n', { headers: { 'content-type': 'text/plain' }, body: '{}' }), 400, 'bad_json', EXPECTED_JSON)
  })

  it('answers 404 basin_not_found when the basin does not exist', async () => {
    const basin = basinName()
    expectError(await c.ensure(basin, 's'), 404, 'basin_not_found', `basin \`${basin}\` not found`)
  })

  it('takes effect for the very next append', async () => {
    const { basin, stream } = await t.stream()
    expect((await c.append(basin, stream, [{ body: 'before' }])).status).toBe(200)
    expect(provision(await c.ensure(basin, stream, { body: { timestamping: { mode: 'client-require' } } }))).toEqual([200, 'updated'])
    expectError(await c.append(basin, stream, [{ body: 'x' }]), 422, 'invalid', 'record timestamp was required but was missing')
    expect((await c.append(basin, stream, [{ body: 'x', timestamp: 1 }])).status).toBe(200)
  })

  it('reports created, updated and noop to the SDK through s2-provision-result', async () => {
    const basin = await t.basin()
    const streams = t.s2.basin(basin).streams
    const created = await streams.ensure({ stream: 'sdk', config: { storageClass: 'standard' } })
    expect(created.result).toBe('created')
    expect(created.stream.name).toBe('sdk')
    expect(created.stream.createdAt).toBeInstanceOf(Date)
    expect((await streams.ensure({ stream: 'sdk', config: { storageClass: 'standard' } })).result).toBe('noop')
    expect((await streams.ensure({ stream: 'sdk' })).result).toBe('updated')
    expect((await streams.getConfig({ stream: 'sdk' })).storageClass).toBe('express')
  })
})

describe('reconfiguring streams (PATCH)', () => {
  it('updates the given fields; the response and GET show the resolved config', async () => {
    const { basin, stream } = await t.stream()
    const res = await c.patch(basin, stream, {
      storage_class: 'express',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'arrival', uncapped: true },
    })
    const expected = {
      storage_class: 'express',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'arrival', uncapped: true },
      delete_on_empty: { min_age_secs: 0 },
    }
    expect(expectJson(res, 200)).toStrictEqual(expected)
    expect(await config(basin, stream)).toStrictEqual(expected)
  })

  it('keeps absent fields, including absent sub-fields of timestamping', async () => {
    const { basin, stream } = await t.stream({
      storage_class: 'standard',
      retention_policy: { age: 3600 },
      timestamping: { mode: 'arrival', uncapped: true },
      delete_on_empty: { min_age_secs: 10 },
    })
    const initial = await config(basin, stream)
    expect(expectJson(await c.patch(basin, stream, {}), 200)).toStrictEqual(initial)
    expect(expectJson(await c.patch(basin, stream, { timestamping: {} }), 200)).toStrictEqual(initial)
    expect(expectJson(await c.patch(basin, stream, { delete_on_empty: {} }), 200)).toStrictEqual(initial)
    expect(expectJson(await c.patch(basin, stream, { timestamping: { uncapped: false } }), 200)).toStrictEqual({
      ...initial,
      timestamping: { mode: 'arrival', uncapped: false },
    })
  })

  it('resets fields set to null to the basin defaults', async () => {
    const basin = await t.basin({
      default_stream_config: {
        storage_class: 'standard',
        retention_policy: { infinite: {} },
        timestamping: { mode: 'arrival', uncapped: true },
        delete_on_empty: { min_age_secs: 300 },
      },
    })
    const stream = 'custom'
    expect(
      (
        await c.create(basin, {
          stream,
          config: {
            storage_class: 'express',
            retention_policy: { age: 3600 },
            timestamping: { mode: 'client-require', uncapped: false },
            delete_on_empty: { min_age_secs: 0 },
          },
        })
      ).status,
    ).toBe(201)
    const res = await c.patch(basin, stream, {
      storage_class: null,
      retention_policy: null,
      timestamping: { mode: null, uncapped: null },
      delete_on_empty: { min_age_secs: null },
    })
    const basinDefaults = {
      storage_class: 'standard',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'arrival', uncapped: true },
      delete_on_empty: { min_age_secs: 300 },
    }
    expect(expectJson(res, 200)).toStrictEqual(basinDefaults)
    expect(await config(basin, stream)).toStrictEqual(basinDefaults)
  })

  it('resets null objects as a whole, to the current basin default or else the system default', async () => {
    const basin = await t.basin({ default_stream_config: { timestamping: { uncapped: true } } })
    expect((await c.create(basin, { stream: 's', config: { storage_class: 'standard', timestamping: { mode: 'arrival', uncapped: false }, delete_on_empty: { min_age_secs: 9 } } })).status).toBe(201)
    // The basin default changes after the stream was created; null picks up the current one.
    expect((await t.raw('PATCH', `/v1/basins/${basin}`, { body: { default_stream_config: { delete_on_empty: { min_age_secs: 77 } } } })).status).toBe(200)
    const res = await c.patch(basin, 's', { storage_class: null, timestamping: null, delete_on_empty: null })
    expect(expectJson(res, 200)).toStrictEqual({
      storage_class: 'express',
      retention_policy: { age: 604800 },
      timestamping: { mode: 'client-prefer', uncapped: true },
      delete_on_empty: { min_age_secs: 77 },
    })
  })

  it('takes effect for the very next append', async () => {
    const { basin, stream } = await t.stream()
    expect((await c.append(basin, stream, [{ body: 'before' }])).status).toBe(200)
    expect((await c.patch(basin, stream, { timestamping: { mode: 'client-require' } })).status).toBe(200)
    expectError(await c.append(basin, stream, [{ body: 'x' }]), 422, 'invalid', 'record timestamp was required but was missing')
  })

  it('answers 404 stream_not_found for a missing stream and 404 basin_not_found for a missing basin', async () => {
    const basin = await t.basin()
    expectError(await c.patch(basin, 'nope', {}), 404, 'stream_not_found', notFound(basin, 'nope'))
    const missing = basinName()
    expectError(await c.patch(missing, 'nope', {}), 404, 'basin_not_found', `basin \`${missing}\` not found`)
  })

  it('rejects a zero retention age with 422 and a non-JSON body with 400 bad_json', async () => {
    const { basin, stream } = await t.stream()
    expectError(await c.patch(basin, stream, { retention_policy: { age: 0 } }), 422, 'invalid', 'age must be greater than 0 seconds')
    expectError(await t.raw('PATCH', streamPath(stream), { headers: { 's2-basin': basin }, body: '{}' }), 400, 'bad_json', EXPECTED_JSON)
    expect((await c.get(basin, stream)).text).toBe(DEFAULT_STREAM_CONFIG_TEXT)
  })

  it('reconfigures through the SDK, including nulls', async () => {
    const basin = await t.basin({ default_stream_config: { storage_class: 'standard' } })
    const streams = t.s2.basin(basin).streams
    await streams.create({ stream: 'r', config: { storageClass: 'express' } })
    const updated = await streams.reconfigure({ stream: 'r', retentionPolicy: { ageSecs: 120 }, deleteOnEmpty: { minAgeSecs: 30 } })
    expect(updated).toEqual({
      storageClass: 'express',
      retentionPolicy: { ageSecs: 120 },
      timestamping: { mode: 'client-prefer', uncapped: false },
      deleteOnEmpty: { minAgeSecs: 30 },
    })
    const reset = await streams.reconfigure({ stream: 'r', storageClass: null })
    expect(reset.storageClass).toBe('standard')
    expect(reset.retentionPolicy).toEqual({ ageSecs: 120 })
  })
})

describe('deleting streams (deletion kept pending)', () => {
  const p = useEmulator({ deletionDelayMs: 3_600_000 })
  const d = client(p)

  it('answers 202 with an empty body, lists the stream with deleted_at, and blocks everything but list and delete', async () => {
    const basin = await p.basin()
    const token = { 's2-request-token': 'orig' }
    expect((await d.create(basin, { stream: 'gone' }, token)).status).toBe(201)
    expect((await d.append(basin, 'gone', [{ body: 'x' }])).status).toBe(200)
    const before = Date.now()
    expectAccepted(await d.delete(basin, 'gone'))

    const page = expectJson(await d.list(basin), 200) as StreamListJson
    expect(page.streams).toHaveLength(1)
    const info = expectStreamInfo(page.streams[0], 'gone', true)
    expectTimestamp(info.deleted_at, before - 1, Date.now())

    const pending = 'stream deletion pending'
    expectError(await d.get(basin, 'gone'), 409, 'stream_deletion_pending', pending)
    expectError(await d.patch(basin, 'gone', { storage_class: 'standard' }), 409, 'stream_deletion_pending', pending)
    expectError(await d.create(basin, { stream: 'gone' }), 409, 'stream_deletion_pending', pending)
    expectError(await d.create(basin, { stream: 'gone' }, token), 409, 'stream_deletion_pending', pending)
    expectError(await d.ensure(basin, 'gone'), 409, 'stream_deletion_pending', pending)
    expectError(await d.tail(basin, 'gone'), 409, 'stream_deletion_pending', pending)
    expectError(await d.append(basin, 'gone', [{ body: 'y' }]), 409, 'stream_deletion_pending', pending)
    expectError(await d.read(basin, 'gone'), 409, 'stream_deletion_pending', pending)

    expectAccepted(await d.delete(basin, 'gone'))
    const again = expectJson(await d.list(basin), 200) as StreamListJson
    expect(again.streams[0]?.deleted_at).toBe(info.deleted_at)
  })

  it('deletes an encrypted stream and keeps listing it with its cipher', async () => {
    const basin = await p.basin({ stream_cipher: 'aegis-256' })
    expect((await d.create(basin, { stream: 'enc' })).status).toBe(201)
    expectAccepted(await d.delete(basin, 'enc'))
    const page = expectJson(await d.list(basin), 200) as StreamListJson
    expect(expectStreamInfo(page.streams[0], 'enc', true).cipher).toBe('aegis-256')
  })

  it('answers 404 stream_not_found for a missing stream, even when the basin is missing', async () => {
    const basin = await p.basin()
    expectError(await d.delete(basin, 'nope'), 404, 'stream_not_found', notFound(basin, 'nope'))
    const missing = basinName()
    expectError(await d.delete(missing, 'nope'), 404, 'stream_not_found', notFound(missing, 'nope'))
  })

  it('in a basin being deleted: lists tombstones, accepts deletes, and blocks create, ensure and reconfigure with basin_deletion_pending', async () => {
    const basin = await p.basin()
    await inParallel(2, async (i) => {
      expect((await d.create(basin, { stream: `s${i}` })).status).toBe(201)
    })
    expectAccepted(await p.raw('DELETE', `/v1/basins/${basin}`))
    const page = expectJson(await d.list(basin), 200) as StreamListJson
    expect(page.streams.map((s) => s.name)).toEqual(['s0', 's1'])
    for (const s of page.streams) expectStreamInfo(s, s.name, true)

    const pending = `basin \`${basin}\` is being deleted`
    expectError(await d.create(basin, { stream: 'new' }), 409, 'basin_deletion_pending', pending)
    expectError(await d.ensure(basin, 'new'), 409, 'basin_deletion_pending', pending)
    expectError(await d.ensure(basin, 's0'), 409, 'basin_deletion_pending', pending)
    expectError(await d.patch(basin, 's0', {}), 409, 'basin_deletion_pending', pending)
    expectAccepted(await d.delete(basin, 's1'))
  })

  it('deletes through the SDK, which then sees deletedAt and the 409s', async () => {
    const basin = await p.basin()
    const streams = p.s2.basin(basin).streams
    await streams.create({ stream: 'a' })
    await streams.create({ stream: 'b' })
    await expect(streams.delete({ stream: 'a' })).resolves.toBeUndefined()
    await expect(streams.delete({ stream: 'a' })).resolves.toBeUndefined()
    const page = await streams.list()
    expect(page.streams.map((s) => [s.name, s.deletedAt instanceof Date])).toEqual([
      ['a', true],
      ['b', false],
    ])
    const live: string[] = []
    for await (const s of streams.listAll()) live.push(s.name)
    expect(live).toEqual(['b'])
    const all: string[] = []
    for await (const s of streams.listAll({ includeDeleted: true })) all.push(s.name)
    expect(all).toEqual(['a', 'b'])
    await expect(streams.getConfig({ stream: 'a' })).rejects.toMatchObject({ status: 409, code: 'stream_deletion_pending' })
    await expect(streams.reconfigure({ stream: 'a', storageClass: 'standard' })).rejects.toMatchObject({
      status: 409,
      code: 'stream_deletion_pending',
    })
    await expect(streams.delete({ stream: 'missing' })).rejects.toMatchObject({ status: 404, code: 'stream_not_found' })
  })
})

describe('deleting streams (quick purge)', () => {
  const q = useEmulator({ deletionDelayMs: 20 })
  const d = client(q)

  it('purges a deleted stream, frees its name and lets it be created afresh', async () => {
    const basin = await q.basin()
    const token = { 's2-request-token': 'same-token' }
    expect((await d.create(basin, { stream: 'again', config: { storage_class: 'standard' } }, token)).status).toBe(201)
    expect((await d.append(basin, 'again', [{ body: 'old' }])).status).toBe(200)
    expectAccepted(await d.delete(basin, 'again'))
    await eventually(async () => (await d.get(basin, 'again')).status === 404, 'stream purged')
    expectError(await d.get(basin, 'again'), 404, 'stream_not_found', notFound(basin, 'again'))
    expect(expectJson(await d.list(basin), 200)).toEqual({ streams: [], has_more: false })

    // The old idempotency key went with it: the same token and config create anew.
    const res = await d.create(basin, { stream: 'again', config: { storage_class: 'standard' } }, token)
    expectStreamInfo(expectJson(res, 201), 'again')
    expect(header(res, 's2-provision-result')).toBe('created')
    const tail = expectJson(await d.tail(basin, 'again'), 200) as { tail: { seq_num: number } }
    expect(tail.tail.seq_num).toBe(0)
  })

  it('frees the name for a PUT ensure too, which then creates with 201', async () => {
    const basin = await q.basin()
    expect((await d.create(basin, { stream: 'e', config: { storage_class: 'standard' } })).status).toBe(201)
    expectAccepted(await d.delete(basin, 'e'))
    await eventually(async () => (await d.list(basin)).text === '{"streams":[],"has_more":false}', 'stream purged')
    expect(provision(await d.ensure(basin, 'e'))).toEqual([201, 'created'])
    expect((await d.get(basin, 'e')).text).toBe(DEFAULT_STREAM_CONFIG_TEXT)
  })
})

describe('stream timestamps', () => {
  let nowMs = Date.UTC(2026, 0, 2, 3, 4, 5, 600)
  const clock: Clock = { now: () => nowMs, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) }
  const v = useEmulator({ clock, deletionDelayMs: 3_600_000 })
  const d = client(v)

  it('prints created_at and deleted_at as RFC 3339 UTC, with fractional seconds only when non-zero', async () => {
    const basin = await v.basin()
    const res = await d.create(basin, { stream: 'ts' })
    expect(expectStreamInfo(expectJson(res, 201), 'ts').created_at).toBe('2026-01-02T03:04:05.6Z')
    nowMs = Date.UTC(2026, 0, 2, 3, 4, 6, 0)
    expectAccepted(await d.delete(basin, 'ts'))
    const page = expectJson(await d.list(basin), 200) as StreamListJson
    expect(page.streams[0]).toMatchObject({ created_at: '2026-01-02T03:04:05.6Z', deleted_at: '2026-01-02T03:04:06Z' })
    const sdk = await v.s2.basin(basin).streams.list()
    expect(sdk.streams[0]?.deletedAt?.toISOString()).toBe('2026-01-02T03:04:06.000Z')
  })
})
