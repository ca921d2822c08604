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
  tag,
} from '../support/control-plane.ts'
import { startS2Emulator, type Clock } from '../../src/index.ts'
import { systemClock } from '../../src/server/clock/clock.ts'
import { basinName, raw, useEmulator } from '../support/emulator.ts'

/**
 * Control plane, basins: s2-lite §2.1, §3.1, §3.4, §4.2, §4.4, §4.5, §8.5, §9.2 and checklist §11.1.
 */

interface BasinInfoJson {
  name: string
  location: string | null
  created_at: string
  deleted_at: string | null
  state: 'active' | 'deleting'
}
interface BasinListJson {
  basins: BasinInfoJson[]
  has_more: boolean
}

const DEFAULT_BASIN_CONFIG_TEXT =
  '{"default_stream_config":null,"stream_cipher":null,"create_stream_on_append":false,"create_stream_on_read":false}'
const DEFAULT_BASIN_CONFIG = JSON.parse(DEFAULT_BASIN_CONFIG_TEXT) as unknown

const basinPath = (name: string): string => `/v1/basins/${encodeURIComponent(name)}`

/** Asserts the exact key set and types of a `BasinInfo`. */
function expectBasinInfo(value: unknown, name: string, state: 'active' | 'deleting' = 'active'): BasinInfoJson {
  const info = value as BasinInfoJson
  expect(Object.keys(info).sort()).toEqual(['created_at', 'deleted_at', 'location', 'name', 'state'])
  expect(info.name).toBe(name)
  expect(info.location).toBeNull()
  expect(info.state).toBe(state)
  expectTimestamp(info.created_at)
  if (state === 'active') expect(info.deleted_at).toBeNull()
  else expectTimestamp(info.deleted_at)
  return info
}

const t = useEmulator()

async function list(query: string): Promise<BasinListJson> {
  const res = await t.raw('GET', `/v1/basins${query}`)
  return expectJson(res, 200) as BasinListJson
}

async function createAll(names: readonly string[]): Promise<void> {
  await inParallel(names.length, async (i) => {
    const res = await t.raw('POST', '/v1/basins', { body: { basin: names[i] } })
    expect(res.status).toBe(201)
  })
}

async function getConfig(name: string): Promise<unknown> {
  return expectJson(await t.raw('GET', basinPath(name)), 200)
}

