import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { S2EmulatorError, startS2Emulator, type InitSpec } from '../../src/index.ts'
import { raw, sdk, startError, useStartedEmulators } from '../support/emulator.ts'
import { canBind, childEnv, holdPort, httpGet, killAll, run, spawnProcess, started as cliStarted, type Spawned } from '../support/process.ts'

/**
 * Seeding (s2-lite §10.3): an init file of basins and streams ensured at start (`--init`, the
 * `init` option, `S2LITE_INIT_FILE`, `POST /_emulator/init`), and records appended from JSON or
 * NDJSON files (`--records`, the `records` option).
 */

const dir = mkdtempSync(join(tmpdir(), 's2emu-seeding-'))
let fileCount = 0
/** Writes a file in the test's temp directory and returns its path. */
function file(name: string, content: unknown): string {
  const path = join(dir, `${++fileCount}-${name}`)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return path
}

afterEach(async () => {
  await killAll()
})
// Registered after killAll, so (hooks run as a stack) emulators are stopped before processes are killed.
const start = useStartedEmulators()
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SPEC = {
  $schema: 'https://example.test/ignored-top-level-field',
  basins: [
    {
      name: 'seed-alpha-01',
      config: {
        create_stream_on_append: true,
        default_stream_config: {
          storage_class: 'standard',
          retention_policy: '7days',
          timestamping: { mode: 'arrival', uncapped: true },
          delete_on_empty: { min_age: '1day' },
        },
      },
      streams: [
        { name: 'events' },
        { name: 'audit', config: { storage_class: 'express', retention_policy: 'infinite' } },
        { name: 'weekly', config: { retention_policy: '1w', timestamping: { mode: 'client-prefer' } } },
      ],
    },
    {
      name: 'seed-beta-02',
      streams: [
        {
          name: 'logs',
          config: { retention_policy: '2h 30m', timestamping: { mode: 'client-require' }, delete_on_empty: { min_age: '0s' } },
        },
        { name: 'archive', config: { retention_policy: 'INFINITE' } },
      ],
    },
    {
      name: 'seed-gamma-03',
      config: {
        stream_cipher: 'aegis-256',
        create_stream_on_read: true,
        default_stream_config: { retention_policy: '1w', delete_on_empty: {} },
      },
    },
  ],
}

const ALPHA_DEFAULTS = {
  storage_class: 'standard',
  retention_policy: { age: 604800 },
  timestamping: { mode: 'arrival', uncapped: true },
  delete_on_empty: { min_age_secs: 86400 },
}

/** Every basin config and every stream config, as the S2 API reports them. */
async function describeState(url: string): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {}
  const basins = (await raw(url, 'GET', '/v1/basins')).json as { basins: { name: string }[] }
  for (const { name } of basins.basins) {
    const config = (await raw(url, 'GET', `/v1/basins/${name}`)).json
    const list = (await raw(url, 'GET', '/v1/streams', { headers: { 's2-basin': name } })).json as { streams: { name: string }[] }
    const streams: Record<string, unknown> = {}
    for (const stream of list.streams) {
      streams[stream.name] = (await raw(url, 'GET', `/v1/streams/${stream.name}`, { headers: { 's2-basin': name } })).json
    }
    state[name] = { config, streams }
  }
  return state
}

const EXPECTED_STATE = {
  'seed-alpha-01': {
    config: { default_stream_config: ALPHA_DEFAULTS, stream_cipher: null, create_stream_on_append: true, create_stream_on_read: false },
    streams: {
      audit: { ...ALPHA_DEFAULTS, storage_class: 'express', retention_policy: { infinite: {} } },
      events: ALPHA_DEFAULTS,
      weekly: { ...ALPHA_DEFAULTS, timestamping: { mode: 'client-prefer', uncapped: true } },
    },
  },
  'seed-beta-02': {
    config: { default_stream_config: null, stream_cipher: null, create_stream_on_append: false, create_stream_on_read: false },
    streams: {
      archive: {
        storage_class: 'express',
        retention_policy: { infinite: {} },
        timestamping: { mode: 'client-prefer', uncapped: false },
        delete_on_empty: { min_age_secs: 0 },
      },
      logs: {
        storage_class: 'express',
        retention_policy: { age: 9000 },
        timestamping: { mode: 'client-require', uncapped: false },
        delete_on_empty: { min_age_secs: 0 },
      },
    },
  },
  'seed-gamma-03': {
    config: {
      default_stream_config: { storage_class: null, retention_policy: { age: 604800 }, timestamping: null, delete_on_empty: null },
      stream_cipher: 'aegis-256',
      create_stream_on_append: false,
      create_stream_on_read: true,
    },
    streams: {},
  },
}

