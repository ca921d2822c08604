import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { createConnection } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { EXPECTED_JSON, header } from '../support/control-plane.ts'
import { basinName, type RawRequest, type RawResponse, useEmulator } from '../support/emulator.ts'

/**
 * The error model and transport conventions over raw HTTP/1.1: s2-lite §1 (routing, auth, CORS,
 * content negotiation, body limit), §2.4 (cloud-only stubs), §3 (names), §8 (codes, messages,
 * precedence), §10.4 (health and metrics).
 */

const t = useEmulator()

/** A basin and a stream in it holding one record, that every bad request below must leave alone. */
let B = ''
let S = ''
const inB = (extra: Record<string, string> = {}): Record<string, string> => ({ 's2-basin': B, ...extra })
const JSON_CT = { 'content-type': 'application/json' }
const MISSING_BASIN = 'Missing header `s2-basin`'
const AGE_ZERO = 'age must be greater than 0 seconds'
const enc = encodeURIComponent

beforeAll(async () => {
  ;({ basin: B, stream: S } = await t.stream())
  const res = await t.raw('POST', `/v1/streams/${S}/records`, { headers: inB(), body: { records: [{ body: 'seed' }] } })
  expect(res.status).toBe(200)
})

/** Asserts an S2 error: status, JSON content type, a body of exactly `{code, message}`. */
function expectError(res: RawResponse, status: number, code: string, message?: string | RegExp): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  expect(header(res, 'content-type')).toBe('application/json')
  const body = res.json as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['code', 'message'])
  expect(body.code).toBe(code)
  expect(typeof body.message).toBe('string')
  if (typeof message === 'string') expect(body.message).toBe(message)
  else if (message) expect(body.message).toMatch(message)
}

/** What a bad request could have changed: the account's basins, the fixture basin and stream, and the gauges. */
async function snapshot(): Promise<unknown> {
  const get = async (path: string, headers?: Record<string, string>) => {
    const res = await t.raw('GET', path, { headers })
    return { status: res.status, body: res.json }
  }
  const metrics = await t.raw('GET', '/metrics')
  return {
    basins: await get('/v1/basins'),
    basinConfig: await get(`/v1/basins/${B}`),
    streams: await get('/v1/streams', inB()),
    streamConfig: await get(`/v1/streams/${S}`, inB()),
    tail: await get(`/v1/streams/${S}/records/tail`, inB()),
    records: await get(`/v1/streams/${S}/records?seq_num=0`, inB()),
    gauges: metrics.text
      .split('\n')
      .filter((line) => /^s2_emulator_(basins|streams|stored_records|records_appended_total)\b/.test(line)),
  }
}

/** Sends a request that must fail with the given error, and checks that it changed nothing. */
async function rejects(
  method: string,
  path: string,
  init: RawRequest,
  status: number,
  code: string,
  message?: string | RegExp,
): Promise<RawResponse> {
  const before = await snapshot()
  const res = await t.raw(method, path, init)
  expectError(res, status, code, message)
  expect(await snapshot()).toEqual(before)
  return res
}

/** The JSON `message` of an error response. */
const messageOf = (res: RawResponse): string => (res.json as { message: string }).message