describe('listing basins', () => {
  it('returns an empty page for an account with no basins', async () => {
    const emulator = await startS2Emulator({ port: 0 })
    try {
      const res = await raw(emulator.url, 'GET', '/v1/basins')
      expectJson(res, 200)
      expect(res.text).toBe('{"basins":[],"has_more":false}')
    } finally {
      await emulator.stop()
    }
  })

  it('lists basins in name order with has_more false, each as a full BasinInfo', async () => {
    const p = `l${tag()}`
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((s) => `${p}-${s}`)
    const before = Date.now()
    await createAll(shuffled(names))
    const page = await list(`?prefix=${p}-`)
    expect(page.basins.map((b) => b.name)).toEqual(names)
    expect(page.has_more).toBe(false)
    for (const [i, info] of page.basins.entries()) {
      expectBasinInfo(info, names[i] as string)
      expectTimestamp(info.created_at, before - 1, Date.now())
    }
  })

  it('pages with start_after and limit, and an exactly full last page has has_more false', async () => {
    const p = `g${tag()}`
    const names = Array.from({ length: 15 }, (_, i) => `${p}-${String(i).padStart(2, '0')}`)
    await createAll(shuffled(names))
    const seen: string[] = []
    const hasMore: boolean[] = []
    let startAfter = ''
    for (let i = 0; i < 3; i++) {
      const page = await list(`?prefix=${p}-&limit=5${startAfter ? `&start_after=${startAfter}` : ''}`)
      expect(page.basins).toHaveLength(5)
      seen.push(...page.basins.map((b) => b.name))
      hasMore.push(page.has_more)
      startAfter = page.basins.at(-1)?.name ?? ''
    }
    expect(seen).toEqual(names)
    expect(hasMore).toEqual([true, true, false])
    expect(await list(`?prefix=${p}-&limit=5&start_after=${startAfter}`)).toEqual({ basins: [], has_more: false })
  })

  it('filters by prefix', async () => {
    const p = `f${tag()}`
    await createAll([`${p}-prod-api`, `${p}-prod-db`, `${p}-staging-api`, `${p}-dev-api`])
    const page = await list(`?prefix=${p}-prod-`)
    expect(page).toEqual({ basins: [expect.anything(), expect.anything()], has_more: false })
    expect(page.basins.map((b) => b.name)).toEqual([`${p}-prod-api`, `${p}-prod-db`])
  })

  it('combines a prefix with pagination', async () => {
    const p = `c${tag()}`
    const prefixed = Array.from({ length: 10 }, (_, i) => `${p}-pre-${String(i).padStart(2, '0')}`)
    await createAll([...prefixed, `${p}-other`, `${p}-pre`])
    const pages = await pageThrough(3, 'basins', (startAfter) =>
      list(`?prefix=${p}-pre-&limit=4${startAfter ? `&start_after=${startAfter}` : ''}`),
    )
    expect(pages).toEqual([
      [prefixed.slice(0, 4), true],
      [prefixed.slice(4, 8), true],
      [prefixed.slice(8), false],
    ])
  })

  it('treats start_after as exclusive and allows it to sort before the prefix', async () => {
    const p = `s${tag()}`
    const a = [`${p}-a-1`, `${p}-a-2`]
    const b = [`${p}-b-1`, `${p}-b-2`, `${p}-b-3`]
    await createAll([...a, ...b])
    const names = async (q: string) => (await list(q)).basins.map((x) => x.name)
    expect(await names(`?prefix=${p}-&start_after=${p}-b-1`)).toEqual([`${p}-b-2`, `${p}-b-3`])
    // start_after below the prefix: the effective start is the prefix.
    expect(await names(`?prefix=${p}-b-&start_after=${p}-a-1`)).toEqual(b)
    expect(await names(`?prefix=${p}-b-&start_after=${p}-a`)).toEqual(b)
    // start_after after every prefixed name: empty.
    expect(await list(`?prefix=${p}-a-&start_after=${p}-b`)).toEqual({ basins: [], has_more: false })
    // A partial name as start_after (not itself a basin) still works.
    expect(await names(`?prefix=${p}-&start_after=${p}-a-2`)).toEqual(b)
  })

  it('rejects a negative or non-integer limit with 400 bad_query', async () => {
    for (const limit of ['-1', '1.5', 'abc', '1e3']) {
      expectError(await t.raw('GET', `/v1/basins?limit=${limit}`), 400, 'bad_query')
    }
  })

  it('validates prefix and start_after like basin names, minus the length minimum and last-character rule', async () => {
    for (const query of ['prefix=Upper', 'prefix=-lead', 'prefix=under_score', `prefix=${'a'.repeat(49)}`, 'start_after=-x', 'start_after=A']) {
      expectError(await t.raw('GET', `/v1/basins?${query}`), 400, 'bad_query')
    }
    for (const query of ['prefix=', 'prefix=a', 'prefix=ab-', 'start_after=x-', `prefix=${'a'.repeat(48)}`]) {
      expect((await t.raw('GET', `/v1/basins?${query}`)).status).toBe(200)
    }
  })

  it('is readable through the SDK, with dates parsed', async () => {
    const p = `k${tag()}`
    const names = [`${p}-one`, `${p}-three`, `${p}-two`]
    await createAll(names)
    const page = await t.s2.basins.list({ prefix: `${p}-`, limit: 2 })
    expect(page.hasMore).toBe(true)
    expect(page.basins.map((b) => b.name)).toEqual(names.slice(0, 2))
    expect(page.basins[0]?.createdAt).toBeInstanceOf(Date)
    expect(Number.isNaN(page.basins[0]?.createdAt.getTime())).toBe(false)
    const all: string[] = []
    for await (const info of t.s2.basins.listAll({ prefix: `${p}-`, limit: 1 })) all.push(info.name)
    expect(all).toEqual(names)
  })
})