describe('an init file', () => {
  it('creates exactly the basins and streams it lists, with humantime durations converted to seconds', async () => {
    const emulator = await start({ init: file('init.json', SPEC) })
    expect(await describeState(emulator.url)).toEqual(EXPECTED_STATE)
    const streams = await sdk(emulator).basin('seed-alpha-01').streams.list()
    expect(streams.streams.map((s) => s.name)).toEqual(['audit', 'events', 'weekly'])
  })

  it('is accepted as an object in the init option too', async () => {
    const emulator = await start({ init: SPEC as InitSpec })
    expect(await describeState(emulator.url)).toEqual(EXPECTED_STATE)
  })

  it('applied again changes nothing, and reports every basin and stream as noop', async () => {
    const emulator = await start({ init: file('init.json', SPEC) })
    const result = await emulator.init(SPEC as InitSpec)
    expect(result).toEqual({
      namespace: 'default',
      basins: [
        {
          name: 'seed-alpha-01',
          result: 'noop',
          streams: ['events', 'audit', 'weekly'].map((name) => ({ name, result: 'noop' })),
        },
        { name: 'seed-beta-02', result: 'noop', streams: ['logs', 'archive'].map((name) => ({ name, result: 'noop' })) },
        { name: 'seed-gamma-03', result: 'noop', streams: [] },
      ],
    })
    expect(await describeState(emulator.url)).toEqual(EXPECTED_STATE)
  })

  it('applied at runtime replaces configs (omitted fields revert to defaults) and keeps records and other resources', async () => {
    const emulator = await start({ init: file('init.json', SPEC) })
    const events = sdk(emulator).basin('seed-alpha-01').stream('events')
    await raw(emulator.url, 'POST', '/v1/streams/events/records', {
      headers: { 's2-basin': 'seed-alpha-01' },
      body: { records: [{ body: 'kept' }] },
    })
    const result = await emulator.init({
      basins: [{ name: 'seed-alpha-01', streams: [{ name: 'events', config: { storage_class: 'express' } }, { name: 'fresh' }] }],
    })
    expect(result.basins).toEqual([
      { name: 'seed-alpha-01', result: 'updated', streams: [{ name: 'events', result: 'updated' }, { name: 'fresh', result: 'created' }] },
    ])
    const basin = await raw(emulator.url, 'GET', '/v1/basins/seed-alpha-01')
    expect(basin.json).toEqual({ default_stream_config: null, stream_cipher: null, create_stream_on_append: false, create_stream_on_read: false })
    const config = await raw(emulator.url, 'GET', '/v1/streams/events', { headers: { 's2-basin': 'seed-alpha-01' } })
    expect(config.json).toEqual({
      storage_class: 'express',
      retention_policy: { age: 604800 },
      timestamping: { mode: 'client-prefer', uncapped: false },
      delete_on_empty: { min_age_secs: 0 },
    })
    const batch = await events.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(batch.records.map((r) => r.body)).toEqual(['kept'])
    const audit = await raw(emulator.url, 'GET', '/v1/streams/audit', { headers: { 's2-basin': 'seed-alpha-01' } })
    expect(audit.status).toBe(200)
    await events.close()
  })

  it('with an empty basins list, or none, starts an empty emulator', async () => {
    for (const spec of [{}, { basins: [] }]) {
      const emulator = await start({ init: file('empty.json', spec) })
      expect(((await raw(emulator.url, 'GET', '/v1/basins')).json as { basins: unknown[] }).basins).toEqual([])
    }
  })

  it('creates streams whose delete-on-empty deadline runs from the start, like any other stream', async () => {
    const emulator = await start({
      clock: 'virtual',
      init: { basins: [{ name: 'seed-doe-basin', streams: [{ name: 'short-lived', config: { delete_on_empty: { min_age: '1s' } } }, { name: 'kept' }] }] },
    })
    const names = async (): Promise<string[]> =>
      ((await raw(emulator.url, 'GET', '/v1/streams', { headers: { 's2-basin': 'seed-doe-basin' } })).json as { streams: { name: string }[] }).streams.map((s) => s.name)
    await emulator.clock.advance('900ms')
    expect(await names()).toEqual(['kept', 'short-lived'])
    await emulator.clock.advance('2s')
    expect(await names()).toEqual(['kept'])
  })

  it('can target a namespace, for isolation by token', async () => {
    const emulator = await start({ isolation: 'token', init: { namespace: 'team-a', basins: [{ name: 'team-a-basin' }] } })
    const mine = await raw(emulator.url, 'GET', '/v1/basins', { headers: { authorization: 'Bearer team-a' } })
    const theirs = await raw(emulator.url, 'GET', '/v1/basins', { headers: { authorization: 'Bearer team-b' } })
    expect((mine.json as { basins: { name: string }[] }).basins.map((b) => b.name)).toEqual(['team-a-basin'])
    expect((theirs.json as { basins: unknown[] }).basins).toEqual([])
  })
})

