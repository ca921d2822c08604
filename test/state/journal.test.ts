import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { AppendInput, AppendRecord, S2, type AppendAck } from '@s2-dev/streamstore'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { parseCli, UsageError } from '../../src/cli/args.ts'
import { S2EmulatorError, startS2Emulator, type JournalEntry, type S2Emulator } from '../../src/index.ts'
import { basinName, useEmulator } from '../support/emulator.ts'
import { makeClient, readAll, settle, stringRecords, useStreamHandles } from '../support/sessions.ts'

/**
 * The request journal: a bounded log per namespace of the S2 requests and sessions an emulator
 * served, read over `GET /_emulator/journal` and `emulator.journal.list()`.
 */

/** Waits (polling the journal) until `pick` finds an entry whose session has ended; returns it. */
async function endedSession(emulator: S2Emulator, pick: (e: JournalEntry) => boolean): Promise<JournalEntry> {
  return vi.waitFor(
    async () => {
      const entry = (await emulator.journal.list()).find(pick)
      if (entry?.session?.end === undefined || entry.session.end === 'open') throw new Error('the session has not ended yet')
      return entry
    },
    { timeout: 5000, interval: 5 },
  )
}

const one = (body: string) => AppendInput.create([AppendRecord.string({ body })])

describe('a journal of SDK traffic', () => {
  const t = useEmulator()
  const openStream = useStreamHandles()
  beforeEach(async () => {
    await t.emulator.faults.clear()
    await t.emulator.journal.clear()
  })

  /** A basin and stream created through the SDK; returns their names. */
  async function created(): Promise<{ basin: string; stream: string }> {
    const basin = basinName('journal')
    await t.s2.basins.create({ basin })
    await t.s2.basin(basin).streams.create({ stream: 'events' })
    return { basin, stream: 'events' }
  }

  it('records each unary call with its operation, method, path, basin, stream, transport and status, oldest first', async () => {
    const startedAt = (await t.emulator.clock.get()).now
    const { basin, stream } = await created()
    const handle = t.s2.basin(basin).stream(stream)
    await handle.append(one('hello'))
    await handle.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    await handle.checkTail()

    const entries = await t.emulator.journal.list({ basin })
    expect(entries.map((e) => [e.operation, e.method, e.status, e.transport])).toEqual([
      ['create_basin', 'POST', 201, 'unary'],
      ['create_stream', 'POST', 201, 'unary'],
      ['append', 'POST', 200, 'unary'],
      ['read', 'GET', 200, 'unary'],
      ['check_tail', 'GET', 200, 'unary'],
    ])
    // Names come from the body (creates), the path or the s2-basin header.
    expect(entries.map((e) => [e.basin, e.stream])).toEqual([
      [basin, null],
      [basin, stream],
      [basin, stream],
      [basin, stream],
      [basin, stream],
    ])
    expect(entries[0]).toMatchObject({ namespace: 'default', path: '/v1/basins', query: '', faults: [], error: null, session: null })
    expect(entries[3]).toMatchObject({ path: `/v1/streams/${stream}/records` })
    expect(entries[3]?.query).toContain('seq_num=0')
    expect(entries[4]?.path).toBe(`/v1/streams/${stream}/records/tail`)
    // seq increases by one per entry; time is the emulator clock's, in ms and ISO 8601.
    const seqs = entries.map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i))
    for (const e of entries) {
      expect(new Date(e.iso).getTime()).toBe(e.time)
      expect(e.time).toBeGreaterThanOrEqual(startedAt)
      expect(e.durationMs).toBeGreaterThanOrEqual(0)
      expect(e.authorization).toBe(true)
      expect(e.encryptionKey).toBe(false)
    }
  })

  it('records failed requests with their status and error code', async () => {
    const { basin, stream } = await created()
    const handle = t.s2.basin(basin).stream(stream)
    expect((await settle(t.s2.basin(basin).stream('missing').checkTail())).ok).toBe(false)
    expect((await settle(handle.append(AppendInput.create([AppendRecord.string({ body: 'x' })], { matchSeqNum: 7 })))).ok).toBe(false)
    expect((await settle(t.s2.basins.create({ basin })))).toMatchObject({ ok: false })

    const entries = await t.emulator.journal.list({ basin, since: (await t.emulator.journal.list({ operation: 'create_stream', basin }))[0]?.seq })
    expect(entries.map((e) => [e.operation, e.stream, e.status, e.error])).toEqual([
      ['check_tail', 'missing', 404, { status: 404, code: 'stream_not_found' }],
      ['append', stream, 412, { status: 412, code: 'append_condition_failed' }],
      // The name of a create is read from its body, also when the create fails.
      ['create_basin', null, 409, { status: 409, code: 'resource_already_exists' }],
    ])
  })

  it('records an SSE read session with what it sent and that it completed', async () => {
    const { basin, stream } = await created()
    const handle = openStream(makeClient(t.url), basin, stream, 'fetch')
    await handle.append(AppendInput.create(stringRecords('r', 4)))
    const records = await readAll(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 } } })
    expect(records).toHaveLength(3)

    const entry = await endedSession(t.emulator, (e) => e.basin === basin && e.operation === 'read')
    expect(entry).toMatchObject({ transport: 'sse', status: 200, stream, faults: [] })
    expect(entry.session).toMatchObject({ kind: 'read', records: 3, end: 'complete', error: null })
    expect(entry.session?.kind === 'read' && entry.session.batches).toBeGreaterThanOrEqual(1)
    expect(entry.session?.endedAt).toBeGreaterThanOrEqual(entry.time)
    expect(new Date(entry.session?.endedIso ?? '').getTime()).toBe(entry.session?.endedAt)
    expect(entry.session?.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('records an S2S read session that the client closed', async () => {
    const { basin, stream } = await created()
    const handle = openStream(makeClient(t.url), basin, stream, 's2s')
    await handle.append(AppendInput.create(stringRecords('r', 2)))
    const session = await handle.readSession({ start: { from: { seqNum: 0 } } }) // follows: never ends by itself
    const seen: string[] = []
    for await (const record of session) {
      seen.push(record.body)
      if (seen.length === 2) break
    }
    expect(seen).toEqual(['r0', 'r1'])

    const entry = await endedSession(t.emulator, (e) => e.basin === basin && e.operation === 'read')
    expect(entry).toMatchObject({ transport: 's2s', status: 200 })
    expect(entry.session).toMatchObject({ kind: 'read', records: 2, end: 'client_closed' })
  })

  it('records an S2S append session with its inputs, records and acks', async () => {
    const { basin, stream } = await created()
    const handle = openStream(makeClient(t.url), basin, stream, 's2s')
    const session = await handle.appendSession()
    const acks: Promise<AppendAck>[] = []
    acks.push((await session.submit(AppendInput.create(stringRecords('a', 2)))).ack())
    acks.push((await session.submit(AppendInput.create(stringRecords('b', 3)))).ack())
    expect((await Promise.all(acks)).map((a) => a.end.seqNum)).toEqual([2, 5])
    await session.close()

    const entry = await endedSession(t.emulator, (e) => e.basin === basin && e.operation === 'append')
    expect(entry).toMatchObject({ transport: 's2s', status: 200, stream, method: 'POST' })
    expect(entry.session).toEqual(
      expect.objectContaining({ kind: 'append', inputs: 2, records: 5, acks: 2, end: 'complete', error: null }),
    )
  })

  it('names the fault rule that fired and the error it injected', async () => {
    const { basin, stream } = await created()
    await t.emulator.faults.add({ id: 'tail-503', match: { basin, operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
    const failed = await settle(t.s2.basin(basin).stream(stream).checkTail())
    expect(failed.ok).toBe(false)
    await t.s2.basin(basin).stream(stream).checkTail() // the rule fired once: this one passes

    const entries = await t.emulator.journal.list({ basin, operation: 'check_tail' })
    expect(entries.map((e) => [e.status, e.faults, e.error?.status ?? null])).toEqual([
      [503, ['tail-503'], 503],
      [200, [], null],
    ])
    expect(entries[0]?.error?.code).toEqual(expect.any(String))
  })

  it('gives a request whose connection a fault dropped no status', async () => {
    const { basin, stream } = await created()
    await t.emulator.faults.add({ id: 'drop', match: { basin, operation: 'check_tail' }, action: { type: 'reset' }, times: 1 })
    expect((await settle(t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } }))).ok).toBe(false)

    const [entry] = await t.emulator.journal.list({ basin, operation: 'check_tail' })
    expect(entry).toMatchObject({ status: null, error: null, faults: ['drop'] })
  })

  it('records a read session that a fault ended, after the records it sent', async () => {
    const { basin, stream } = await created()
    const handle = openStream(makeClient(t.url), basin, stream, 'fetch')
    await handle.append(AppendInput.create(stringRecords('r', 5)))
    await t.emulator.faults.add({
      id: 'cut-after-2',
      match: { basin, operation: 'read', transport: 'sse' },
      action: { type: 'error', status: 503, after: { records: 2 } },
      times: 1,
    })
    const session = await handle.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
    const outcome = await settle((async () => {
      for await (const record of session) void record
    })())
    expect(outcome.ok).toBe(false)

    const entry = await endedSession(t.emulator, (e) => e.basin === basin && e.operation === 'read')
    expect(entry).toMatchObject({ transport: 'sse', status: 200, faults: ['cut-after-2'] })
    expect(entry.session).toMatchObject({ kind: 'read', records: 2, end: 'fault', error: { status: 503 } })
  })

  it('filters by operation, basin, stream, since and limit', async () => {
    const first = await created()
    const second = await created()
    for (const { basin, stream } of [first, second]) await t.s2.basin(basin).stream(stream).checkTail()
    await t.s2.basin(second.basin).stream('other').checkTail().catch(() => undefined)

    const all = await t.emulator.journal.list()
    expect(all.map((e) => e.operation)).toEqual(['create_basin', 'create_stream', 'create_basin', 'create_stream', 'check_tail', 'check_tail', 'check_tail'])
    expect((await t.emulator.journal.list({ operation: 'check_tail' })).map((e) => [e.basin, e.stream])).toEqual([
      [first.basin, first.stream],
      [second.basin, second.stream],
      [second.basin, 'other'],
    ])
    expect((await t.emulator.journal.list({ basin: second.basin, stream: 'other' })).map((e) => e.status)).toEqual([404])
    const since = all[3]?.seq as number
    expect((await t.emulator.journal.list({ since })).map((e) => e.seq)).toEqual(all.slice(4).map((e) => e.seq))
    expect((await t.emulator.journal.list({ since, limit: 2 })).map((e) => e.seq)).toEqual(all.slice(4, 6).map((e) => e.seq))
    expect(await t.emulator.journal.list({ limit: 0 })).toEqual([])

    // The same over HTTP, and bad numbers are a 400 naming the parameter.
    const res = await t.raw('GET', `/_emulator/journal?operation=create_basin&basin=${first.basin}`)
    expect(res.status).toBe(200)
    expect((res.json as { size: number; entries: JournalEntry[] }).size).toBe(1000)
    expect((res.json as { entries: JournalEntry[] }).entries.map((e) => e.seq)).toEqual([all[0]?.seq])
    for (const query of ['since=-1', 'limit=x', 'limit=1.5']) {
      const bad = await t.raw('GET', `/_emulator/journal?${query}`)
      expect(bad.status).toBe(400)
      expect(bad.json).toMatchObject({ code: 'bad_query', message: expect.stringContaining(query.split('=')[0] as string) })
    }
  })

  it('does not journal admin, health or unknown requests', async () => {
    await t.raw('GET', '/health')
    await t.raw('GET', '/metrics')
    await t.raw('GET', '/_emulator/faults')
    await t.raw('GET', '/v1/nowhere')
    expect(await t.emulator.journal.list()).toEqual([])
  })

  it('clears every entry, and a full or namespace reset clears them too, but a basin reset does not', async () => {
    const { basin } = await created()
    expect(await t.emulator.journal.clear()).toBe(2)
    expect(await t.emulator.journal.list()).toEqual([])

    await t.s2.basins.list()
    await t.emulator.reset({ basin })
    expect((await t.emulator.journal.list()).map((e) => e.operation)).toEqual(['list_basins'])
    await t.emulator.namespace('').reset()
    expect(await t.emulator.journal.list()).toEqual([])
    await t.s2.basins.list()
    await t.emulator.reset()
    expect(await t.emulator.journal.list()).toEqual([])
  })

  it('never records the values of Authorization or s2-encryption-key, only that they were sent', async () => {
    const { basin, stream } = await created()
    const token = `tok-${randomBytes(12).toString('hex')}`
    const key = randomBytes(32).toString('base64')
    const headers = { authorization: `Bearer ${token}`, 's2-encryption-key': key, 's2-basin': basin }
    const appended = await t.raw('POST', `/v1/streams/${stream}/records`, { headers, body: { records: [{ body: 'secret' }] } })
    expect(appended.status).toBe(200)
    const read = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, { headers })
    expect(read.status).toBe(200)
    const bad = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, { headers: { ...headers, 's2-encryption-key': 'not base64!' } })
    expect(bad.status).toBe(400)

    const res = await t.raw('GET', `/_emulator/journal?basin=${basin}`)
    const entries = (res.json as { entries: JournalEntry[] }).entries.slice(-3)
    expect(entries.map((e) => [e.operation, e.authorization, e.encryptionKey])).toEqual([
      ['append', true, true],
      ['read', true, true],
      ['read', true, true],
    ])
    expect(entries[2]?.error).toEqual({ status: 400, code: 'bad_header' })
    expect(res.text).not.toContain(token)
    expect(res.text).not.toContain(key)
    expect(res.text).not.toContain(key.slice(0, 20))
    expect(res.text).not.toContain('not base64!')
  })
})