describe('listing basins at the 1000 limit', () => {
  const big = useEmulator()
  const names = Array.from({ length: 1001 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`)

  it('caps pages at 1000: limit 0, above 1000 and absent all mean 1000', async () => {
    await inParallel(names.length, async (i) => {
      const res = await big.raw('POST', '/v1/basins', { body: { basin: names[i] } })
      expect(res.status).toBe(201)
    })
    for (const query of ['', '?limit=0', '?limit=1000', '?limit=1001', '?limit=99999999']) {
      const page = expectJson(await big.raw('GET', `/v1/basins${query}`), 200) as BasinListJson
      expect(page.basins.map((b) => b.name), query).toEqual(names.slice(0, 1000))
      expect(page.has_more, query).toBe(true)
    }
    const last = expectJson(await big.raw('GET', '/v1/basins?limit=0&start_after=bulk-0999'), 200) as BasinListJson
    expect(last).toMatchObject({ basins: [{ name: 'bulk-1000' }], has_more: false })
    // Exactly 1000 left after the cursor: a full page, and nothing more.
    const full = expectJson(await big.raw('GET', '/v1/basins?limit=5000&start_after=bulk-0000'), 200) as BasinListJson
    expect(full.basins).toHaveLength(1000)
    expect(full.has_more).toBe(false)
  })
})

describe('creating basins (POST)', () => {
  it('answers 201 with BasinInfo, s2-provision-result created and an RFC 3339 UTC created_at', async () => {
    const name = basinName()
    const before = Date.now()
    const res = await t.raw('POST', '/v1/basins', { body: { basin: name } })
    const info = expectBasinInfo(expectJson(res, 201), name)
    expect(header(res, 's2-provision-result')).toBe('created')
    expectTimestamp(info.created_at, before - 1, Date.now())
    expect(await getConfig(name)).toEqual(DEFAULT_BASIN_CONFIG)
  })

  it('replays a create with the same request token and config as 201 noop, and rejects every other repeat with 409', async () => {
    const name = basinName()
    const config = { create_stream_on_append: true, default_stream_config: { storage_class: 'standard' } }
    const token = { 's2-request-token': 'token-1' }
    const first = await t.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } })
    expect(header(first, 's2-provision-result')).toBe('created')
    const created = expectBasinInfo(expectJson(first, 201), name)

    const replay = await t.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } })
    expect(expectJson(replay, 201)).toEqual(created)
    expect(header(replay, 's2-provision-result')).toBe('noop')

    const exists = `basin \`${name}\` already exists`
    const otherToken = await t.raw('POST', '/v1/basins', { headers: { 's2-request-token': 'token-2' }, body: { basin: name, config } })
    expectError(otherToken, 409, 'resource_already_exists', exists)
    const otherConfig = await t.raw('POST', '/v1/basins', {
      headers: token,
      body: { basin: name, config: { ...config, create_stream_on_read: true } },
    })
    expectError(otherConfig, 409, 'resource_already_exists', exists)
    expectError(await t.raw('POST', '/v1/basins', { body: { basin: name, config } }), 409, 'resource_already_exists', exists)
    // None of the rejected repeats changed anything.
    expect(await getConfig(name)).toMatchObject({ create_stream_on_append: true, create_stream_on_read: false })
  })

  it('rejects a create with a token for a basin that was created without one', async () => {
    const name = await t.basin()
    const res = await t.raw('POST', '/v1/basins', { headers: { 's2-request-token': 'late' }, body: { basin: name } })
    expectError(res, 409, 'resource_already_exists', `basin \`${name}\` already exists`)
  })

  it('keeps the idempotency key across a later PUT ensure', async () => {
    const name = basinName()
    const token = { 's2-request-token': 'keep-me' }
    const config = { create_stream_on_read: true }
    expect((await t.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } })).status).toBe(201)
    expect(header(await t.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } }), 's2-provision-result')).toBe('noop')
    const put = await t.raw('PUT', basinPath(name), { body: { config: { create_stream_on_append: true } } })
    expect([put.status, header(put, 's2-provision-result')]).toEqual([200, 'updated'])
    const replay = await t.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } })
    expectBasinInfo(expectJson(replay, 201), name)
    expect(header(replay, 's2-provision-result')).toBe('noop')
    // The replay reports success but leaves the ensured config in place.
    expect(await getConfig(name)).toMatchObject({ create_stream_on_append: true, create_stream_on_read: false })
  })

  it('accepts a 36-byte request token and rejects a 37-byte one with 400 bad_header', async () => {
    const ok = await t.raw('POST', '/v1/basins', { headers: { 's2-request-token': 'x'.repeat(36) }, body: { basin: basinName() } })
    expect(ok.status).toBe(201)
    const name = basinName()
    const res = await t.raw('POST', '/v1/basins', { headers: { 's2-request-token': 'x'.repeat(37) }, body: { basin: name } })
    expectError(res, 400, 'bad_header', /request token was longer than 36 bytes in length: 37/)
    expectError(await t.raw('GET', basinPath(name)), 404, 'basin_not_found')
  })

  it('rejects invalid basin names in the body with 400 bad_json', async () => {
    const cases: [string, string][] = [
      ['short', 'basin name should be at least 8 bytes in length'],
      ['a'.repeat(49), 'basin name must not exceed 48 bytes in length'],
      ['-leading-hyphen', 'basin name must begin with a lowercase letter or number'],
      ['trailing-hyphen-', 'basin name must end with a lowercase letter or number'],
      ['Upper-case-name', 'basin name must begin with a lowercase letter or number'],
      ['under_score_name', 'basin name must comprise lowercase letters, numbers, and hyphens'],
    ]
    for (const [name, problem] of cases) {
      const res = await t.raw('POST', '/v1/basins', { body: { basin: name } })
      expectError(res, 400, 'bad_json', new RegExp(problem))
    }
  })

  it('requires a JSON Content-Type and a well-formed body', async () => {
    const name = basinName()
    const body = JSON.stringify({ basin: name })
    expectError(await t.raw('POST', '/v1/basins', { body }), 400, 'bad_json', EXPECTED_JSON)
    expectError(await t.raw('POST', '/v1/basins', { headers: { 'content-type': 'text/plain' }, body }), 400, 'bad_json', EXPECTED_JSON)
    expectError(await t.raw('POST', '/v1/basins', { headers: { 'content-type': 'application/json' }, body: '{' }), 400, 'bad_json')
    expectError(await t.raw('POST', '/v1/basins', { body: {} }), 400, 'bad_json')
    expectError(await t.raw('POST', '/v1/basins', { body: { basin: name, config: { create_stream_on_append: null } } }), 400, 'bad_json')
    expectError(await t.raw('GET', basinPath(name)), 404, 'basin_not_found')
  })

  it('rejects a zero retention age in the default stream config with 422 invalid', async () => {
    const res = await t.raw('POST', '/v1/basins', {
      body: { basin: basinName(), config: { default_stream_config: { retention_policy: { age: 0 } } } },
    })
    expectError(res, 422, 'invalid', 'age must be greater than 0 seconds')
  })

  it('validates location and then ignores it (location is null in BasinInfo)', async () => {
    const name = basinName()
    const res = await t.raw('POST', '/v1/basins', { body: { basin: name, location: 'aws:us-east-1' } })
    expectBasinInfo(expectJson(res, 201), name)
    expectError(await t.raw('POST', '/v1/basins', { body: { basin: basinName(), location: 'bad location!' } }), 400, 'bad_json')
  })

  it('creates through the SDK, which sends a request token and parses BasinInfo', async () => {
    const name = basinName()
    const info = await t.s2.basins.create({
      basin: name,
      config: { createStreamOnAppend: true, defaultStreamConfig: { storageClass: 'standard', retentionPolicy: { ageSecs: 3600 } } },
    })
    expect(info.name).toBe(name)
    expect(info.createdAt).toBeInstanceOf(Date)
    expect(Math.abs(info.createdAt.getTime() - Date.now())).toBeLessThan(60_000)
    expect(info.deletedAt ?? null).toBeNull()
    const err = await t.s2.basins.create({ basin: name }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(S2Error)
    expect(err).toMatchObject({ status: 409, code: 'resource_already_exists' })
  })
})