describe('routing (§1.1)', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/v1'],
    ['GET', '/v1/nope'],
    ['GET', '/v2/basins'],
    ['POST', '/v1/basins/some-basin-name/extra'],
    ['GET', '/v1/streams/s/records/tail/extra'],
    ['DELETE', '/v1/streams/'],
  ])('answers %s %s, an unknown path, with 404 and an empty body', async (method, path) => {
    const before = await snapshot()
    const res = await t.raw(method, path, { headers: inB() })
    expect(res.status).toBe(404)
    expect(res.text).toBe('')
    expect(header(res, 'content-length')).toBe('0')
    expect(header(res, 'content-type')).toBeUndefined()
    expect(await snapshot()).toEqual(before)
  })

  it.each([
    ['DELETE', '/v1/basins', ['GET', 'POST']],
    ['POST', '/v1/basins/some-basin-name', ['GET', 'PUT', 'PATCH', 'DELETE']],
    ['PUT', '/v1/streams', ['GET', 'POST']],
    ['POST', '/v1/streams/s', ['GET', 'PUT', 'PATCH', 'DELETE']],
    ['DELETE', '/v1/streams/s/records', ['GET', 'POST']],
    ['POST', '/v1/streams/s/records/tail', ['GET']],
    ['POST', '/health', ['GET']],
    ['DELETE', '/v1/locations/default', ['GET', 'PUT']],
  ])('answers %s %s, a known path with the wrong method, with 405, an empty body and Allow', async (method, path, allowed) => {
    const before = await snapshot()
    const res = await t.raw(method, path, { headers: inB() })
    expect(res.status).toBe(405)
    expect(res.text).toBe('')
    expect(header(res, 'content-length')).toBe('0')
    const allow = (header(res, 'allow') ?? '').split(/\s*,\s*/)
    for (const m of allowed) expect(allow).toContain(m)
    expect(allow).not.toContain(method)
    expect(await snapshot()).toEqual(before)
  })

  /** Raw bytes over one connection, which the server closes after its last answer. */
  const exchange = (bytes: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const url = new URL(t.url)
      const socket = createConnection({ host: url.hostname, port: Number(url.port) }, () => socket.write(bytes))
      let out = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => (out += chunk))
      socket.on('close', () => resolve(out))
      socket.on('error', reject)
    })

  it.each([
    ['FOO', '/v1/basins', 405],
    ['get', '/v1/basins', 405],
    ['Post', '/v1/streams/s/records', 405],
    ['FOO', '/v1/no-such-path', 404],
  ])('answers a method HTTP/1.1 has no name for (%s %s) as axum does: %i, empty, and closes the connection', async (method, path, status) => {
    const before = await snapshot()
    const answer = await exchange(`${method} ${path} HTTP/1.1\r\nHost: x\r\ns2-basin: ${B}\r\n\r\n`)
    const [head = '', body] = answer.split('\r\n\r\n')
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 405 ? 'Method Not Allowed' : 'Not Found'}`)
    expect(head).toMatch(/\r\ncontent-length: 0\r\n/)
    expect(head).toMatch(/\r\nconnection: close/)
    if (status === 405) expect(head).toMatch(/\r\nallow: [A-Z,]+/)
    else expect(head).not.toMatch(/\r\nallow:/i)
    expect(body).toBe('')
    expect(await snapshot()).toEqual(before)
  })

  it('answers the requests before one with an unknown method on the same connection, then that one', async () => {
    const answer = await exchange(`GET /health HTTP/1.1\r\nHost: x\r\n\r\nFOO /v1/basins HTTP/1.1\r\nHost: x\r\n\r\n`)
    // The health body ("OK") runs straight into the next status line.
    expect([...answer.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1])).toEqual(['200', '405'])
  })

  it('still answers bytes that are not HTTP with a bare 400', async () => {
    const answer = await exchange('NOT HTTP AT ALL\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
  })

  it('ignores unknown query parameters', async () => {
    const res = await t.raw('GET', '/v1/basins?bogus=1&also=two')
    expect(res.status).toBe(200)
    expect((res.json as { basins: { name: string }[] }).basins.map((b) => b.name)).toContain(B)
  })
})

describe('bad_header (§1.1, §3.3, §8.2)', () => {
  const basinScoped: [string, () => string, unknown][] = [
    ['GET', () => '/v1/streams', undefined],
    ['POST', () => '/v1/streams', { stream: 'new-stream' }],
    ['GET', () => `/v1/streams/${S}`, undefined],
    ['PUT', () => `/v1/streams/${S}`, undefined],
    ['PATCH', () => `/v1/streams/${S}`, { storage_class: 'standard' }],
    ['DELETE', () => `/v1/streams/${S}`, undefined],
    ['POST', () => `/v1/streams/${S}/records`, { records: [{ body: 'x' }] }],
    ['GET', () => `/v1/streams/${S}/records?seq_num=0`, undefined],
    ['GET', () => `/v1/streams/${S}/records/tail`, undefined],
  ]

  it.each(basinScoped)('rejects %s on a basin-scoped path without S2-Basin', async (method, path, body) => {
    await rejects(method, path(), { body }, 400, 'bad_header', MISSING_BASIN)
  })

  it.each([
    ['uppercase-Basin', 'basin name must comprise lowercase letters, numbers, and hyphens'],
    ['under_score_name', 'basin name must comprise lowercase letters, numbers, and hyphens'],
    ['-leading-hyphen', 'basin name must begin with a lowercase letter or number'],
    ['trailing-hyphen-', 'basin name must end with a lowercase letter or number'],
    ['short12', 'basin name should be at least 8 bytes in length'],
    ['a'.repeat(49), 'basin name must not exceed 48 bytes in length'],
  ])('rejects S2-Basin %j with the validation message', async (basin, problem) => {
    const message = `Invalid header \`s2-basin\`: ${problem}`
    await rejects('GET', '/v1/streams', { headers: { 's2-basin': basin } }, 400, 'bad_header', message)
    await rejects('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'x' } }, 400, 'bad_header', message)
    await rejects('POST', `/v1/streams/${S}/records`, { headers: { 's2-basin': basin }, body: { records: [{ body: 'x' }] } }, 400, 'bad_header', message)
  })

  it('rejects an unknown S2-Format on append and on read', async () => {
    const message = 'Invalid header `s2-format`: bogus'
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB({ 's2-format': 'bogus' }), body: { records: [{ body: 'x' }] } }, 400, 'bad_header', message)
    await rejects('GET', `/v1/streams/${S}/records?seq_num=0`, { headers: inB({ 's2-format': 'bogus' }) }, 400, 'bad_header', message)
  })

  it('accepts the S2-Format values raw, json, base64 and json-binsafe', async () => {
    for (const format of ['raw', 'json']) {
      const res = await t.raw('GET', `/v1/streams/${S}/records?seq_num=0`, { headers: inB({ 's2-format': format }) })
      expect(res.status).toBe(200)
      expect((res.json as { records: { body: string }[] }).records[0]?.body).toBe('seed')
    }
    for (const format of ['base64', 'json-binsafe']) {
      const res = await t.raw('GET', `/v1/streams/${S}/records?seq_num=0`, { headers: inB({ 's2-format': format }) })
      expect(res.status).toBe(200)
      expect((res.json as { records: { body: string }[] }).records[0]?.body).toBe(Buffer.from('seed').toString('base64'))
    }
  })

  it('rejects an s2-request-token longer than 36 bytes on creates, and accepts one of exactly 36', async () => {
    const long = 'x'.repeat(37)
    const newBasin = basinName('token')
    const message = /request token was longer than 36 bytes in length: 37/
    await rejects('POST', '/v1/basins', { headers: { 's2-request-token': long }, body: { basin: newBasin } }, 400, 'bad_header', message)
    await rejects('POST', '/v1/streams', { headers: inB({ 's2-request-token': long }), body: { stream: 'token-stream' } }, 400, 'bad_header', message)

    const ok = await t.raw('POST', '/v1/basins', { headers: { 's2-request-token': 'y'.repeat(36) }, body: { basin: newBasin } })
    expect(ok.status).toBe(201)
    expect(header(ok, 's2-provision-result')).toBe('created')
  })
})

describe('bad_path (§1.1, §3.1, §3.2)', () => {
  it.each([
    ['UPPERCASE-BASIN', 'basin name must begin with a lowercase letter or number'],
    ['has_underscore', 'basin name must comprise lowercase letters, numbers, and hyphens'],
    ['-leading-hyphen', 'basin name must begin with a lowercase letter or number'],
    ['trailing-hyphen-', 'basin name must end with a lowercase letter or number'],
    ['short12', 'basin name should be at least 8 bytes in length'],
    ['b'.repeat(49), 'basin name must not exceed 48 bytes in length'],
  ])('rejects the basin name %j in the path of every basin operation', async (name, problem) => {
    const message = new RegExp(problem)
    await rejects('GET', `/v1/basins/${name}`, {}, 400, 'bad_path', message)
    await rejects('PUT', `/v1/basins/${name}`, {}, 400, 'bad_path', message)
    await rejects('PATCH', `/v1/basins/${name}`, { body: {} }, 400, 'bad_path', message)
    await rejects('DELETE', `/v1/basins/${name}`, {}, 400, 'bad_path', message)
  })

  it('rejects stream names longer than 512 bytes in the path, ASCII or multi-byte', async () => {
    const message = /stream name must not exceed 512 bytes in length/
    for (const name of ['s'.repeat(513), `${'é'.repeat(256)}x`]) {
      const path = `/v1/streams/${enc(name)}`
      await rejects('PUT', path, { headers: inB() }, 400, 'bad_path', message)
      await rejects('GET', path, { headers: inB() }, 400, 'bad_path', message)
      await rejects('POST', `${path}/records`, { headers: inB(), body: { records: [{ body: 'x' }] } }, 400, 'bad_path', message)
      await rejects('GET', `${path}/records/tail`, { headers: inB() }, 400, 'bad_path', message)
    }
  })

  it.each(['%FF', 'ok%FFok', '%C3', '%E2%82'])('rejects the invalid percent-encoding %s in a path segment', async (segment) => {
    await rejects('GET', `/v1/streams/${segment}`, { headers: inB() }, 400, 'bad_path')
    await rejects('PUT', `/v1/streams/${segment}`, { headers: inB() }, 400, 'bad_path')
    await rejects('POST', `/v1/streams/${segment}/records`, { headers: inB(), body: { records: [{ body: 'x' }] } }, 400, 'bad_path')
    await rejects('PUT', `/v1/basins/${segment}`, {}, 400, 'bad_path')
  })

  // Routes see the raw path, as axum's do: WHATWG URL parsing would drop these segments.
  it.each(['.', '..', '%2E', '%2E%2E'])('rejects the stream name %s in the path with bad_path', async (segment) => {
    await rejects('PUT', `/v1/streams/${segment}`, { headers: inB() }, 400, 'bad_path', /stream name must not be "\." or "\.\."/)
  })
})