describe('an invalid init file aborts startup with a message naming the bad field', () => {
  const stream = (config: unknown) => ({ basins: [{ name: 'seed-bad-basin', streams: [{ name: 's', config }] }] })
  it.each([
    [
      'an unknown field in a stream config',
      stream({ retention: '7days' }),
      'basins[0].streams[0].config.retention: unknown field',
    ],
    [
      'an unknown field in a basin',
      { basins: [{ name: 'seed-bad-basin', configs: {} }] },
      'basins[0].configs: unknown field',
    ],
    [
      'an unknown field in delete_on_empty (the REST name min_age_secs)',
      { basins: [{ name: 'seed-bad-basin', config: { default_stream_config: { delete_on_empty: { min_age_secs: 60 } } } }] },
      'basins[0].config.default_stream_config.delete_on_empty.min_age_secs: unknown field',
    ],
    [
      'a duplicate basin name',
      { basins: [{ name: 'seed-twice-01' }, { name: 'seed-other-01' }, { name: 'seed-twice-01' }] },
      'basins[2].name: duplicate basin name "seed-twice-01"',
    ],
    [
      'a duplicate stream name in one basin',
      { basins: [{ name: 'seed-bad-basin', streams: [{ name: 'a' }, { name: 'a' }] }] },
      'basins[0].streams[1].name: duplicate stream name "a"',
    ],
    ['a retention age of 0', stream({ retention_policy: '0s' }), 'basins[0].streams[0].config.retention_policy: age must be greater than 0 seconds'],
    ['a retention age under a second', stream({ retention_policy: '500ms' }), 'basins[0].streams[0].config.retention_policy: age must be greater than 0 seconds'],
    ['a retention that is not a duration', stream({ retention_policy: '7dayz' }), 'basins[0].streams[0].config.retention_policy: invalid duration'],
    ['a retention in the REST shape', stream({ retention_policy: { age: 60 } }), 'basins[0].streams[0].config.retention_policy: expected a string'],
    ['a duration without a unit', stream({ delete_on_empty: { min_age: '60' } }), 'basins[0].streams[0].config.delete_on_empty.min_age: invalid duration "60"'],
    ['an invalid basin name', { basins: [{ name: 'Bad_Name' }] }, 'basins[0].name: invalid basin name "Bad_Name"'],
    ['a basin name that is too short', { basins: [{ name: 'short' }] }, 'basins[0].name: invalid basin name "short": basin name should be at least 8 bytes'],
    ['a missing basin name', { basins: [{ streams: [] }] }, 'basins[0].name: missing field'],
    ['an invalid stream name', { basins: [{ name: 'seed-bad-basin', streams: [{ name: '..' }] }] }, 'basins[0].streams[0].name: invalid stream name ".."'],
    ['an unknown storage class', stream({ storage_class: 'cold' }), 'basins[0].streams[0].config.storage_class: expected one of "standard", "express"'],
    ['an unknown cipher', { basins: [{ name: 'seed-bad-basin', config: { stream_cipher: 'rot13' } }] }, 'basins[0].config.stream_cipher: expected one of'],
    ['basins that are not an array', { basins: { name: 'seed-bad-basin' } }, 'basins: expected an array'],
  ])('%s', async (_title, spec, message) => {
    const path = file('bad-init.json', spec)
    const error = await startError({ port: 0, init: path })
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect(error).toMatchObject({ code: 'S2EMU_BAD_INIT_FILE' })
    expect((error as Error).message).toContain(`init file ${path} is invalid: `)
    expect((error as Error).message).toContain(message)
  })

  it('lists every problem, not only the first', async () => {
    const error = (await startS2Emulator({
      init: { basins: [{ name: 'Bad_Name' }, { name: 'seed-ok-basin', streams: [{ name: 'a', config: { retention_policy: '0d' } }] }] },
    }).catch((e: unknown) => e)) as S2EmulatorError
    expect(error.code).toBe('S2EMU_BAD_INIT_FILE')
    expect(error.message).toContain('init option is invalid: ')
    expect(error.message).toContain('basins[0].name: invalid basin name')
    expect(error.message).toContain('basins[1].streams[0].config.retention_policy: age must be greater than 0 seconds')
  })

  it('that is not JSON, or missing, says so and names the path', async () => {
    const notJson = file('broken.json', '{"basins": [')
    await expect(startS2Emulator({ init: notJson })).rejects.toMatchObject({
      code: 'S2EMU_BAD_INIT_FILE',
      message: expect.stringContaining(`init file ${notJson} is not valid JSON`),
    })
    const missing = join(dir, 'does-not-exist.json')
    await expect(startS2Emulator({ init: missing })).rejects.toMatchObject({
      code: 'S2EMU_BAD_INIT_FILE',
      message: expect.stringContaining(`cannot read the init file ${missing}`),
    })
  })

  it('leaves the port unbound', async () => {
    const held = await holdPort()
    await held.close()
    await expect(startS2Emulator({ port: held.port, init: { basins: [{ name: 'x' }] } })).rejects.toMatchObject({ code: 'S2EMU_BAD_INIT_FILE' })
    expect(await canBind(held.port)).toBe(true)
  })

  it('of the wrong type is a bad option', async () => {
    await expect(startS2Emulator({ init: 42 as unknown as string })).rejects.toMatchObject({
      code: 'S2EMU_BAD_OPTIONS',
      message: expect.stringContaining('init must be the path of an init file or an init spec object'),
    })
  })
})