describe('basin configuration (GET)', () => {
  it('returns the exact default config for a default basin', async () => {
    const name = await t.basin()
    const res = await t.raw('GET', basinPath(name))
    expectJson(res, 200)
    expect(res.text).toBe(DEFAULT_BASIN_CONFIG_TEXT)
  })

  it('reports unset fields of a partial default layer as null', async () => {
    const name = await t.basin({ default_stream_config: { storage_class: 'standard', timestamping: { mode: 'arrival' } } })
    expect(await getConfig(name)).toStrictEqual({
      default_stream_config: {
        storage_class: 'standard',
        retention_policy: null,
        timestamping: { mode: 'arrival', uncapped: null },
        delete_on_empty: null,
      },
      stream_cipher: null,
      create_stream_on_append: false,
      create_stream_on_read: false,
    })
  })

  it('returns every configured field', async () => {
    const config = {
      default_stream_config: {
        storage_class: 'express',
        retention_policy: { infinite: {} },
        timestamping: { mode: 'client-require', uncapped: true },
        delete_on_empty: { min_age_secs: 60 },
      },
      stream_cipher: 'aes-256-gcm',
      create_stream_on_append: true,
      create_stream_on_read: true,
    }
    expect(await getConfig(await t.basin(config))).toStrictEqual(config)
  })

  it('keeps an explicit zero delete_on_empty distinct from unset', async () => {
    const name = await t.basin({ default_stream_config: { delete_on_empty: { min_age_secs: 0 } } })
    expect(await getConfig(name)).toMatchObject({
      default_stream_config: { storage_class: null, retention_policy: null, timestamping: null, delete_on_empty: { min_age_secs: 0 } },
    })
    // `{}` inside delete_on_empty is also an explicit 0.
    const other = await t.basin({ default_stream_config: { delete_on_empty: {} } })
    expect(await getConfig(other)).toMatchObject({ default_stream_config: { delete_on_empty: { min_age_secs: 0 } } })
  })

  it('answers 404 basin_not_found for a missing basin and 400 bad_path for an invalid name', async () => {
    const name = basinName()
    expectError(await t.raw('GET', basinPath(name)), 404, 'basin_not_found', `basin \`${name}\` not found`)
    expectError(await t.raw('GET', basinPath('Not-Valid')), 400, 'bad_path')
    expectError(await t.raw('GET', basinPath('short')), 400, 'bad_path')
  })

  it('is parsed by the SDK', async () => {
    const name = await t.basin({
      default_stream_config: { storage_class: 'standard', retention_policy: { age: 3600 } },
      create_stream_on_read: true,
    })
    const config = await t.s2.basins.getConfig({ basin: name })
    expect(config).toMatchObject({
      defaultStreamConfig: { storageClass: 'standard', retentionPolicy: { ageSecs: 3600 }, timestamping: null, deleteOnEmpty: null },
      streamCipher: null,
      createStreamOnAppend: false,
      createStreamOnRead: true,
    })
    const err = await t.s2.basins.getConfig({ basin: basinName() }).catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 404, code: 'basin_not_found' })
  })
})