describe('bad_query (§1.1, §3.4, §6.1)', () => {
  it.each([
    '/v1/basins?limit=-1',
    '/v1/basins?limit=abc',
    '/v1/basins?limit=1.5',
    '/v1/basins?limit=99999999999999999999999',
    '/v1/basins?prefix=Upper',
    '/v1/basins?start_after=_under',
    '/v1/basins?prefix=' + 'a'.repeat(49),
  ])('rejects GET %s', async (path) => {
    await rejects('GET', path, {}, 400, 'bad_query')
  })

  it.each([
    '/v1/streams?limit=abc',
    '/v1/streams?limit=-5',
    '/v1/streams?prefix=' + 'p'.repeat(513),
    '/v1/streams?start_after=' + 'p'.repeat(513),
  ])('rejects GET %s', async (path) => {
    await rejects('GET', path, { headers: inB() }, 400, 'bad_query')
  })

  it.each(['seq_num=abc', 'seq_num=-1', 'timestamp=1.5', 'tail_offset=x', 'clamp=1', 'clamp=TRUE', 'count=-1', 'bytes=ten', 'until=', 'wait=abc'])(
    'rejects a read with %s',
    async (query) => {
      await rejects('GET', `/v1/streams/${S}/records?${query}`, { headers: inB() }, 400, 'bad_query')
    },
  )

  it('treats limit=0 and limit above 1000 as 1000 instead of failing', async () => {
    for (const limit of ['0', '5000']) {
      const res = await t.raw('GET', `/v1/basins?limit=${limit}`)
      expect(res.status).toBe(200)
      expect((res.json as { basins: { name: string }[] }).basins.map((b) => b.name)).toContain(B)
    }
  })
})