describe('POST /_emulator/init', () => {
  it('rejects an invalid spec with 400 naming the field, and creates nothing', async () => {
    const emulator = await start({})
    const res = await raw(emulator.url, 'POST', '/_emulator/init', {
      body: { basins: [{ name: 'seed-good-basin' }, { name: 'seed-bad-basin', streams: [{ name: 's', config: { retention_policy: '0s' } }] }] },
    })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({
      code: 'bad_json',
      message: expect.stringContaining('basins[1].streams[0].config.retention_policy: age must be greater than 0 seconds'),
    })
    expect(((await raw(emulator.url, 'GET', '/v1/basins')).json as { basins: unknown[] }).basins).toEqual([])
  })

  it('names the resource when a basin in the spec is being deleted (409)', async () => {
    const emulator = await start({ deletionDelayMs: 60_000, init: { basins: [{ name: 'seed-doomed-01' }] } })
    expect((await raw(emulator.url, 'DELETE', '/v1/basins/seed-doomed-01')).status).toBe(202)
    const res = await raw(emulator.url, 'POST', '/_emulator/init', { body: { basins: [{ name: 'seed-doomed-01' }] } })
    expect(res.status).toBe(409)
    expect(res.json).toEqual({ code: 'basin_deletion_pending', message: 'basins[0]: basin `seed-doomed-01` is being deleted' })
  })

  it('is described in the admin OpenAPI document', async () => {
    const emulator = await start({})
    const doc = (await raw(emulator.url, 'GET', '/_emulator/openapi.json')).json as { paths: Record<string, Record<string, unknown>> }
    expect(doc.paths['/_emulator/init']).toHaveProperty('post')
  })
})