describe('ensuring basins (PUT)', () => {
  it('creates a missing basin with 201 created and returns BasinInfo', async () => {
    const name = basinName()
    const res = await t.raw('PUT', basinPath(name), { body: { config: { create_stream_on_append: true } } })
    expectBasinInfo(expectJson(res, 201), name)
    expect(header(res, 's2-provision-result')).toBe('created')
    expect(await getConfig(name)).toMatchObject({ create_stream_on_append: true })
  })

  it('answers 200 noop for the same config and 200 updated for a different one', async () => {
    const name = basinName()
    const config = { default_stream_config: { storage_class: 'standard' }, create_stream_on_read: true }
    expect((await t.raw('PUT', basinPath(name), { body: { config } })).status).toBe(201)
    const same = await t.raw('PUT', basinPath(name), { body: { config } })
    expectBasinInfo(expectJson(same, 200), name)
    expect(header(same, 's2-provision-result')).toBe('noop')
    const changed = await t.raw('PUT', basinPath(name), { body: { config: { ...config, stream_cipher: 'aegis-256' } } })
    expectBasinInfo(expectJson(changed, 200), name)
    expect(header(changed, 's2-provision-result')).toBe('updated')
    expect(await getConfig(name)).toMatchObject({ stream_cipher: 'aegis-256', create_stream_on_read: true })
  })

  it('replaces the config of an existing basin, after which a POST without a token is 409', async () => {
    const name = await t.basin()
    const config = { create_stream_on_append: true, create_stream_on_read: true, default_stream_config: { storage_class: 'standard' } }
    const res = await t.raw('PUT', basinPath(name), { body: { config } })
    expect([res.status, header(res, 's2-provision-result')]).toEqual([200, 'updated'])
    expect(await getConfig(name)).toStrictEqual({
      default_stream_config: { storage_class: 'standard', retention_policy: null, timestamping: null, delete_on_empty: null },
      stream_cipher: null,
      create_stream_on_append: true,
      create_stream_on_read: true,
    })
    expectError(await t.raw('POST', '/v1/basins', { body: { basin: name } }), 409, 'resource_already_exists')
  })

  it('is a full replace: fields omitted from the PUT revert to defaults', async () => {
    const name = await t.basin({
      create_stream_on_append: true,
      default_stream_config: { storage_class: 'standard', retention_policy: { infinite: {} } },
    })
    const res = await t.raw('PUT', basinPath(name), { body: { config: { create_stream_on_read: true } } })
    expect(header(res, 's2-provision-result')).toBe('updated')
    expect(await getConfig(name)).toStrictEqual({
      default_stream_config: null,
      stream_cipher: null,
      create_stream_on_append: false,
      create_stream_on_read: true,
    })
  })

  it('resets an existing basin to defaults when the PUT has no body, and then noops', async () => {
    const name = await t.basin({ stream_cipher: 'aegis-256', create_stream_on_append: true, default_stream_config: { storage_class: 'standard' } })
    const reset = await t.raw('PUT', basinPath(name))
    expectBasinInfo(expectJson(reset, 200), name)
    expect(header(reset, 's2-provision-result')).toBe('updated')
    expect((await t.raw('GET', basinPath(name))).text).toBe(DEFAULT_BASIN_CONFIG_TEXT)
    const again = await t.raw('PUT', basinPath(name), { headers: { 'content-type': 'application/json' }, body: '' })
    expect([again.status, header(again, 's2-provision-result')]).toEqual([200, 'noop'])
  })

  it('ignores a body sent without Content-Type, and rejects a non-JSON Content-Type', async () => {
    const name = basinName()
    const body = JSON.stringify({ config: { create_stream_on_append: true } })
    const res = await t.raw('PUT', basinPath(name), { body })
    expect([res.status, header(res, 's2-provision-result')]).toEqual([201, 'created'])
    expect(await getConfig(name)).toEqual(DEFAULT_BASIN_CONFIG)
    expectError(await t.raw('PUT', basinPath(name), { headers: { 'content-type': 'text/plain' }, body }), 400, 'bad_json', EXPECTED_JSON)
  })

  it('noops with an explicit zero delete_on_empty and updates when it is dropped', async () => {
    const config = { default_stream_config: { delete_on_empty: { min_age_secs: 0 } } }
    const name = await t.basin(config)
    const same = await t.raw('PUT', basinPath(name), { body: { config } })
    expect([same.status, header(same, 's2-provision-result')]).toEqual([200, 'noop'])
    const dropped = await t.raw('PUT', basinPath(name), { body: { config: {} } })
    expect([dropped.status, header(dropped, 's2-provision-result')]).toEqual([200, 'updated'])
    expect(await getConfig(name)).toMatchObject({ default_stream_config: null })
  })

  it('answers 400 bad_path for an invalid basin name', async () => {
    expectError(await t.raw('PUT', basinPath('-bad-name'), { body: {} }), 400, 'bad_path')
  })

  it('reports created, updated and noop to the SDK through s2-provision-result', async () => {
    const name = basinName()
    const created = await t.s2.basins.ensure({ basin: name, config: { createStreamOnRead: true } })
    expect(created.result).toBe('created')
    expect(created.basin.name).toBe(name)
    expect(created.basin.createdAt).toBeInstanceOf(Date)
    const noop = await t.s2.basins.ensure({ basin: name, config: { createStreamOnRead: true } })
    expect(noop.result).toBe('noop')
    const updated = await t.s2.basins.ensure({ basin: name })
    expect(updated.result).toBe('updated')
    expect((await t.s2.basins.getConfig({ basin: name })).createStreamOnRead).toBe(false)
  })
})