describe('bad_json (§1.4, §1.6, §4.2, §8.2)', () => {
  const newBasin = () => basinName('json')

  it('requires a JSON Content-Type on every JSON request body, with the exact message', async () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ['POST', '/v1/basins', {}, JSON.stringify({ basin: newBasin() })],
      ['PATCH', `/v1/basins/${B}`, {}, JSON.stringify({ create_stream_on_append: true })],
      ['POST', '/v1/streams', inB(), JSON.stringify({ stream: 'no-content-type' })],
      ['PATCH', `/v1/streams/${S}`, inB(), JSON.stringify({ storage_class: 'standard' })],
      ['POST', `/v1/streams/${S}/records`, inB(), JSON.stringify({ records: [{ body: 'x' }] })],
    ]
    for (const [method, path, headers, body] of cases) {
      for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/proto', 'application/jsonx']) {
        const h = contentType === undefined ? headers : { ...headers, 'content-type': contentType }
        await rejects(method, path, { headers: h, body }, 400, 'bad_json', EXPECTED_JSON)
      }
    }
  })

  it('accepts application/json with parameters and any application/*+json type', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'application/vnd.example+json', 'Application/JSON']) {
      const name = newBasin()
      const res = await t.raw('POST', '/v1/basins', { headers: { 'content-type': contentType }, body: JSON.stringify({ basin: name }) })
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 201 })
    }
  })

  it('rejects JSON syntax errors and bodies that are not UTF-8', async () => {
    const bodies: (string | Uint8Array)[] = ['{"basin":', '{basin: "x"}', 'not json', '', Buffer.from([0x7b, 0xff, 0x7d])]
    for (const body of bodies) {
      await rejects('POST', '/v1/basins', { headers: JSON_CT, body }, 400, 'bad_json')
      await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(JSON_CT), body }, 400, 'bad_json')
    }
  })

  it('rejects wrongly typed fields', async () => {
    const basinBodies = [
      [],
      'a string',
      { basin: 5 },
      { basin: newBasin(), config: 'yes' },
      { basin: newBasin(), config: { create_stream_on_append: 'yes' } },
      { basin: newBasin(), config: { create_stream_on_read: 1 } },
      { basin: newBasin(), config: { default_stream_config: { storage_class: 'fast' } } },
      { basin: newBasin(), config: { default_stream_config: { retention_policy: { age: -1 } } } },
      { basin: newBasin(), config: { default_stream_config: { retention_policy: { age: '1d' } } } },
      { basin: newBasin(), config: { default_stream_config: { timestamping: { mode: 'sometimes' } } } },
      { basin: newBasin(), config: { stream_cipher: 'rot13' } },
    ]
    for (const body of basinBodies) await rejects('POST', '/v1/basins', { body: JSON.stringify(body), headers: JSON_CT }, 400, 'bad_json')

    const streamBodies = [
      { stream: 5 },
      { stream: ['x'] },
      { stream: 'typed', config: { storage_class: 7 } },
      { stream: 'typed', config: { delete_on_empty: { min_age_secs: 'soon' } } },
    ]
    for (const body of streamBodies) await rejects('POST', '/v1/streams', { headers: inB(), body }, 400, 'bad_json')

    const appendBodies = [
      { records: 'x' },
      { records: [{ body: 5 }] },
      { records: [{ body: 'x', headers: 'k=v' }] },
      { records: [{ body: 'x', headers: [['only-name']] }] },
      { records: [{ body: 'x', timestamp: 'now' }] },
      { records: [{ body: 'x' }], match_seq_num: -1 },
      { records: [{ body: 'x' }], fencing_token: 3 },
    ]
    for (const body of appendBodies) await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(), body }, 400, 'bad_json')

    await rejects('PATCH', `/v1/streams/${S}`, { headers: inB(), body: { storage_class: 1 } }, 400, 'bad_json')
    await rejects('PATCH', `/v1/basins/${B}`, { body: { create_stream_on_read: 'no' } }, 400, 'bad_json')
  })

  it('rejects bodies missing required fields', async () => {
    await rejects('POST', '/v1/basins', { body: {} }, 400, 'bad_json', /basin/)
    await rejects('POST', '/v1/basins', { body: { config: {} } }, 400, 'bad_json', /basin/)
    await rejects('POST', '/v1/streams', { headers: inB(), body: {} }, 400, 'bad_json', /stream/)
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(), body: {} }, 400, 'bad_json', /records/)
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(), body: { match_seq_num: 1 } }, 400, 'bad_json', /records/)
  })

  it('rejects invalid names inside the JSON body with bad_json', async () => {
    await rejects('POST', '/v1/basins', { body: { basin: 'Not-A-Valid-Basin' } }, 400, 'bad_json', /basin name/)
    await rejects('POST', '/v1/basins', { body: { basin: 'short' } }, 400, 'bad_json', /at least 8 bytes/)
    await rejects('POST', '/v1/streams', { headers: inB(), body: { stream: '' } }, 400, 'bad_json', /must not be empty/)
    await rejects('POST', '/v1/streams', { headers: inB(), body: { stream: '..' } }, 400, 'bad_json', /must not be "\." or "\.\."/)
    await rejects('POST', '/v1/streams', { headers: inB(), body: { stream: 'n'.repeat(513) } }, 400, 'bad_json', /512 bytes/)
  })

  it('ignores unknown fields in bodies', async () => {
    const name = newBasin()
    const created = await t.raw('POST', '/v1/basins', { body: { basin: name, surprise: true, config: { also: 1 } } })
    expect(created.status).toBe(201)
    const stream = await t.raw('POST', '/v1/streams', {
      headers: { 's2-basin': name },
      body: { stream: 'extra', whatever: [1], config: { storage_class: 'standard', nope: null } },
    })
    expect(stream.status).toBe(201)
    const config = await t.raw('GET', '/v1/streams/extra', { headers: { 's2-basin': name } })
    expect((config.json as { storage_class: string }).storage_class).toBe('standard')
    const ack = await t.raw('POST', '/v1/streams/extra/records', {
      headers: { 's2-basin': name },
      body: { records: [{ body: 'a', unknown: 'field' }], extra: 1 },
    })
    expect(ack.status).toBe(200)
    expect((ack.json as { end: { seq_num: number } }).end.seq_num).toBe(1)
  })

  it('rejects create_stream_on_append and create_stream_on_read set to null', async () => {
    for (const field of ['create_stream_on_append', 'create_stream_on_read']) {
      await rejects('POST', '/v1/basins', { body: { basin: newBasin(), config: { [field]: null } } }, 400, 'bad_json', new RegExp(field))
      await rejects('PATCH', `/v1/basins/${B}`, { body: { [field]: null } }, 400, 'bad_json', new RegExp(field))
      await rejects('PUT', `/v1/basins/${B}`, { body: { config: { [field]: null } } }, 400, 'bad_json', new RegExp(field))
    }
  })

  it('rejects bodies over 2 MiB with bad_json', async () => {
    const pad = 'x'.repeat(2 * 1024 * 1024)
    const message = /length limit exceeded/
    await rejects('POST', '/v1/basins', { headers: JSON_CT, body: JSON.stringify({ basin: newBasin(), pad }) }, 400, 'bad_json', message)
    await rejects('PATCH', `/v1/basins/${B}`, { headers: JSON_CT, body: JSON.stringify({ pad }) }, 400, 'bad_json', message)
    await rejects('PUT', `/v1/streams/${S}`, { headers: inB(JSON_CT), body: JSON.stringify({ storage_class: 'standard', pad }) }, 400, 'bad_json', message)
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(JSON_CT), body: JSON.stringify({ records: [{ body: pad }] }) }, 400, 'bad_json', message)
  })

  it('accepts a JSON body just under 2 MiB', async () => {
    const name = newBasin()
    const body = JSON.stringify({ basin: name, pad: '' })
    const padded = body.replace('"pad":""', `"pad":"${'x'.repeat(2 * 1024 * 1024 - body.length)}"`)
    expect(Buffer.byteLength(padded)).toBe(2 * 1024 * 1024)
    const res = await t.raw('POST', '/v1/basins', { headers: JSON_CT, body: padded })
    expect(res.status).toBe(201)
  })

  it('ignores the body of a PUT that has no Content-Type', async () => {
    const name = newBasin()
    const basin = await t.raw('PUT', `/v1/basins/${name}`, { body: 'this is not JSON at all' })
    expect(basin.status).toBe(201)
    const basinConfig = await t.raw('GET', `/v1/basins/${name}`)
    expect(basinConfig.json).toEqual({ default_stream_config: null, stream_cipher: null, create_stream_on_append: false, create_stream_on_read: false })

    const stream = await t.raw('PUT', '/v1/streams/untyped-put', { headers: inB(), body: JSON.stringify({ storage_class: 'standard' }) })
    expect(stream.status).toBe(201)
    const config = await t.raw('GET', '/v1/streams/untyped-put', { headers: inB() })
    expect((config.json as { storage_class: string }).storage_class).toBe('express')
  })

  it('treats a PUT with a JSON Content-Type and an empty body as having no body', async () => {
    const name = newBasin()
    const first = await t.raw('PUT', `/v1/basins/${name}`, { headers: JSON_CT, body: '' })
    expect(first.status).toBe(201)
    expect(header(first, 's2-provision-result')).toBe('created')
    const again = await t.raw('PUT', `/v1/basins/${name}`, { headers: JSON_CT, body: '' })
    expect(again.status).toBe(200)
    expect(header(again, 's2-provision-result')).toBe('noop')

    const stream = await t.raw('PUT', '/v1/streams/empty-put', { headers: inB(JSON_CT), body: '' })
    expect(stream.status).toBe(201)
    const streamAgain = await t.raw('PUT', '/v1/streams/empty-put', { headers: inB(JSON_CT), body: '' })
    expect(streamAgain.status).toBe(200)
    expect(header(streamAgain, 's2-provision-result')).toBe('noop')
  })

  it('rejects a PUT whose Content-Type is not JSON, or whose JSON body is malformed or null', async () => {
    await rejects('PUT', `/v1/basins/${B}`, { headers: { 'content-type': 'text/plain' }, body: '{}' }, 400, 'bad_json', EXPECTED_JSON)
    await rejects('PUT', `/v1/streams/${S}`, { headers: inB({ 'content-type': 'application/proto' }), body: '{}' }, 400, 'bad_json', EXPECTED_JSON)
    await rejects('PUT', `/v1/basins/${B}`, { headers: JSON_CT, body: '{"config":' }, 400, 'bad_json')
    await rejects('PUT', `/v1/streams/${S}`, { headers: inB(JSON_CT), body: '{"storage_class":' }, 400, 'bad_json')
    await rejects('PUT', `/v1/basins/${B}`, { headers: JSON_CT, body: 'null' }, 400, 'bad_json')
    await rejects('PUT', `/v1/streams/${S}`, { headers: inB(JSON_CT), body: 'null' }, 400, 'bad_json')
  })
})

