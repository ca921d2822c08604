import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'

/**
 * `inspectStream` (`GET /_emulator/.../basins/{basin}/streams/{stream}/records`): a stream's
 * stored records, looked at without touching: no fault, no journal entry, no key, no auto-create.
 */

const t = useEmulator({ isolation: 'token', trimDelayMs: 0 }) // trims apply at once

const append = (basin: string, stream: string, body: unknown, headers: Record<string, string> = {}) =>
  t.raw('POST', `/v1/streams/${encodeURIComponent(stream)}/records`, { headers: { 's2-basin': basin, ...headers }, body })

describe('inspectStream', () => {
  it('reads records with their sequence numbers, timestamps, headers and bodies, and the tail', async () => {
    const { basin, stream } = await t.stream()
    expect((await append(basin, stream, { records: [{ body: 'a', headers: [['k', 'v']], timestamp: 5 }, { body: 'b' }] })).status).toBe(200)
    const page = await t.emulator.inspectStream({ basin, stream })
    expect(page.records.map((r) => [r.seqNum, r.headers, r.body, r.encoding])).toEqual([
      [0, [['k', 'v']], 'a', 'utf-8'],
      [1, [], 'b', 'utf-8'],
    ])
    expect(page.records[0]?.timestamp).toBeGreaterThan(0)
    expect(page.tail).toEqual({ seqNum: 2, timestamp: page.records[1]?.timestamp })
    expect(page.next).toBe(2)
  })

  it('pages with seqNum and count, skips trimmed records and writes non-UTF-8 records in base64', async () => {
    const { basin, stream } = await t.stream()
    const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64')
    const records = [{ body: b64('zero') }, { body: b64(Uint8Array.from([0xff])) }, { body: b64('two') }, { body: b64('three') }]
    expect((await append(basin, stream, { records }, { 's2-format': 'base64' })).status).toBe(200)
    const trim = { headers: [[b64(''), b64('trim')]], body: b64(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])) }
    expect((await append(basin, stream, { records: [trim] }, { 's2-format': 'base64' })).status).toBe(200)
    const first = await t.emulator.inspectStream({ basin, stream }, { count: 2 })
    // seq 0 is trimmed; the trim command is a record too (its header name is empty).
    expect(first.records.map((r) => [r.seqNum, r.encoding, r.body])).toEqual([
      [1, 'base64', '/w=='],
      [2, 'utf-8', 'two'],
    ])
    expect(first.next).toBe(3)
    const rest = await t.emulator.inspectStream({ basin, stream }, { seqNum: first.next })
    expect(rest.records.map((r) => [r.seqNum, r.encoding, r.headers, r.body])).toEqual([
      [3, 'utf-8', [], 'three'],
      [4, 'utf-8', [['', 'trim']], '\0\0\0\0\0\0\0\x01'],
    ])
    expect(rest.next).toBe(5)
  })

  it("reads a namespace's own stream, past its fault rules, without a journal entry", async () => {
    const ns = await t.emulator.createNamespace()
    const other = await t.emulator.createNamespace()
    for (const [handle, body] of [[ns, 'mine'], [other, 'theirs']] as const) {
      await handle.init({ basins: [{ name: 'inspect-basin', streams: [{ name: 'events' }] }] })
      await append('inspect-basin', 'events', { records: [{ body }] }, { authorization: `Bearer ${handle.token}` })
    }
    await ns.faults.add({ match: {}, action: { type: 'error', status: 503 } })
    const before = (await ns.journal.list()).length
    const page = await ns.inspectStream({ basin: 'inspect-basin', stream: 'events' })
    expect(page.records.map((r) => r.body)).toEqual(['mine'])
    expect((await ns.journal.list()).length).toBe(before)
    expect((await ns.faults.list())[0]?.matched).toBe(0)
  })

  it('needs no key for an encrypted stream', async () => {
    const { basin, stream } = await t.stream(undefined, { stream_cipher: 'aegis-256' })
    const key = randomBytes(32).toString('base64')
    expect((await append(basin, stream, { records: [{ body: 'sealed' }] }, { 's2-encryption-key': key })).status).toBe(200)
    expect((await t.emulator.inspectStream({ basin, stream })).records.map((r) => r.body)).toEqual(['sealed'])
  })

  it('answers 404 for a missing basin or stream, and never creates one, even with create_stream_on_read', async () => {
    const basin = await t.basin({ create_stream_on_read: true })
    const missingStream = await t.raw('GET', `/_emulator/basins/${basin}/streams/nope/records`)
    expect([missingStream.status, (missingStream.json as { code: string }).code]).toEqual([404, 'stream_not_found'])
    const missingBasin = await t.raw('GET', '/_emulator/basins/no-such-basin-here/streams/nope/records')
    expect([missingBasin.status, (missingBasin.json as { code: string }).code]).toEqual([404, 'basin_not_found'])
    const listed = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect((listed.json as { streams: unknown[] }).streams).toEqual([])
  })

  it('answers 400 bad_query for a seq_num or count that is not an integer in range', async () => {
    const { basin, stream } = await t.stream()
    for (const query of ['seq_num=-1', 'seq_num=x', 'count=10001', 'count=1.5']) {
      const res = await t.raw('GET', `/_emulator/basins/${basin}/streams/${stream}/records?${query}`)
      expect([res.status, (res.json as { code: string }).code], query).toEqual([400, 'bad_query'])
    }
  })

  it('reads stream names that need percent-encoding', async () => {
    const basin = await t.basin()
    const stream = 'orders/2026 #1'
    expect((await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream } })).status).toBe(201)
    expect((await append(basin, stream, { records: [{ body: 'slash' }] })).status).toBe(200)
    expect((await t.emulator.inspectStream({ basin, stream })).records.map((r) => r.body)).toEqual(['slash'])
  })
})

describe('inspectStream and trims', () => {
  it('sees a trim once it is due, as a read opening then would', async () => {
    const { startS2Emulator } = await import('../../src/index.ts')
    await using emulator = await startS2Emulator({ clock: 'virtual', trimDelayMs: 100 })
    await emulator.init({ basins: [{ name: 'trim-basin', streams: [{ name: 's' }] }] })
    const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64')
    const trim = { headers: [[b64(''), b64('trim')]], body: b64(Buffer.from([0, 0, 0, 0, 0, 0, 0, 2])) }
    const res = await fetch(`${emulator.url}/v1/streams/s/records`, {
      method: 'POST',
      headers: { 's2-basin': 'trim-basin', 'content-type': 'application/json', 's2-format': 'base64' },
      body: JSON.stringify({ records: [{ body: b64('a') }, { body: b64('b') }, trim] }),
    })
    expect(res.status).toBe(200)
    const bodies = async () => (await emulator.inspectStream({ basin: 'trim-basin', stream: 's' })).records.map((r) => r.seqNum)
    expect(await bodies()).toEqual([0, 1, 2])
    await emulator.clock.advance(100)
    expect(await bodies()).toEqual([2])
  })
})