const RECORDS_BASIN = {
  name: 'seed-records-01',
  config: { default_stream_config: { timestamping: { uncapped: true } }, create_stream_on_append: true },
  streams: [{ name: 'events' }],
}
const START = Date.parse('2026-01-01T00:00:00Z')

/** The records of a stream as the JSON read API returns them. */
async function readAll(url: string, basin: string, stream: string, headers: Record<string, string> = {}) {
  const res = await raw(url, 'GET', `/v1/streams/${encodeURIComponent(stream)}/records?seq_num=0`, { headers: { 's2-basin': basin, ...headers } })
  return { status: res.status, records: (res.json as { records?: unknown[] } | undefined)?.records, json: res.json }
}

describe('records files', () => {
  it('append NDJSON then JSON records in file order, with their headers and S2 timestamps', async () => {
    const ndjson = file(
      'events.ndjson',
      [
        '{"basin":"seed-records-01","stream":"events","body":"first","headers":[["type","created"]],"timestamp":1000}',
        '',
        '{"basin":"seed-records-01","stream":"events","body":"c2Vjb25k","headers":[["dHlwZQ==","dXBkYXRlZA=="]],"timestamp":2000,"format":"base64"}',
        '{"basin":"seed-records-01","stream":"events","body":"third"}',
        '',
      ].join('\n'),
    )
    const json = file('more.json', [
      { basin: 'seed-records-01', stream: 'events', body: 'fourth', timestamp: 5000 },
      { basin: 'seed-records-01', stream: 'events', timestamp: START + 60_000 },
      { basin: 'seed-records-01', stream: 'auto-created', body: 'made on append' },
    ])
    const emulator = await start({ clock: 'virtual', startTime: START, init: { basins: [RECORDS_BASIN] }, records: [ndjson, json] })
    const { records } = await readAll(emulator.url, 'seed-records-01', 'events')
    expect(records).toEqual([
      { seq_num: 0, timestamp: 1000, headers: [['type', 'created']], body: 'first' },
      { seq_num: 1, timestamp: 2000, headers: [['type', 'updated']], body: 'second' },
      // No timestamp: the arrival time (client-prefer).
      { seq_num: 2, timestamp: START, body: 'third' },
      // Timestamps never decrease: 5000 is lifted to the previous record's.
      { seq_num: 3, timestamp: START, body: 'fourth' },
      // uncapped: a future timestamp is kept; no body is an empty body.
      { seq_num: 4, timestamp: START + 60_000 },
    ])
    const auto = await readAll(emulator.url, 'seed-records-01', 'auto-created')
    expect(auto.records).toEqual([{ seq_num: 0, timestamp: START, body: 'made on append' }])

    const s2 = sdk(emulator)
    const stream = s2.basin('seed-records-01').stream('events')
    const batch = await stream.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 2 } } })
    expect(batch.records.map((r) => [r.seqNum, r.body, r.headers])).toEqual([
      [0, 'first', [['type', 'created']]],
      [1, 'second', [['type', 'updated']]],
    ])
    await stream.close()
  })

  it('take a single path, and a file with another extension whose content starts with [ is read as a JSON array', async () => {
    const path = file('seed.txt', '  [{"basin":"seed-records-01","stream":"events","body":"one"}]')
    const emulator = await start({ init: { basins: [RECORDS_BASIN] }, records: path })
    expect((await readAll(emulator.url, 'seed-records-01', 'events')).records).toMatchObject([{ seq_num: 0, body: 'one' }])
  })

  it('seed an encrypted stream with the key given in the record', async () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    const path = file('secret.ndjson', `{"basin":"seed-secret-01","stream":"vault","body":"s3cret","encryption_key":"${key}"}\n`)
    const emulator = await start({
      init: { basins: [{ name: 'seed-secret-01', config: { stream_cipher: 'aegis-256' }, streams: [{ name: 'vault' }] }] },
      records: path,
    })
    const withKey = await readAll(emulator.url, 'seed-secret-01', 'vault', { 's2-encryption-key': key })
    expect(withKey.records).toMatchObject([{ seq_num: 0, body: 's3cret' }])
    const otherKey = await readAll(emulator.url, 'seed-secret-01', 'vault', { 's2-encryption-key': Buffer.alloc(32, 8).toString('base64') })
    expect(otherKey.status).toBe(400)
  })

  describe('with a bad record abort startup, naming the file and the line', () => {
    const good = '{"basin":"seed-records-01","stream":"events","body":"ok"}'
    it.each([
      ['a line that is not JSON', 'bad.ndjson', `${good}\n${good}\n{"basin": "seed-records-01",\n`, 'line 3: not valid JSON'],
      ['a missing stream field', 'bad.ndjson', `${good}\n\n{"basin":"seed-records-01","body":"x"}\n`, 'line 3: stream: missing field'],
      ['an unknown field', 'bad.ndjson', `{"basin":"seed-records-01","stream":"events","bdy":"x"}\n`, 'line 1: bdy: unknown field'],
      ['bad base64', 'bad.ndjson', `${good}\n{"basin":"seed-records-01","stream":"events","body":"%%%","format":"base64"}\n`, 'line 2: body: invalid Base64 encoding'],
      ['a negative timestamp', 'bad.ndjson', `{"basin":"seed-records-01","stream":"events","timestamp":-1}\n`, 'line 1: timestamp: expected an integer >= 0'],
      ['a header that is not a pair', 'bad.ndjson', `{"basin":"seed-records-01","stream":"events","headers":[["a"]]}\n`, 'line 1: headers[0]: expected a [name, value] pair'],
      ['a bad element of a JSON array', 'bad.json', `[\n  ${good},\n  ${good},\n  {"basin": "seed-records-01",\n   "stream": 7}\n]\n`, 'line 4 (records[2]): stream: expected a string, got 7'],
      ['a JSON file that is not an array', 'bad.json', good, 'must hold an array of records'],
      ['a record the append rules reject', 'bad.ndjson', `${good}\n{"basin":"seed-records-01","stream":"events","headers":[["","x"]]}\n`, 'line 2: unknown command'],
    ])('%s', async (_title, name, content, message) => {
      const path = file(name, content)
      const error = (await startS2Emulator({ init: { basins: [RECORDS_BASIN] }, records: path }).catch((e: unknown) => e)) as S2EmulatorError
      expect(error).toBeInstanceOf(S2EmulatorError)
      expect(error.code).toBe('S2EMU_BAD_RECORDS_FILE')
      expect(error.message).toContain(`records file ${path}`)
      expect(error.message).toContain(message)
    })

    it('a stream that does not exist in a basin without create_stream_on_append, saying how to fix it', async () => {
      const path = file('missing.ndjson', `${good}\n{"basin":"seed-plain-basin","stream":"nowhere","body":"x"}\n`)
      const error = (await startS2Emulator({
        init: { basins: [RECORDS_BASIN, { name: 'seed-plain-basin' }] },
        records: path,
      }).catch((e: unknown) => e)) as S2EmulatorError
      expect(error.code).toBe('S2EMU_BAD_RECORDS_FILE')
      expect(error.message).toContain(`records file ${path}, line 2: stream \`nowhere\` in basin \`seed-plain-basin\` not found`)
      expect(error.message).toContain('create_stream_on_append')
    })

    it('a basin that does not exist', async () => {
      const path = file('nobasin.ndjson', '{"basin":"seed-unknown-01","stream":"s","body":"x"}\n')
      await expect(startS2Emulator({ records: path })).rejects.toMatchObject({
        code: 'S2EMU_BAD_RECORDS_FILE',
        message: expect.stringMatching(/line 1: basin `seed-unknown-01` not found; list the basin in the init file/),
      })
    })
  })
})