describe('content negotiation and error bodies (§1.4, §1.6)', () => {
  it('answers errors in JSON even when the client accepts only protobuf', async () => {
    for (const accept of ['application/protobuf', 'application/x-protobuf']) {
      await rejects('GET', '/v1/streams/no-such-stream/records?seq_num=0', { headers: inB({ accept }) }, 404, 'stream_not_found')
      await rejects('GET', `/v1/streams/${S}/records?seq_num=abc`, { headers: inB({ accept }) }, 400, 'bad_query')
    }
  })

  it('rejects an undecodable or oversized protobuf append with bad_proto, in JSON', async () => {
    const proto = { 'content-type': 'application/protobuf' }
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(proto), body: Buffer.from([0xff, 0xff, 0xff, 0xff]) }, 400, 'bad_proto')
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB(proto), body: Buffer.alloc(2 * 1024 * 1024 + 1, 0x0a) }, 400, 'bad_proto', /length limit exceeded/)
  })

  it('reads only the first media type of Accept: JSON unless it names another type', async () => {
    for (const accept of ['application/json, text/event-stream', '*/*', 'application/json;q=0.1, application/protobuf']) {
      const res = await t.raw('GET', `/v1/streams/${S}/records?seq_num=0`, { headers: inB({ accept }) })
      expect(res.status).toBe(200)
      expect(header(res, 'content-type')).toBe('application/json')
      expect((res.json as { records: { body: string }[] }).records[0]?.body).toBe('seed')
    }
  })
})

describe('invalid, 422 (§4.1, §4.4, §8.2)', () => {
  it('rejects retention age 0 when creating a stream or a basin', async () => {
    await rejects('POST', '/v1/streams', { headers: inB(), body: { stream: 'age-zero', config: { retention_policy: { age: 0 } } } }, 422, 'invalid', AGE_ZERO)
    await rejects('PUT', '/v1/streams/age-zero', { headers: inB(), body: { retention_policy: { age: 0 } } }, 422, 'invalid', AGE_ZERO)
    await rejects(
      'POST',
      '/v1/basins',
      { body: { basin: basinName('age'), config: { default_stream_config: { retention_policy: { age: 0 } } } } },
      422,
      'invalid',
      AGE_ZERO,
    )
    await rejects(
      'PUT',
      `/v1/basins/${basinName('age')}`,
      { body: { config: { default_stream_config: { retention_policy: { age: 0 } } } } },
      422,
      'invalid',
      AGE_ZERO,
    )
  })

  it('rejects retention age 0 when reconfiguring (PATCH) or ensuring (PUT) an existing stream or basin', async () => {
    await rejects('PATCH', `/v1/streams/${S}`, { headers: inB(), body: { retention_policy: { age: 0 } } }, 422, 'invalid', AGE_ZERO)
    await rejects('PUT', `/v1/streams/${S}`, { headers: inB(), body: { retention_policy: { age: 0 } } }, 422, 'invalid', AGE_ZERO)
    await rejects('PATCH', `/v1/basins/${B}`, { body: { default_stream_config: { retention_policy: { age: 0 } } } }, 422, 'invalid', AGE_ZERO)
    await rejects('PUT', `/v1/basins/${B}`, { body: { config: { default_stream_config: { retention_policy: { age: 0 } } } } }, 422, 'invalid', AGE_ZERO)
  })
})