describe('reconfiguring basins (PATCH)', () => {
  it('updates nested defaults and both auto-create flags, as reflected in GET', async () => {
    const name = await t.basin()
    const res = await t.raw('PATCH', basinPath(name), {
      body: {
        default_stream_config: { storage_class: 'express', retention_policy: { infinite: {} }, timestamping: { mode: 'arrival' } },
        create_stream_on_append: true,
        create_stream_on_read: true,
      },
    })
    const expected = {
      default_stream_config: {
        storage_class: 'express',
        retention_policy: { infinite: {} },
        timestamping: { mode: 'arrival', uncapped: null },
        delete_on_empty: null,
      },
      stream_cipher: null,
      create_stream_on_append: true,
      create_stream_on_read: true,
    }
    expect(expectJson(res, 200)).toStrictEqual(expected)
    expect(await getConfig(name)).toStrictEqual(expected)
  })

  it('keeps absent fields, clears fields set to null and sets given values', async () => {
    const name = await t.basin({
      default_stream_config: { storage_class: 'standard', retention_policy: { age: 3600 }, timestamping: { mode: 'arrival', uncapped: true } },
      stream_cipher: 'aegis-256',
      create_stream_on_append: true,
    })
    const patch = async (body: unknown): Promise<unknown> => expectJson(await t.raw('PATCH', basinPath(name), { body }), 200)
    const initial = await getConfig(name)
    expect(await patch({})).toStrictEqual(initial)
    expect(await patch({ default_stream_config: {} })).toStrictEqual(initial)

    expect(await patch({ default_stream_config: { storage_class: null, timestamping: { uncapped: null } } })).toStrictEqual({
      default_stream_config: {
        storage_class: null,
        retention_policy: { age: 3600 },
        timestamping: { mode: 'arrival', uncapped: null },
        delete_on_empty: null,
      },
      stream_cipher: 'aegis-256',
      create_stream_on_append: true,
      create_stream_on_read: false,
    })
    expect(await patch({ default_stream_config: { timestamping: null, delete_on_empty: { min_age_secs: 30 } } })).toMatchObject({
      default_stream_config: { storage_class: null, retention_policy: { age: 3600 }, timestamping: null, delete_on_empty: { min_age_secs: 30 } },
    })
    expect(await patch({ stream_cipher: null, create_stream_on_append: false })).toMatchObject({
      stream_cipher: null,
      create_stream_on_append: false,
      default_stream_config: { retention_policy: { age: 3600 } },
    })
    expect(await patch({ stream_cipher: 'aes-256-gcm' })).toMatchObject({ stream_cipher: 'aes-256-gcm' })
    expect(await patch({ default_stream_config: null })).toStrictEqual({
      default_stream_config: null,
      stream_cipher: 'aes-256-gcm',
      create_stream_on_append: false,
      create_stream_on_read: false,
    })
  })

  it('clears the layer to null once every field in it is unset', async () => {
    const name = await t.basin({ default_stream_config: { storage_class: 'standard' } })
    const res = await t.raw('PATCH', basinPath(name), { body: { default_stream_config: { storage_class: null } } })
    expect(expectJson(res, 200)).toMatchObject({ default_stream_config: null })
  })

  it('rejects null auto-create flags with 400 bad_json and a zero retention age with 422 invalid', async () => {
    const name = await t.basin()
    expectError(await t.raw('PATCH', basinPath(name), { body: { create_stream_on_read: null } }), 400, 'bad_json')
    expectError(await t.raw('PATCH', basinPath(name), { body: { create_stream_on_append: null } }), 400, 'bad_json')
    expectError(
      await t.raw('PATCH', basinPath(name), { body: { default_stream_config: { retention_policy: { age: 0 } } } }),
      422,
      'invalid',
      'age must be greater than 0 seconds',
    )
    expect((await t.raw('GET', basinPath(name))).text).toBe(DEFAULT_BASIN_CONFIG_TEXT)
  })

  it('requires a JSON Content-Type', async () => {
    const name = await t.basin()
    expectError(await t.raw('PATCH', basinPath(name), { body: '{}' }), 400, 'bad_json', EXPECTED_JSON)
  })

  it('answers 404 basin_not_found for a missing basin', async () => {
    const name = basinName()
    expectError(await t.raw('PATCH', basinPath(name), { body: {} }), 404, 'basin_not_found', `basin \`${name}\` not found`)
  })

  it('reconfigures through the SDK', async () => {
    const name = await t.basin({ default_stream_config: { storage_class: 'standard' } })
    const config = await t.s2.basins.reconfigure({
      basin: name,
      createStreamOnRead: true,
      defaultStreamConfig: { retentionPolicy: { ageSecs: 7200 } },
    })
    expect(config).toMatchObject({
      createStreamOnRead: true,
      createStreamOnAppend: false,
      defaultStreamConfig: { storageClass: 'standard', retentionPolicy: { ageSecs: 7200 } },
    })
    expect(await getConfig(name)).toMatchObject({
      create_stream_on_read: true,
      default_stream_config: { storage_class: 'standard', retention_policy: { age: 7200 } },
    })
  })
})

