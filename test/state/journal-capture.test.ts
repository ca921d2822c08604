import { randomBytes } from 'node:crypto'
import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { parseCli, UsageError } from '../../src/cli/args.ts'
import { S2EmulatorError, startS2Emulator, type JournalEntry, type S2Emulator } from '../../src/index.ts'
import { useEmulator } from '../support/emulator.ts'
import { useStreamHandles } from '../support/sessions.ts'
import { encodeAppendInput } from '../support/wire.ts'

/**
 * What the journal keeps beyond a request's facts: its headers (never the values of secrets) and
 * the records an append carried, within a bound per entry and one per namespace.
 */

const appendJson = (t: ReturnType<typeof useEmulator>, basin: string, stream: string, body: unknown, headers: Record<string, string> = {}) =>
  t.raw('POST', `/v1/streams/${stream}/records`, { headers: { 's2-basin': basin, ...headers }, body })

async function lastAppend(emulator: S2Emulator, basin: string): Promise<JournalEntry> {
  const entry = (await emulator.journal.list({ basin, operation: 'append' })).at(-1)
  if (entry === undefined) throw new Error('no append in the journal')
  return entry
}

describe('record content, with the default bounds', () => {
  const t = useEmulator()
  const openStream = useStreamHandles()
  beforeEach(() => t.emulator.journal.clear())

  it('keeps the bodies, headers and client timestamps of a unary JSON append, in order', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendJson(t, basin, stream, {
      records: [
        { body: 'order-1', headers: [['type', 'created']], timestamp: 1767225600000 },
        { body: 'order-2 ✓' },
      ],
    })
    expect(res.status).toBe(200)
    expect((await lastAppend(t.emulator, basin)).records).toEqual({
      count: 2,
      items: [
        { headers: [['type', 'created']], body: 'order-1', encoding: 'utf-8', timestamp: 1767225600000, bodyBytes: 7, truncated: false },
        { headers: [], body: 'order-2 ✓', encoding: 'utf-8', timestamp: null, bodyBytes: 11, truncated: false },
      ],
      truncated: false,
      evicted: false,
    })
  })

  it('writes a record in base64 when any of its parts is not UTF-8, and keeps protobuf appends alike', async () => {
    const { basin, stream } = await t.stream()
    const binary = Uint8Array.from([0xff, 0x00, 0x80])
    const res = await t.raw('POST', `/v1/streams/${stream}/records`, {
      headers: { 's2-basin': basin, 'content-type': 'application/protobuf' },
      body: encodeAppendInput({ records: [{ body: binary, headers: [{ name: Buffer.from('k'), value: Buffer.from('v') }] }, { body: Buffer.from('text') }] }),
    })
    expect(res.status).toBe(200)
    const { records } = await lastAppend(t.emulator, basin)
    expect(records?.items).toEqual([
      { headers: [['aw==', 'dg==']], body: Buffer.from(binary).toString('base64'), encoding: 'base64', timestamp: null, bodyBytes: 3, truncated: false },
      { headers: [], body: 'text', encoding: 'utf-8', timestamp: null, bodyBytes: 4, truncated: false },
    ])
  })

  it("keeps every input's records of an S2S append session in one entry, as they arrive", async () => {
    const { basin, stream } = await t.stream()
    const handle = openStream(t.s2, basin, stream, 's2s')
    const session = await handle.appendSession()
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'a' })]))).ack()
    await vi.waitFor(async () => expect((await lastAppend(t.emulator, basin)).records?.count).toBe(1))
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'b' }), AppendRecord.string({ body: 'c' })]))).ack()
    await session.close()
    const entry = await lastAppend(t.emulator, basin)
    expect(entry.transport).toBe('s2s')
    expect(entry.records?.items.map((r) => r.body)).toEqual(['a', 'b', 'c'])
    expect(entry.records?.count).toBe(3)
  })

  it('keeps the records of an append that failed (what was sent, not what was stored)', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendJson(t, basin, stream, { records: [{ body: 'late' }], match_seq_num: 9 })
    expect(res.status).toBe(412)
    const entry = await lastAppend(t.emulator, basin)
    expect([entry.status, entry.records?.items.map((r) => r.body)]).toEqual([412, ['late']])
  })

  it('has records only on appends', async () => {
    const { basin, stream } = await t.stream()
    await t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })
    const entries = await t.emulator.journal.list({ basin })
    expect(entries.map((e) => [e.operation, e.records])).toEqual([
      ['create_basin', null],
      ['create_stream', null],
      ['check_tail', null],
    ])
  })

  it("keeps the request's headers, with the values of authorization and s2-encryption-key redacted", async () => {
    const { basin, stream } = await t.stream()
    const token = `tok-${randomBytes(12).toString('hex')}`
    const key = randomBytes(32).toString('base64')
    const res = await appendJson(t, basin, stream, { records: [{ body: 'x' }] }, {
      authorization: `Bearer ${token}`,
      's2-encryption-key': key,
      'x-request-id': 'req-42',
      'S2-Format': 'raw',
    })
    expect(res.status).toBe(200)
    const journal = await t.raw('GET', `/_emulator/journal?basin=${basin}&operation=append`)
    const [entry] = (journal.json as { entries: JournalEntry[] }).entries
    expect(entry?.headers).toMatchObject({
      authorization: '[redacted]',
      's2-encryption-key': '[redacted]',
      'x-request-id': 'req-42',
      's2-format': 'raw',
      's2-basin': basin,
      'content-type': 'application/json',
    })
    expect(journal.text).not.toContain(token)
    expect(journal.text).not.toContain(key.slice(0, 16))
  })
})