describe('cloud-only endpoints: validated, then 501 (§2.4)', () => {
  const NOT_IMPLEMENTED = { code: 'not_implemented', message: 'Not implemented' }

  async function notImplemented(method: string, path: string, init: RawRequest = {}): Promise<void> {
    const before = await snapshot()
    const res = await t.raw(method, path, init)
    expect({ status: res.status, body: res.json }).toEqual({ status: 501, body: NOT_IMPLEMENTED })
    expect(header(res, 'content-type')).toBe('application/json')
    expect(await snapshot()).toEqual(before)
  }

  it('answers well-formed access-token requests with 501', async () => {
    await notImplemented('GET', '/v1/access-tokens')
    await notImplemented('GET', '/v1/access-tokens?prefix=ab&start_after=abc&limit=10')
    await notImplemented('POST', '/v1/access-tokens', { body: { id: 'my-token', scope: {} } })
    await notImplemented('POST', '/v1/access-tokens', {
      body: { id: 'my-token', expires_at: '2030-01-01T00:00:00Z', auto_prefix_streams: true, scope: { ops: ['append'] } },
    })
    await notImplemented('DELETE', '/v1/access-tokens/my-token')
  })

  it('rejects malformed access-token requests with 400 before the 501', async () => {
    await rejects('GET', '/v1/access-tokens?limit=abc', {}, 400, 'bad_query')
    await rejects('GET', `/v1/access-tokens?prefix=${'p'.repeat(97)}`, {}, 400, 'bad_query')
    await rejects('GET', `/v1/access-tokens?start_after=${'p'.repeat(97)}`, {}, 400, 'bad_query')
    await rejects('POST', '/v1/access-tokens', { body: JSON.stringify({ id: 'x', scope: {} }) }, 400, 'bad_json', EXPECTED_JSON)
    await rejects('POST', '/v1/access-tokens', { headers: JSON_CT, body: '{"id":' }, 400, 'bad_json')
    await rejects('POST', '/v1/access-tokens', { body: { scope: {} } }, 400, 'bad_json')
    await rejects('POST', '/v1/access-tokens', { body: { id: 'x' } }, 400, 'bad_json')
    await rejects('POST', '/v1/access-tokens', { body: { id: '', scope: {} } }, 400, 'bad_json')
    await rejects('POST', '/v1/access-tokens', { body: { id: 't'.repeat(97), scope: {} } }, 400, 'bad_json')
    await rejects('POST', '/v1/access-tokens', { body: { id: 'x', scope: {}, auto_prefix_streams: 'yes' } }, 400, 'bad_json')
    await rejects('DELETE', `/v1/access-tokens/${'t'.repeat(97)}`, {}, 400, 'bad_path')
    await rejects('DELETE', '/v1/access-tokens/%FF', {}, 400, 'bad_path')
  })

  it('answers metrics requests with a valid set with 501', async () => {
    await notImplemented('GET', '/v1/metrics?set=active-basins')
    await notImplemented('GET', '/v1/metrics?set=account-ops&start=1&end=2&interval=hour')
    for (const set of ['storage', 'append-ops', 'read-ops', 'read-throughput', 'append-throughput', 'basin-ops']) {
      await notImplemented('GET', `/v1/metrics/${B}?set=${set}`)
    }
    await notImplemented('GET', `/v1/metrics/${B}/${S}?set=storage`)
  })

  it('rejects metrics requests without a valid set, or with a bad path, with 400', async () => {
    await rejects('GET', '/v1/metrics', {}, 400, 'bad_query', /set/)
    await rejects('GET', '/v1/metrics?set=storage', {}, 400, 'bad_query')
    await rejects('GET', '/v1/metrics?set=active-basins&start=soon', {}, 400, 'bad_query')
    await rejects('GET', '/v1/metrics?set=active-basins&interval=fortnight', {}, 400, 'bad_query')
    await rejects('GET', `/v1/metrics/${B}`, {}, 400, 'bad_query', /set/)
    await rejects('GET', `/v1/metrics/${B}?set=active-basins`, {}, 400, 'bad_query')
    await rejects('GET', `/v1/metrics/${B}/${S}`, {}, 400, 'bad_query', /set/)
    await rejects('GET', `/v1/metrics/${B}/${S}?set=append-ops`, {}, 400, 'bad_query')
    await rejects('GET', '/v1/metrics/Bad_Basin?set=storage', {}, 400, 'bad_path')
    await rejects('GET', `/v1/metrics/${B}/${'s'.repeat(513)}?set=storage`, {}, 400, 'bad_path')
  })

  it('answers location requests with 501, after checking the PUT body', async () => {
    await notImplemented('GET', '/v1/locations')
    await notImplemented('GET', '/v1/locations/default')
    await notImplemented('PUT', '/v1/locations/default', { headers: JSON_CT, body: JSON.stringify('aws:us-east-1') })
    await rejects('PUT', '/v1/locations/default', { body: 'aws:us-east-1' }, 400, 'bad_json', EXPECTED_JSON)
    await rejects('PUT', '/v1/locations/default', { headers: JSON_CT, body: '{"location":"x"}' }, 400, 'bad_json')
    await rejects('PUT', '/v1/locations/default', { headers: JSON_CT, body: 'aws:us-east-1' }, 400, 'bad_json')
  })
})

describe('precedence (§8.4)', () => {
  it('answers a read with two start parameters on a missing stream with 422, not 404', async () => {
    await rejects('GET', '/v1/streams/no-such-stream/records?seq_num=1&timestamp=2', { headers: inB() }, 422, 'invalid')
    await rejects('GET', '/v1/streams/no-such-stream/records?seq_num=1&timestamp=2', { headers: { 's2-basin': basinName('nobody') } }, 422, 'invalid')
  })

  it('answers timestamp >= until on a missing stream with 422, not 404', async () => {
    await rejects('GET', '/v1/streams/no-such-stream/records?timestamp=5&until=5', { headers: inB() }, 422, 'invalid')
  })

  it('answers an empty-batch append to a missing stream with 422, not 404', async () => {
    await rejects('POST', '/v1/streams/no-such-stream/records', { headers: inB(), body: { records: [] } }, 422, 'invalid')
  })

  it('answers a request with no S2-Basin and a bad body with bad_header', async () => {
    await rejects('POST', `/v1/streams/${S}/records`, { headers: JSON_CT, body: '{not json' }, 400, 'bad_header', MISSING_BASIN)
    await rejects('POST', '/v1/streams', { body: 'garbage' }, 400, 'bad_header', MISSING_BASIN)
  })

  it('checks S2-Basin before the path', async () => {
    await rejects('GET', '/v1/streams/%FF', {}, 400, 'bad_header', MISSING_BASIN)
    await rejects('GET', `/v1/streams/${'s'.repeat(513)}`, { headers: { 's2-basin': 'BAD' } }, 400, 'bad_header')
  })

  it('checks the path before the query', async () => {
    await rejects('GET', '/v1/streams/%FF/records?seq_num=abc', { headers: inB() }, 400, 'bad_path')
  })

  it('checks the query before S2-Format and before the handler validation', async () => {
    await rejects('GET', `/v1/streams/${S}/records?seq_num=abc`, { headers: inB({ 's2-format': 'bogus' }) }, 400, 'bad_query')
    await rejects('GET', `/v1/streams/${S}/records?seq_num=1&timestamp=2&clamp=yes`, { headers: inB() }, 400, 'bad_query')
  })

  it('checks S2-Format before the body and before the handler validation', async () => {
    const bogus = 'Invalid header `s2-format`: bogus'
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB({ 's2-format': 'bogus', ...JSON_CT }), body: '{bad' }, 400, 'bad_header', bogus)
    await rejects('POST', `/v1/streams/${S}/records`, { headers: inB({ 's2-format': 'bogus' }), body: 'no content type' }, 400, 'bad_header', bogus)
    await rejects('GET', `/v1/streams/${S}/records?seq_num=1&timestamp=2`, { headers: inB({ 's2-format': 'bogus' }) }, 400, 'bad_header', bogus)
  })

  it('validates the body before looking the resource up', async () => {
    await rejects('POST', '/v1/streams/no-such-stream/records', { headers: inB(), body: 'no content type' }, 400, 'bad_json', EXPECTED_JSON)
    await rejects('POST', '/v1/streams', { headers: { 's2-basin': basinName('nobody') }, body: {} }, 400, 'bad_json')
    await rejects('PATCH', `/v1/basins/${basinName('nobody')}`, { body: { create_stream_on_append: null } }, 400, 'bad_json')
  })

  it('checks the path before the body on basin operations', async () => {
    await rejects('PATCH', '/v1/basins/Bad_Name', { body: 'no content type' }, 400, 'bad_path')
    await rejects('PUT', '/v1/basins/Bad_Name', { headers: JSON_CT, body: '{bad' }, 400, 'bad_path')
  })

  it('checks the request token header before the body', async () => {
    await rejects('POST', '/v1/basins', { headers: { 's2-request-token': 'x'.repeat(40) }, body: 'no content type' }, 400, 'bad_header')
  })

  it('reports a missing resource once the request is well formed', async () => {
    await rejects('GET', '/v1/streams/no-such-stream/records?seq_num=0', { headers: inB() }, 404, 'stream_not_found')
    await rejects('POST', '/v1/streams/no-such-stream/records', { headers: inB(), body: { records: [{ body: 'x' }] } }, 404, 'stream_not_found')
  })
})