describe('the bound', () => {
  const t = useEmulator({ journalSize: 5, clock: 'virtual', startTime: '2030-01-02T03:04:05.000Z' })

  it('keeps the newest journalSize entries of a namespace, timed by the emulator clock', async () => {
    const basin = await t.basin()
    for (let i = 0; i < 8; i++) await t.raw('GET', `/v1/basins?prefix=p${i}`)
    const entries = await t.emulator.journal.list()
    expect(entries.map((e) => e.query)).toEqual(['prefix=p3', 'prefix=p4', 'prefix=p5', 'prefix=p6', 'prefix=p7'])
    expect(entries.some((e) => e.basin === basin)).toBe(false)
    const seqs = entries.map((e) => e.seq)
    expect(seqs).toEqual([5, 6, 7, 8, 9])
    expect(entries.map((e) => e.iso)).toEqual(Array(5).fill('2030-01-02T03:04:05.000Z'))
  })
})

describe('journalSize 0', () => {
  const t = useEmulator({ journalSize: 0 })

  it('turns the journal off', async () => {
    const { basin, stream } = await t.stream()
    await t.s2.basin(basin).stream(stream).append(one('x'))
    const res = await t.raw('GET', '/_emulator/journal')
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ size: 0, entries: [] })
  })
})

describe('namespaces', () => {
  const t = useEmulator({ isolation: 'token' })
  const client = (accessToken: string) => new S2({ accessToken, endpoints: { account: t.url, basin: t.url }, retry: { maxAttempts: 1 } })

  it('keeps a journal per namespace, named by a digest of the token, and clears or resets one alone', async () => {
    const [aliceToken, bobToken] = [`alice-${randomBytes(6).toString('hex')}`, `bob-${randomBytes(6).toString('hex')}`]
    const [alice, bob] = [client(aliceToken), client(bobToken)]
    const [aliceNs, bobNs] = [t.emulator.namespace(aliceToken), t.emulator.namespace(bobToken)]
    const basin = basinName('shared')
    await alice.basins.create({ basin })
    await bob.basins.create({ basin })
    await bob.basins.list()

    expect((await aliceNs.journal.list()).map((e) => [e.namespace, e.operation, e.status])).toEqual([[aliceNs.name, 'create_basin', 201]])
    expect((await bobNs.journal.list()).map((e) => [e.namespace, e.operation])).toEqual([
      [bobNs.name, 'create_basin'],
      [bobNs.name, 'list_basins'],
    ])
    // The emulator's journal filters by namespace name, or shows all of them, in seq order.
    expect((await t.emulator.journal.list({ namespace: bobNs.name })).length).toBe(2)
    const all = await t.emulator.journal.list()
    expect(all.map((e) => e.namespace)).toEqual([aliceNs.name, bobNs.name, bobNs.name])
    expect(JSON.stringify(all)).not.toContain(aliceToken)
    expect(await t.emulator.journal.list({ namespace: 'ns-00000000000000000000' })).toEqual([])

    expect(await aliceNs.journal.clear()).toBe(1)
    expect((await t.emulator.journal.list()).map((e) => e.namespace)).toEqual([bobNs.name, bobNs.name])
    await alice.basins.list()
    await bobNs.reset()
    expect((await t.emulator.journal.list()).map((e) => [e.namespace, e.operation])).toEqual([[aliceNs.name, 'list_basins']])
  })
})

