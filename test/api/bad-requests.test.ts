import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { useEmulator } from '../support/emulator.ts'
import { H2Client } from '../support/wire.ts'
import { RawConnection, rawHttp, requestText } from '../support/raw-http.ts'
import { until } from '../support/process.ts'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Requests that HTTP clients do not send but fuzzers and odd proxies do: a `Host` that is missing
 * or that URL parsing refuses, a backslash in the path, a body cut short, snapshot paths that name
 * no file. s2-lite ignores `Host` and routes on the raw path, so those are served as it serves
 * them; everything else is an S2-shaped 4xx (`{code, message}`), and none of it is logged as an
 * internal error of the emulator.
 */

const t = useEmulator()
let basin = ''
let logged: MockInstance<typeof console.error>
beforeAll(async () => {
  basin = await t.basin()
})
afterEach(() => {
  logged?.mockRestore()
})
afterAll(() => {
  logged?.mockRestore()
})

/** Watches console.error, where the emulator reports unexpected errors (with their stacks). */
function watchLog(): MockInstance<typeof console.error> {
  logged = vi.spyOn(console, 'error').mockImplementation(() => {})
  return logged
}

const json = (value: unknown): string => JSON.stringify(value)

describe('Host, as s2-lite: ignored', () => {
  it.each([
    ['a host URL parsing refuses (127.0.m.1)', ['Host: 127.0.m.1']],
    ['a host with a space (a b)', ['Host: a b']],
    ['no host at all', []],
    ['an IPv4 host URL parsing rewrites (127.1)', ['Host: 127.1']],
  ])('a create with a body and %s is served: 201', async (_, host) => {
    const log = watchLog()
    const name = `${basin}-h${Math.random().toString(36).slice(2, 6)}`
    const res = await rawHttp(t.url, requestText('POST /v1/basins HTTP/1.1', [...host, 'Content-Type: application/json', 'Connection: close'], json({ basin: name })))
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ name })
    expect(log).not.toHaveBeenCalled()
  })

  it.each([['Host: 127.0.m.1'], ['Host: a b'], ['Host: [::1'], ['Host: x@y']])('a read with %s is served: 200', async (host) => {
    const log = watchLog()
    const res = await rawHttp(t.url, requestText('GET /v1/basins HTTP/1.1', [host, 'Connection: close']))
    expect(res.status).toBe(200)
    expect((res.json as { basins: { name: string }[] }).basins.map((b) => b.name)).toContain(basin)
    expect(log).not.toHaveBeenCalled()
  })

  it('over h2c, an :authority URL parsing refuses is ignored too', async () => {
    const client = await H2Client.connect(t.url)
    try {
      const res = await client.unary({ method: 'GET', path: '/v1/basins', headers: { ':authority': '127.0.m.1' } })
      expect(res.status).toBe(200)
    } finally {
      client.destroy()
    }
  })
})

describe('a backslash in the path, as s2-lite: part of the name', () => {
  it('names a stream that can be created and read by that name', async () => {
    const log = watchLog()
    const create = await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'back\\slash' } })
    expect(create.status).toBe(201)
    const tail = await rawHttp(t.url, requestText('GET /v1/streams/back\\slash/records/tail HTTP/1.1', [`S2-Basin: ${basin}`, 'Connection: close']))
    expect(tail).toMatchObject({ status: 200, json: { tail: { seq_num: 0 } } })
    const missing = await rawHttp(t.url, requestText('GET /v1/streams/no\\such/records/tail HTTP/1.1', [`S2-Basin: ${basin}`, 'Connection: close']))
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({ code: 'stream_not_found', message: expect.stringContaining('no\\such') })
    expect(log).not.toHaveBeenCalled()
  })

  it('in a path the API does not know is a bare 404, as for any unknown path', async () => {
    const res = await rawHttp(t.url, requestText('GET /v1/basins\\x HTTP/1.1', ['Connection: close']))
    expect(res).toMatchObject({ status: 404, body: '' })
  })

  it('over h2c is served the same way', async () => {
    const client = await H2Client.connect(t.url)
    try {
      const res = await client.unary({ method: 'GET', path: '/v1/streams/back\\slash/records/tail', headers: { 's2-basin': basin } })
      expect(res.status).toBe(200)
    } finally {
      client.destroy()
    }
  })
})

describe('a request body cut short', () => {
  it('is a 400 for no one to read, and not logged as an internal error', async () => {
    const log = watchLog()
    const before = (await t.emulator.journal.list({ operation: 'create_basin' })).length
    const connection = await RawConnection.open(t.url)
    await connection.write(requestText('POST /v1/basins HTTP/1.1', ['Host: x', 'Content-Type: application/json', 'Content-Length: 100']) + '{"basin":')
    await delay(200) // the server reads the head and starts on the body before the client goes
    connection.destroy()
    await until(async () => (await t.emulator.journal.list({ operation: 'create_basin' })).length > before)
    const [entry] = (await t.emulator.journal.list({ operation: 'create_basin' })).slice(before)
    expect(entry?.error).toEqual({ status: 400, code: 'bad_json' })
    expect(log).not.toHaveBeenCalled()
  })
})

describe('a request asking to upgrade the connection', () => {
  it('is answered as a plain request on a connection that then closes, so a request after it never waits unanswered', async () => {
    const connection = await RawConnection.open(t.url)
    try {
      await connection.write(requestText('GET /health HTTP/1.1', ['Host: x', 'Connection: upgrade', 'Upgrade: websocket']))
      const res = await connection.response()
      expect(res).toMatchObject({ status: 200, body: 'OK', headers: { connection: 'close' } })
      await connection.write('NOT HTTP AT ALL\r\n\r\n').catch(() => {})
      await connection.closed
      expect(connection.pending).toBe('')
    } finally {
      connection.destroy()
    }
  })
})

describe('snapshot file paths that name no file', () => {
  // Files by path need a snapshot directory; paths in it that name no file are the caller's mistake.
  const t = useEmulator({ snapshotDir: tmpdir() })
  beforeAll(async () => {
    await t.emulator.snapshots.take('bad-paths')
  })

  it.each([
    ['a NUL character', '\u0000'],
    ['a NUL inside a name', join(tmpdir(), 'a\u0000b.s2snap')],
    ['the root directory', '/'],
    ['a directory (trailing /)', `${join(tmpdir(), 'sub')}/`],
  ])('export to %s is a 400 with {code, message}', async (_, path) => {
    const log = watchLog()
    const res = await t.raw('POST', '/_emulator/snapshots/bad-paths/export', { body: { path } })
    expect(res.status).toBe(400)
    expect(Object.keys(res.json as object).sort()).toEqual(['code', 'message'])
    expect(log).not.toHaveBeenCalled()
  })

  it.each([
    ['a NUL character', '\u0000'],
    ['the root directory', '/'],
  ])('import from %s is a 400 with {code, message}', async (_, path) => {
    const log = watchLog()
    const res = await t.raw('POST', '/_emulator/snapshots/import', { body: { name: 'never', path } })
    expect(res.status).toBe(400)
    expect(Object.keys(res.json as object).sort()).toEqual(['code', 'message'])
    expect(log).not.toHaveBeenCalled()
  })
})