describe('the CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Spawned =>
    spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', ...args], { env: { ...childEnv(), ...env } })
  const started = async (p: Spawned): Promise<string> => (await cliStarted(p)).url
  const basinNames = async (url: string): Promise<string[]> =>
    (JSON.parse((await httpGet(`${url}/v1/basins`)).text) as { basins: { name: string }[] }).basins.map((b) => b.name)

  it('--help documents --init and --records', async () => {
    const result = await run(process.execPath, ['src/cli.ts', '--help'])
    expect(result.code).toBe(0)
    for (const text of ['--init <file>', '--init-file', 'S2LITE_INIT_FILE', '--records <file>', '.ndjson']) expect(result.stdout).toContain(text)
  })

  it('--init and repeated --records seed the emulator before it serves', async () => {
    const init = file('init.json', SPEC)
    const first = file('a.ndjson', '{"basin":"seed-alpha-01","stream":"events","body":"a"}\n')
    const second = file('b.json', [{ basin: 'seed-alpha-01', stream: 'events', body: 'b' }])
    const p = cli(['--init', init, '--records', first, '--records', second])
    const url = await started(p)
    expect(await describeState(url)).toEqual(EXPECTED_STATE)
    const read = await raw(url, 'GET', '/v1/streams/events/records?seq_num=0', { headers: { 's2-basin': 'seed-alpha-01' } })
    expect((read.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual(['a', 'b'])
    expect(p.stdout()).toContain(`seeded from: ${init}, ${first}, ${second}`)
  })

  it('takes the init file from S2LITE_INIT_FILE, as s2-lite does, and --init-file as an alias', async () => {
    const init = file('init.json', { basins: [{ name: 'seed-from-env' }] })
    const fromEnv = cli([], { S2LITE_INIT_FILE: init })
    expect(await basinNames(await started(fromEnv))).toEqual(['seed-from-env'])
    const other = file('other.json', { basins: [{ name: 'seed-from-flag' }] })
    const fromFlag = cli(['--init-file', other], { S2LITE_INIT_FILE: init })
    expect(await basinNames(await started(fromFlag))).toEqual(['seed-from-flag'])
  })

  it('exits 1 with the message on stderr for an invalid init file', async () => {
    const init = file('bad.json', { basins: [{ name: 'seed-bad-basin', streams: [{ name: 'a' }, { name: 'a' }] }] })
    const result = await run(process.execPath, ['src/cli.ts', '--port', '0', '--init', init])
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('listening')
    expect(result.stderr).toContain(`init file ${init} is invalid: basins[0].streams[1].name: duplicate stream name "a"`)
  })

  it('exits 1 naming the line for a bad records file, and the invalid S2LITE_INIT_FILE too', async () => {
    const records = file('bad.ndjson', '\n{"basin":"seed-x-basin"}\n')
    const result = await run(process.execPath, ['src/cli.ts', '--port', '0', '--records', records])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`records file ${records}, line 2: stream: missing field`)
    const init = file('bad-env.json', { basins: [{ name: 'seed-bad-basin', config: { create_stream_on_append: 'yes' } }] })
    const fromEnv = await run(process.execPath, ['src/cli.ts', '--port', '0'], { env: { ...childEnv(), S2LITE_INIT_FILE: init } })
    expect(fromEnv.code).toBe(1)
    expect(fromEnv.stderr).toContain('basins[0].config.create_stream_on_append: expected true or false')
  })

  it('rejects --init together with --init-file (exit 2)', async () => {
    const result = await run(process.execPath, ['src/cli.ts', '--init', 'a.json', '--init-file', 'b.json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--init and --init-file are the same option')
  })
})