describe('the bound per entry (journalRecordBytes)', () => {
  const t = useEmulator({ journalRecordBytes: 10 })

  it('keeps whole records up to it, cuts the one that crosses it and keeps none after, counting all', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, { records: [{ body: 'abcd' }, { body: 'efghijkl' }, { body: 'mn' }] })
    expect((await lastAppend(t.emulator, basin)).records).toEqual({
      count: 3,
      items: [
        { headers: [], body: 'abcd', encoding: 'utf-8', timestamp: null, bodyBytes: 4, truncated: false },
        { headers: [], body: 'efghij', encoding: 'utf-8', timestamp: null, bodyBytes: 8, truncated: true },
      ],
      truncated: true,
      evicted: false,
    })
  })

  it('counts header names and values, and never splits a UTF-8 character when it cuts a body', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, { records: [{ headers: [['ab', 'cd']], body: 'xy€€' }] })
    // 4 bytes of headers leave 6 of the 8-byte body: "xy€" and one byte of the second "€", dropped.
    expect((await lastAppend(t.emulator, basin)).records?.items).toEqual([
      { headers: [['ab', 'cd']], body: 'xy€', encoding: 'utf-8', timestamp: null, bodyBytes: 8, truncated: true },
    ])
  })
})

describe('journalRecordBytes 0', () => {
  const t = useEmulator({ journalRecordBytes: 0 })

  it('keeps no record content, only the count', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, { records: [{ body: 'a' }, { body: 'b' }] })
    const entry = await lastAppend(t.emulator, basin)
    expect(entry.records).toEqual({ count: 2, items: [], truncated: true, evicted: false })
    expect(entry.headers['s2-basin']).toBe(basin)
  })
})