describe('deleting basins (deletion kept pending)', () => {
  const p = useEmulator({ deletionDelayMs: 3_600_000 })

  it('answers 202 with an empty body, lists the basin as deleting, and blocks create, ensure and reconfigure with 409', async () => {
    const name = basinName()
    const token = { 's2-request-token': 'orig' }
    const config = { create_stream_on_read: true }
    const created = expectBasinInfo(expectJson(await p.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } }), 201), name)
    const before = Date.now()
    expectAccepted(await p.raw('DELETE', basinPath(name)))

    const page = expectJson(await p.raw('GET', `/v1/basins?prefix=${name}`), 200) as BasinListJson
    expect(page.basins).toHaveLength(1)
    const listed = expectBasinInfo(page.basins[0], name, 'deleting')
    expect(listed.created_at).toBe(created.created_at)
    expectTimestamp(listed.deleted_at, before - 1, Date.now())

    // GET config still works while the basin is being deleted.
    expect(expectJson(await p.raw('GET', basinPath(name)), 200)).toMatchObject(config)

    const pending = `basin \`${name}\` is being deleted`
    expectError(await p.raw('PATCH', basinPath(name), { body: { create_stream_on_append: true } }), 409, 'basin_deletion_pending', pending)
    expectError(await p.raw('POST', '/v1/basins', { body: { basin: name } }), 409, 'basin_deletion_pending', pending)
    expectError(await p.raw('POST', '/v1/basins', { headers: token, body: { basin: name, config } }), 409, 'basin_deletion_pending', pending)
    expectError(await p.raw('PUT', basinPath(name), { body: { config } }), 409, 'basin_deletion_pending', pending)
    expectError(await p.raw('PUT', basinPath(name)), 409, 'basin_deletion_pending', pending)

    // Deleting again is idempotent.
    expectAccepted(await p.raw('DELETE', basinPath(name)))
    const again = expectJson(await p.raw('GET', `/v1/basins?prefix=${name}`), 200) as BasinListJson
    expect(again.basins[0]?.deleted_at).toBe(listed.deleted_at)
  })

  it('answers 404 basin_not_found when deleting a missing basin, and 400 bad_path for an invalid name', async () => {
    const name = basinName()
    expectError(await p.raw('DELETE', basinPath(name)), 404, 'basin_not_found', `basin \`${name}\` not found`)
    expectError(await p.raw('DELETE', basinPath('UPPER-CASE')), 400, 'bad_path')
  })

  it('deletes through the SDK, which then sees deletedAt and the 409s', async () => {
    const name = basinName()
    await p.s2.basins.create({ basin: name })
    await expect(p.s2.basins.delete({ basin: name })).resolves.toBeUndefined()
    await expect(p.s2.basins.delete({ basin: name })).resolves.toBeUndefined()
    const page = await p.s2.basins.list({ prefix: name })
    expect(page.basins).toHaveLength(1)
    expect(page.basins[0]?.deletedAt).toBeInstanceOf(Date)
    const live: string[] = []
    for await (const b of p.s2.basins.listAll({ prefix: name })) live.push(b.name)
    expect(live).toEqual([])
    const all: string[] = []
    for await (const b of p.s2.basins.listAll({ prefix: name, includeDeleted: true })) all.push(b.name)
    expect(all).toEqual([name])
    expect(await p.s2.basins.getConfig({ basin: name })).toMatchObject({ createStreamOnAppend: false })
    await expect(p.s2.basins.reconfigure({ basin: name, createStreamOnRead: true })).rejects.toMatchObject({
      status: 409,
      code: 'basin_deletion_pending',
    })
    await expect(p.s2.basins.ensure({ basin: name })).rejects.toMatchObject({ status: 409, code: 'basin_deletion_pending' })
    await expect(p.s2.basins.delete({ basin: basinName() })).rejects.toMatchObject({ status: 404, code: 'basin_not_found' })
  })
})