describe('configuration', () => {
  it('rejects a journalSize that is not an integer >= 0', async () => {
    for (const journalSize of [-1, 1.5, Number.NaN]) {
      const outcome = await settle(startS2Emulator({ journalSize }))
      expect(outcome.ok).toBe(false)
      if (!outcome.ok) {
        expect(outcome.error).toBeInstanceOf(S2EmulatorError)
        expect((outcome.error as S2EmulatorError).message).toContain('journalSize')
      }
    }
  })

  it('takes --journal-size on the command line', () => {
    expect(parseCli(['--journal-size', '5'], {})).toMatchObject({ kind: 'serve', options: { journalSize: 5 } })
    expect(parseCli(['--journal-size', '0'], {})).toMatchObject({ kind: 'serve', options: { journalSize: 0 } })
    expect(() => parseCli(['--journal-size', '-3'], {})).toThrow(UsageError)
    expect(() => parseCli(['--journal-size', 'lots'], {})).toThrow(/--journal-size/)
  })

  it('documents the journal routes in the admin OpenAPI document', async () => {
    await using emulator = await startS2Emulator()
    const doc = (await (await fetch(`${emulator.url}/_emulator/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.paths['/_emulator/journal']?.get?.operationId).toBe('list_journal')
    expect(doc.paths['/_emulator/journal']?.delete?.operationId).toBe('clear_journal')
    expect(doc.components.schemas.JournalEntry).toBeDefined()
  })

  it('the README shows test/examples/readme-journal.test.ts word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('../examples/readme-journal.test.ts', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Request journal'))
    expect(section.match(/```ts\n([\s\S]*?)```/)?.[1]).toBe(example)
  })
})