describe('the bound per namespace (journalNamespaceBytes)', () => {
  const t = useEmulator({ journalNamespaceBytes: 25, isolation: 'token' })

  it('drops the records of the oldest entries first, keeping the entries, and counts each namespace apart', async () => {
    const ns = await t.emulator.createNamespace()
    const other = await t.emulator.createNamespace()
    const basin = 'bounded-basin'
    for (const handle of [ns, other]) {
      await handle.init({ basins: [{ name: basin, streams: [{ name: 's' }] }] })
    }
    const append = (token: string, body: string) =>
      appendJson(t, basin, 's', { records: [{ body }] }, { authorization: `Bearer ${token}` })
    await append(ns.token, '1111111111') // 10 bytes
    await append(ns.token, '2222222222') // 20
    await append(other.token, 'xxxxxxxxxxxxxxxxxxxx') // 20 in the other namespace
    await append(ns.token, '3333333333') // 30 > 25: the oldest loses its records
    const entries = await ns.journal.list({ operation: 'append' })
    expect(entries.map((e) => [e.records?.items.map((r) => r.body), e.records?.evicted, e.records?.count])).toEqual([
      [[], true, 1],
      [['2222222222'], false, 1],
      [['3333333333'], false, 1],
    ])
    expect((await other.journal.list({ operation: 'append' }))[0]?.records?.items.map((r) => r.body)).toEqual(['xxxxxxxxxxxxxxxxxxxx'])
  })

  it('frees the content of entries the ring drops, and of a cleared journal', async () => {
    const emulator = await startS2Emulator({ journalSize: 2, journalNamespaceBytes: 20 })
    try {
      const raw = (body: string) =>
        fetch(`${emulator.url}/v1/streams/s/records`, {
          method: 'POST',
          headers: { 's2-basin': 'ring-basin', 'content-type': 'application/json' },
          body: JSON.stringify({ records: [{ body }] }),
        })
      await emulator.init({ basins: [{ name: 'ring-basin', streams: [{ name: 's' }] }] })
      for (const body of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) await raw(body) // the ring keeps two: 20 bytes, no eviction
      expect((await emulator.journal.list()).map((e) => [e.records?.items[0]?.body, e.records?.evicted])).toEqual([
        ['bbbbbbbbbb', false],
        ['cccccccccc', false],
      ])
      await emulator.journal.clear()
      await raw('dddddddddd')
      await raw('eeeeeeeeee')
      expect((await emulator.journal.list()).map((e) => e.records?.evicted)).toEqual([false, false])
    } finally {
      await emulator.stop()
    }
  })
})

describe('options', () => {
  it('rejects bounds that are not integers >= 0, naming them', async () => {
    const error = await startS2Emulator({ journalRecordBytes: -1, journalNamespaceBytes: 1.5 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as Error).message).toContain('journalRecordBytes must be an integer >= 0 (got -1)')
    expect((error as Error).message).toContain('journalNamespaceBytes must be an integer >= 0 (got 1.5)')
  })

  it('takes --journal-record-bytes and --journal-namespace-bytes on the command line', () => {
    expect(parseCli(['--journal-record-bytes', '0', '--journal-namespace-bytes', '1048576'], {})).toMatchObject({
      kind: 'serve',
      options: { journalRecordBytes: 0, journalNamespaceBytes: 1048576 },
    })
    expect(() => parseCli(['--journal-record-bytes', '-3'], {})).toThrow(UsageError)
    expect(() => parseCli(['--journal-namespace-bytes', 'lots'], {})).toThrow(/--journal-namespace-bytes/)
  })
})

describe('the bound per namespace, with a session that grows', () => {
  const t = useEmulator({ journalNamespaceBytes: 15 })
  const openStream = useStreamHandles()

  it("counts a session's inputs as they arrive, evicting older entries first, then its own", async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, { records: [{ body: 'aaaaaaaaaa' }] }) // 10 bytes
    const session = await openStream(t.s2, basin, stream, 's2s').appendSession()
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'bbbbbbbbbb' })]))).ack() // 20 > 15: the unary entry goes
    const first = await t.emulator.journal.list({ basin, operation: 'append' })
    expect(first.map((e) => [e.transport, e.records?.evicted, e.records?.items.map((r) => r.body)])).toEqual([
      ['unary', true, []],
      ['s2s', false, ['bbbbbbbbbb']],
    ])
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'cccccccccc' })]))).ack() // 20 > 15 again: its own
    await session.close()
    const [, own] = await t.emulator.journal.list({ basin, operation: 'append' })
    expect([own?.records?.evicted, own?.records?.count, own?.records?.items]).toEqual([true, 2, []])
  })
})