describe('deleting basins (quick purge)', () => {
  const q = useEmulator({ deletionDelayMs: 20 })

  const gone = (name: string) => async () => (await q.raw('GET', basinPath(name))).status === 404

  it('purges a deleted basin, frees its name and lets it be created afresh', async () => {
    const name = await q.basin({ create_stream_on_append: true })
    expectAccepted(await q.raw('DELETE', basinPath(name)))
    await eventually(gone(name), `basin ${name} purged`)
    expectError(await q.raw('GET', basinPath(name)), 404, 'basin_not_found', `basin \`${name}\` not found`)
    expect(expectJson(await q.raw('GET', `/v1/basins?prefix=${name}`), 200)).toEqual({ basins: [], has_more: false })
    const again = await q.raw('POST', '/v1/basins', { body: { basin: name } })
    expectBasinInfo(expectJson(again, 201), name)
    expect(header(again, 's2-provision-result')).toBe('created')
    expect((await q.raw('GET', basinPath(name))).text).toBe(DEFAULT_BASIN_CONFIG_TEXT)
  })

  it('purges a basin that had streams, and the re-created basin has none', async () => {
    const { basin } = await q.stream()
    expectAccepted(await q.raw('DELETE', basinPath(basin)))
    await eventually(gone(basin), `basin ${basin} purged`)
    expect((await q.raw('POST', '/v1/basins', { body: { basin } })).status).toBe(201)
    const streams = await q.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect(streams.text).toBe('{"streams":[],"has_more":false}')
  })
})

describe('basin timestamps', () => {
  let nowMs = Date.UTC(2026, 7, 21, 18, 43, 52, 120)
  const clock: Clock = { now: () => nowMs, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) }
  const v = useEmulator({ clock, deletionDelayMs: 3_600_000 })

  it('prints created_at and deleted_at as RFC 3339 UTC, with fractional seconds only when non-zero', async () => {
    const first = basinName()
    const res = await v.raw('POST', '/v1/basins', { body: { basin: first } })
    expect(expectBasinInfo(expectJson(res, 201), first).created_at).toBe('2026-08-21T18:43:52.12Z')
    nowMs = Date.UTC(2026, 7, 21, 18, 43, 53, 0)
    const second = basinName()
    const ensured = await v.raw('PUT', basinPath(second))
    expect(expectBasinInfo(expectJson(ensured, 201), second).created_at).toBe('2026-08-21T18:43:53Z')
    nowMs = Date.UTC(2026, 7, 21, 18, 44, 0, 5)
    expectAccepted(await v.raw('DELETE', basinPath(first)))
    const page = expectJson(await v.raw('GET', `/v1/basins?prefix=${first}`), 200) as BasinListJson
    expect(page.basins[0]).toMatchObject({ created_at: '2026-08-21T18:43:52.12Z', deleted_at: '2026-08-21T18:44:00.005Z', state: 'deleting' })
    const sdk = await v.s2.basins.list({ prefix: second })
    expect(sdk.basins[0]?.createdAt.toISOString()).toBe('2026-08-21T18:43:53.000Z')
  })
})