describe('stream names (§1.1, §3.2)', () => {
  const names = [
    'a/b/c',
    '/leading-and-trailing/',
    'a/../b',
    '日本語/ストリーム 🚀',
    'spaces and + plus ? query # hash % percent',
    'n'.repeat(512),
    'é'.repeat(256),
  ]

  it.each(names)('creates, appends to, reads, tails and lists the stream %j', async (name) => {
    const path = `/v1/streams/${enc(name)}`
    const created = await t.raw('PUT', path, { headers: inB() })
    expect(created.status).toBe(201)
    expect((created.json as { name: string }).name).toBe(name)
    const ack = await t.raw('POST', `${path}/records`, { headers: inB(), body: { records: [{ body: name }] } })
    expect(ack.status).toBe(200)
    const read = await t.raw('GET', `${path}/records?seq_num=0`, { headers: inB() })
    expect((read.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual([name])
    const tail = await t.raw('GET', `${path}/records/tail`, { headers: inB() })
    expect((tail.json as { tail: { seq_num: number } }).tail.seq_num).toBe(1)
    const config = await t.raw('GET', path, { headers: inB() })
    expect(config.status).toBe(200)
    const listed = await t.raw('GET', `/v1/streams?prefix=${enc(name)}`, { headers: inB() })
    expect((listed.json as { streams: { name: string }[] }).streams.map((s) => s.name)).toContain(name)
  })

  it('keeps a stream named with an encoded slash apart from its prefix', async () => {
    const parent = await t.raw('GET', `/v1/streams/${enc('a/b')}/records/tail`, { headers: inB() })
    expectError(parent, 404, 'stream_not_found')
    const sub = await t.raw('GET', `/v1/streams/${enc('a/b/c')}/records/tail`, { headers: inB() })
    expect(sub.status).toBe(200)
  })

  it('rejects a stream name of 513 bytes in a create body', async () => {
    await rejects('POST', '/v1/streams', { headers: inB(), body: { stream: `${'é'.repeat(256)}x` } }, 400, 'bad_json', /512 bytes/)
  })

  it('round-trips slash and unicode names through the SDK', async () => {
    const basin = t.s2.basin(B)
    for (const name of ['sdk/with/slashes', 'sdk-ünïcødé-✓']) {
      await basin.streams.create({ stream: name })
      const stream = basin.stream(name)
      const ack = await stream.append(AppendInput.create([AppendRecord.string({ body: 'hi' })]))
      expect(ack.end.seqNum).toBe(1)
      const tail = await stream.checkTail()
      expect(tail.tail.seqNum).toBe(1)
      const list = await basin.streams.list({ prefix: name })
      expect(list.streams.map((s) => s.name)).toEqual([name])
    }
  })
})

describe('authorization is ignored (§1.2)', () => {
  it('serves the same answer with any Authorization header or none', async () => {
    const values = [undefined, 'Bearer anything', 'Bearer ', 'Basic dXNlcjpwYXNz', 'garbage']
    const bodies: unknown[] = []
    for (const authorization of values) {
      const res = await t.raw('GET', `/v1/streams/${S}/records?seq_num=0`, {
        headers: authorization === undefined ? inB() : inB({ authorization }),
      })
      expect(res.status).toBe(200)
      bodies.push(res.json)
    }
    for (const body of bodies) expect(body).toEqual(bodies[0])
  })

  it('lets one token create what a request without a token then uses', async () => {
    const name = basinName('auth')
    const created = await t.raw('POST', '/v1/basins', { headers: { authorization: 'Bearer someone-else' }, body: { basin: name } })
    expect(created.status).toBe(201)
    const fetched = await t.raw('GET', `/v1/basins/${name}`)
    expect(fetched.status).toBe(200)
  })
})

describe('health and metrics (§1.1, §10.4)', () => {
  it.each(['/health', '/ping'])('answers GET %s with 200 OK in text/plain', async (path) => {
    const res = await t.raw('GET', path)
    expect(res.status).toBe(200)
    expect(res.text).toBe('OK')
    expect(header(res, 'content-type')).toMatch(/^text\/plain/)
  })

  function parseMetrics(text: string): Map<string, number> {
    const values = new Map<string, number>()
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue
      const at = line.lastIndexOf(' ')
      values.set(line.slice(0, at), Number(line.slice(at + 1)))
    }
    return values
  }

  async function scrape(): Promise<Map<string, number>> {
    const res = await t.raw('GET', '/metrics')
    expect(res.status).toBe(200)
    expect(header(res, 'content-type')).toBe('text/plain; version=0.0.4')
    expect(res.text).toMatch(/^# TYPE s2_emulator_requests_total counter$/m)
    return parseMetrics(res.text)
  }

  it('serves Prometheus text whose counters and gauges move with the requests served', async () => {
    const before = await scrape()
    const name = basinName('metrics')
    expect((await t.raw('POST', '/v1/basins', { body: { basin: name } })).status).toBe(201)
    expect((await t.raw('POST', '/v1/streams', { headers: { 's2-basin': name }, body: { stream: 'm' } })).status).toBe(201)
    const records = [{ body: 'abc' }, { body: 'defg', headers: [['k', 'v']] }]
    const ack = await t.raw('POST', '/v1/streams/m/records', { headers: { 's2-basin': name }, body: { records } })
    expect(ack.status).toBe(200)
    const read = await t.raw('GET', '/v1/streams/m/records?seq_num=0', { headers: { 's2-basin': name } })
    expect((read.json as { records: unknown[] }).records).toHaveLength(2)
    expect((await t.raw('GET', '/v1/basins?limit=abc')).status).toBe(400)
    expect((await t.raw('GET', '/v1/metrics')).status).toBe(400)
    const after = await scrape()

    const delta = (key: string): number => (after.get(key) ?? 0) - (before.get(key) ?? 0)
    expect(delta('s2_emulator_requests_total{operation="create_basin",status="201"}')).toBe(1)
    expect(delta('s2_emulator_requests_total{operation="create_stream",status="201"}')).toBe(1)
    expect(delta('s2_emulator_requests_total{operation="append",status="200"}')).toBe(1)
    expect(delta('s2_emulator_requests_total{operation="read",status="200"}')).toBe(1)
    expect(delta('s2_emulator_requests_total{operation="list_basins",status="400"}')).toBe(1)
    expect(delta('s2_emulator_requests_total{operation="account_metrics",status="400"}')).toBe(1)
    // Metered sizes (§5.3): 8 + 3 for "abc"; 8 + 2 + 1 + 1 + 4 for "defg" with header k=v.
    const metered = 8 + 3 + (8 + 2 + 2 + 4)
    expect(delta('s2_emulator_records_appended_total')).toBe(2)
    expect(delta('s2_emulator_appended_bytes_total')).toBe(metered)
    expect(delta('s2_emulator_records_read_total')).toBe(2)
    expect(delta('s2_emulator_read_bytes_total')).toBe(metered)
    expect(delta('s2_emulator_basins{state="active"}')).toBe(1)
    expect(delta('s2_emulator_streams{state="active"}')).toBe(1)
  })
})

describe('CORS, on by default (§1.3)', () => {
  const origin = 'https://app.example.test'

  it('mirrors the Origin and allows credentials on responses of every kind', async () => {
    const responses = [
      await t.raw('GET', '/v1/basins', { headers: { origin } }),
      await t.raw('GET', '/v1/streams', { headers: { origin } }),
      await t.raw('POST', `/v1/streams/${S}/records`, { headers: inB({ origin }), body: { records: [] } }),
      await t.raw('GET', '/health', { headers: { origin } }),
      await t.raw('GET', '/no-such-path', { headers: { origin } }),
      await t.raw('DELETE', '/v1/basins', { headers: { origin } }),
    ]
    expect(responses.map((r) => r.status)).toEqual([200, 400, 422, 200, 404, 405])
    for (const res of responses) {
      expect(header(res, 'access-control-allow-origin')).toBe(origin)
      expect(header(res, 'access-control-allow-credentials')).toBe('true')
    }
  })

  it('adds no CORS headers to a request without Origin', async () => {
    const res = await t.raw('GET', '/v1/basins')
    expect(res.status).toBe(200)
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('answers a preflight with 200, mirroring origin, method and headers', async () => {
    const before = await snapshot()
    const res = await t.raw('OPTIONS', `/v1/streams/${S}/records`, {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 's2-basin,content-type,s2-format' },
    })
    expect(res.status).toBe(200)
    expect(res.text).toBe('')
    expect(header(res, 'access-control-allow-origin')).toBe(origin)
    expect(header(res, 'access-control-allow-credentials')).toBe('true')
    expect(header(res, 'access-control-allow-methods')).toBe('POST')
    expect(header(res, 'access-control-allow-headers')).toBe('s2-basin,content-type,s2-format')
    expect(await snapshot()).toEqual(before)
  })

  it('answers a preflight for DELETE without touching the resource', async () => {
    const res = await t.raw('OPTIONS', `/v1/basins/${B}`, { headers: { origin, 'access-control-request-method': 'DELETE' } })
    expect(res.status).toBe(200)
    expect(header(res, 'access-control-allow-methods')).toBe('DELETE')
    const config = await t.raw('GET', `/v1/basins/${B}`)
    expect(config.status).toBe(200)
  })
})

describe('CORS off (cors: false, like --no-cors)', () => {
  const off = useEmulator({ cors: false })
  const origin = 'https://app.example.test'

  it('sends no CORS headers, even when the request has an Origin', async () => {
    const res = await off.raw('GET', '/v1/basins', { headers: { origin } })
    expect(res.status).toBe(200)
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('does not answer preflights: OPTIONS is a 405 without CORS headers', async () => {
    const res = await off.raw('OPTIONS', '/v1/basins', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(res.status).toBe(405)
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })
})

describe('internal errors (§8.2 `other`)', () => {
  it('never leaks a stack trace or source path in any error body', async () => {
    const requests: [string, string, RawRequest][] = [
      ['POST', '/v1/basins', { headers: JSON_CT, body: '['.repeat(100_000) + ']'.repeat(100_000) }],
      ['POST', '/v1/basins', { headers: JSON_CT, body: JSON.stringify({ basin: { toString: 1 } }) }],
      ['POST', '/v1/basins', { body: { basin: basinName('big'), config: { default_stream_config: { retention_policy: { age: 1e300 } } } } }],
      ['POST', `/v1/streams/${S}/records`, { headers: inB(), body: { records: [{ body: 'x', timestamp: 2 ** 64 }] } }],
      ['POST', `/v1/streams/${S}/records`, { headers: inB(), body: { records: [{ body: 'x' }], match_seq_num: 2 ** 70 } }],
      ['GET', `/v1/streams/${S}/records?seq_num=18446744073709551615`, { headers: inB() }],
      ['GET', `/v1/streams/${S}/records?tail_offset=18446744073709551615`, { headers: inB() }],
      ['GET', `/v1/streams/${S}/records?timestamp=18446744073709551615&count=0&bytes=0`, { headers: inB() }],
      ['GET', '/v1/streams/%00', { headers: inB() }],
      ['PATCH', `/v1/streams/${S}`, { headers: inB(JSON_CT), body: '{"__proto__":{"storage_class":"standard"},"constructor":1}' }],
      ['POST', '/v1/basins', { headers: JSON_CT, body: '{"basin":"proto-basin-x","__proto__":{"x":1}}' }],
    ]
    for (const [method, path, init] of requests) {
      const res = await t.raw(method, path, init)
      expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|Error:/)
      if (res.status >= 500) {
        expect(header(res, 'content-type')).toBe('application/json')
        expect(Object.keys(res.json as object).sort()).toEqual(['code', 'message'])
      }
    }
    // The service is still healthy afterwards.
    const tail = await t.raw('GET', `/v1/streams/${S}/records/tail`, { headers: inB() })
    expect(tail.status).toBe(200)
    expect(messageOf(await t.raw('GET', '/v1/streams'))).toBe(MISSING_BASIN)
  })
})
