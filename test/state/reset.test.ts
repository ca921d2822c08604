import { S2Error, type ReadRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { namespaceName } from 's2-emulator'
import { basinName, useEmulator } from '../support/emulator.ts'
import { TRANSPORTS, useStreamHandles } from '../support/sessions.ts'
import {
  appendBodies,
  asToken,
  basinNames,
  bodiesOf,
  clientFor,
  createBasin,
  createStream,
  expectErrorBody,
  expectStatus,
  freshToken,
  records,
  streamNames,
  tailOf,
  type RawFn,
} from '../support/state.ts'
import {
  appendInputFrame,
  decodeAppendAck,
  decodeReadBatch,
  expectFrame,
  payloadOf,
  s2sAppendInit,
  s2sReadInit,
  sseReadInit,
  terminalOf,
  useH2Client,
  waitForOpenSessions,
  type Exchange,
  type WireFrame,
} from '../support/wire.ts'

/**
 * `emulator.reset(scope)` and `POST /_emulator/reset`: everything, a namespace, a basin or a
 * stream disappears at once, as if it never existed; the rest stays as it was; sessions on what
 * was removed end with an error naming the reset; fault rules confined to it go with it.
 */

const t = useEmulator({ isolation: 'token', heartbeatMs: 50, deletionDelayMs: 600_000 })
const openStream = useStreamHandles()
const h2 = useH2Client(t)

const reset = (body?: unknown) => t.raw('POST', '/_emulator/reset', body === undefined ? {} : { body })
/** `POST /_emulator/namespaces/{name}/reset` for a token's namespace (the token in the header, as a handle sends it). */
const resetIn = (token: string, body: unknown = {}) =>
  t.raw('POST', `/_emulator/namespaces/${namespaceName(token)}/reset`, { body, headers: { 's2-namespace-token': token } })

interface World {
  readonly token: string
  readonly raw: RawFn
  /** Two basins, each with streams `s1` and `s2` holding records named after where they are. */
  readonly basins: readonly [string, string]
}

/** A namespace with two basins of two streams each, every stream holding two records. */
async function world(label: string, basins: readonly [string, string] = [basinName('b'), basinName('b')]): Promise<World> {
  const token = freshToken(label)
  const raw = asToken(t.raw, token)
  for (const basin of basins) {
    await createBasin(raw, basin)
    for (const stream of ['s1', 's2']) {
      await createStream(raw, basin, stream)
      await appendBodies(raw, basin, stream, [`${label}/${basin}/${stream}/0`, `${label}/${basin}/${stream}/1`])
    }
  }
  return { token, raw, basins }
}

/** Asserts a stream still holds its two records and its tail. */
async function expectIntact(w: World, basin: string, stream: string, label: string): Promise<void> {
  expect(await bodiesOf(w.raw, basin, stream)).toEqual([`${label}/${basin}/${stream}/0`, `${label}/${basin}/${stream}/1`])
  expect(await tailOf(w.raw, basin, stream)).toMatchObject({ seq_num: 2 })
}

describe('what a reset removes and what it keeps', () => {
  it('reset() with no scope removes every namespace, basin and stream', async () => {
    const alice = await world('alice')
    const bob = await world('bob')
    const anonBasin = basinName('anon')
    await createBasin(t.raw, anonBasin)

    await t.emulator.reset()

    // Namespaces stay known (their clocks and snapshots are kept), emptied of everything.
    expect((await t.emulator.namespaces()).every((n) => n.basins === 0 && n.faults === 0)).toBe(true)
    expect(await basinNames(alice.raw)).toEqual([])
    expect(await basinNames(bob.raw)).toEqual([])
    expect(await basinNames(t.raw)).toEqual([])
    expectErrorBody(await alice.raw('GET', `/v1/basins/${alice.basins[0]}`), 404, 'basin_not_found')
    expectErrorBody(
      await bob.raw('GET', `${records('s1')}/tail`, { headers: { 's2-basin': bob.basins[0] } }),
      404,
      'basin_not_found',
    )
  })

  it('POST /_emulator/reset with no body resets everything and answers what it reset', async () => {
    const alice = await world('alice')
    const res = await t.raw('POST', '/_emulator/reset')
    expect(expectStatus(res, 200)).toEqual({ reset: { namespace: null, basin: null, stream: null }, faultsRemoved: 0 })
    expect(res.headers['content-type']).toBe('application/json')
    expect(await basinNames(alice.raw)).toEqual([])
    // An empty JSON object is the same scope.
    const again = await reset({})
    expect(expectStatus(again, 200)).toEqual({ reset: { namespace: null, basin: null, stream: null }, faultsRemoved: 0 })
  })

  it('a namespace reset removes that namespace only; another namespace with the same basin names keeps its records and tails', async () => {
    const names = [basinName('same'), basinName('same')] as const
    const alice = await world('alice', names)
    const bob = await world('bob', names)

    const res = await resetIn(alice.token)
    expect(expectStatus(res, 200)).toEqual({ reset: { namespace: namespaceName(alice.token), basin: null, stream: null }, faultsRemoved: 0 })

    const namespaces = await t.emulator.namespaces()
    expect(namespaces.find((n) => n.name === namespaceName(alice.token))).toMatchObject({ basins: 0, streams: 0 })
    expect(namespaces.find((n) => n.name === namespaceName(bob.token))).toMatchObject({ basins: 2, streams: 4 })
    expect(await basinNames(alice.raw)).toEqual([])
    expectErrorBody(await alice.raw('GET', `/v1/basins/${names[0]}`), 404, 'basin_not_found')
    for (const basin of names) for (const stream of ['s1', 's2']) await expectIntact(bob, basin, stream, 'bob')
  })

  it('a basin reset removes that basin only: the other basin, and the same basin name in another namespace, keep everything', async () => {
    const names = [basinName('same'), basinName('same')] as const
    const alice = await world('alice', names)
    const bob = await world('bob', names)

    await t.emulator.namespace(alice.token).reset({ basin: names[0] })

    expect(await basinNames(alice.raw)).toEqual([names[1]])
    expectErrorBody(await alice.raw('GET', `/v1/basins/${names[0]}`), 404, 'basin_not_found')
    expect(await streamNames(alice.raw, names[0])).toEqual([])
    for (const stream of ['s1', 's2']) await expectIntact(alice, names[1], stream, 'alice')
    for (const basin of names) for (const stream of ['s1', 's2']) await expectIntact(bob, basin, stream, 'bob')
  })

  it('a stream reset removes that stream only, and answers the scope exactly', async () => {
    const alice = await world('alice')
    const [b0, b1] = alice.basins

    const res = await resetIn(alice.token, { basin: b0, stream: 's1' })
    expect(expectStatus(res, 200)).toEqual({ reset: { namespace: namespaceName(alice.token), basin: b0, stream: 's1' }, faultsRemoved: 0 })

    expect(await streamNames(alice.raw, b0)).toEqual(['s2'])
    expectErrorBody(await alice.raw('GET', '/v1/streams/s1', { headers: { 's2-basin': b0 } }), 404, 'stream_not_found')
    expectErrorBody(await alice.raw('GET', `${records('s1')}/tail`, { headers: { 's2-basin': b0 } }), 404, 'stream_not_found')
    await expectIntact(alice, b0, 's2', 'alice')
    for (const stream of ['s1', 's2']) await expectIntact(alice, b1, stream, 'alice')
  })

  it('without a namespace, a basin or stream scope means namespace "default"', async () => {
    const basin = basinName('anon')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    await appendBodies(t.raw, basin, 's', ['anonymous'])
    const other = await world('other', [basin, basinName('b')])

    await t.emulator.reset({ basin, stream: 's' })
    expect(await streamNames(t.raw, basin)).toEqual([])
    await expectIntact(other, basin, 's1', 'other')

    await t.emulator.reset({ basin })
    expect(await basinNames(t.raw)).not.toContain(basin)
    expect(await basinNames(other.raw)).toContain(basin)
  })

  it('lets a reset stream be re-created at once, empty, even one that was pending deletion', async () => {
    const alice = await world('alice')
    const [basin] = alice.basins
    await t.emulator.namespace(alice.token).reset({ basin, stream: 's1' })
    await createStream(alice.raw, basin, 's1')
    expect(await tailOf(alice.raw, basin, 's1')).toEqual({ seq_num: 0, timestamp: 0 })
    const read = await alice.raw('GET', records('s1', 'seq_num=0'), { headers: { 's2-basin': basin } })
    expect(read.status).toBe(416)
    expect(read.json).toEqual({ tail: { seq_num: 0, timestamp: 0 } })

    // A deleted stream blocks its name for the deletion delay (ten minutes here); a reset does not.
    expect((await alice.raw('DELETE', '/v1/streams/s2', { headers: { 's2-basin': basin } })).status).toBe(202)
    expectErrorBody(
      await alice.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 's2' } }),
      409,
      'stream_deletion_pending',
    )
    await t.emulator.namespace(alice.token).reset({ basin, stream: 's2' })
    await createStream(alice.raw, basin, 's2')
    expect(await bodiesOf(alice.raw, basin, 's2')).toEqual([])
    expect(await tailOf(alice.raw, basin, 's2')).toEqual({ seq_num: 0, timestamp: 0 })
  })

  it('lets a reset basin be re-created at once, even one that was being deleted', async () => {
    const alice = await world('alice')
    const [basin] = alice.basins
    expect((await alice.raw('DELETE', `/v1/basins/${basin}`)).status).toBe(202)
    expectErrorBody(await alice.raw('POST', '/v1/basins', { body: { basin } }), 409, 'basin_deletion_pending')
    await t.emulator.namespace(alice.token).reset({ basin })
    await createBasin(alice.raw, basin)
    expect(await streamNames(alice.raw, basin)).toEqual([])
    const info = expectStatus<{ basins: { name: string; state: string }[] }>(await alice.raw('GET', `/v1/basins?prefix=${basin}`), 200)
    expect(info.basins.map((b) => [b.name, b.state])).toEqual([[basin, 'active']])
  })

  it('answers 200 for a scope that holds nothing, and changes nothing', async () => {
    const alice = await world('alice')
    const res = await resetIn(alice.token, { basin: basinName('missing'), stream: 'nope' })
    expect(res.status).toBe(200)
    expect((await resetIn(freshToken('unused'))).status).toBe(200)
    await expectIntact(alice, alice.basins[0], 's1', 'alice')
  })
})

describe('sessions on what a reset removes', () => {
  for (const transport of TRANSPORTS) {
    it(`an SDK read session following a reset stream (${transport}) fails with an error naming the reset`, async () => {
      const token = freshToken('reader')
      const raw = asToken(t.raw, token)
      const basin = basinName('sess')
      await createBasin(raw, basin)
      await createStream(raw, basin, 'followed')
      await createStream(raw, basin, 'bystander')
      await appendBodies(raw, basin, 'followed', ['before reset'])

      const s2 = clientFor(t.url, token)
      const followed = await openStream(s2, basin, 'followed', transport).readSession({ start: { from: { seqNum: 0 } } })
      const bystander = (await openStream(s2, basin, 'bystander', transport).readSession({ start: { from: { seqNum: 0 } } })).getReader()
      try {
        const seen: ReadRecord[] = []
        let failure: unknown
        try {
          for await (const record of followed) {
            seen.push(record)
            if (seen.length === 1) await t.emulator.namespace(token).reset({ basin, stream: 'followed' })
          }
        } catch (error) {
          failure = error
        }
        expect(seen.map((r) => r.body)).toEqual(['before reset'])
        expect(failure).toBeInstanceOf(S2Error)
        expect((failure as S2Error).message).toMatch(/removed by an s2-emulator reset/)
        // S2S carries the terminal frame's status; the SDK takes every SSE `error` event for a 503.
        expect((failure as S2Error).status).toBe(transport === 's2s' ? 404 : 503)

        // The session on the other stream goes on.
        await appendBodies(raw, basin, 'bystander', ['still flowing'])
        const next = await bystander.read()
        expect(next.done ? null : next.value.body).toBe('still flowing')
      } finally {
        await bystander.cancel()
      }
      expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    })
  }

  const scopes: { name: string; reset: (token: string, basin: string) => Promise<void> }[] = [
    { name: 'the stream', reset: (token, basin) => t.emulator.namespace(token).reset({ basin, stream: 'followed' }) },
    { name: 'the basin', reset: (token, basin) => t.emulator.namespace(token).reset({ basin }) },
    { name: 'the namespace', reset: (token) => t.emulator.namespace(token).reset() },
    { name: 'everything', reset: () => t.emulator.reset() },
  ]
  for (const { name, reset: resetScope } of scopes) {
    it(`a raw S2S read gets a terminal 404 naming the reset when ${name} is reset, and the session gauge returns to 0`, async () => {
      const token = freshToken('s2s')
      const raw = asToken(t.raw, token)
      const basin = basinName('s2s')
      await createBasin(raw, basin)
      await createStream(raw, basin, 'followed')
      await appendBodies(raw, basin, 'followed', ['r0'])

      const x = h2().exchange(s2sReadInit(basin, 'followed', 'seq_num=0', { authorization: `Bearer ${token}` }))
      expect((await x.head).status).toBe(200)
      const first = decodeReadBatch(payloadOf(await expectFrame(x, 'session')))
      expect(first.records.map((r) => r.body)).toEqual(['r0'])
      // Following at the tail: a heartbeat with the tail.
      const beat = decodeReadBatch(payloadOf(await expectFrame(x, 'session')))
      expect(beat.records).toEqual([])
      expect(beat.tail?.seq_num).toBe(1)

      await resetScope(token, basin)
      const last = await terminalAfterHeartbeats(x)
      const terminal = terminalOf(last)
      expect(terminal.status).toBe(404)
      expect(terminal.body).toEqual({
        code: 'stream_not_found',
        message: `stream \`followed\` in basin \`${basin}\` was removed by an s2-emulator reset or snapshot restore`,
      })
      expect(await x.nextFrame()).toBeNull()
      expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    })
  }

  it('a raw SSE read gets an error event naming the reset, and the session gauge returns to 0', async () => {
    const token = freshToken('sse')
    const raw = asToken(t.raw, token)
    const basin = basinName('sse')
    await createBasin(raw, basin)
    await createStream(raw, basin, 'followed')
    const x = h2().exchange(sseReadInit(basin, 'followed', 'seq_num=0', { authorization: `Bearer ${token}` }))
    expect((await x.head).status).toBe(200)
    expect((await x.nextEvent())?.event).toBe('ping')
    await t.emulator.namespace(token).reset({ basin })
    let event = await x.nextEvent()
    while (event?.event === 'ping') event = await x.nextEvent()
    expect(event?.event).toBe('error')
    const body = JSON.parse(event?.data ?? '{}') as { code?: string; message?: string }
    expect(body.code).toBe('stream_not_found')
    expect(body.message).toMatch(/reset/)
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
  })
})

describe('append sessions on what a reset removes', () => {
  /** Opens an S2S append session on a fresh stream in a fresh namespace and appends one record. */
  async function openAppendSession(): Promise<{ x: Exchange; token: string; basin: string; raw: RawFn }> {
    const token = freshToken('writer')
    const raw = asToken(t.raw, token)
    const basin = basinName('append')
    await createBasin(raw, basin)
    await createStream(raw, basin, 'written')
    const x = h2().exchange(s2sAppendInit(basin, 'written', { authorization: `Bearer ${token}` }))
    await x.write(appendInputFrame(['before reset']))
    expect((await x.head).status).toBe(200)
    const ack = await expectFrame(x, 'session')
    expect(ack.terminal).toBe(false)
    expect(decodeAppendAck(payloadOf(ack)).end.seq_num).toBe(1)
    return { x, token, basin, raw }
  }

  it('the next input of an S2S append session on a reset stream gets a terminal 404, and the session closes', async () => {
    const { x, token, basin, raw } = await openAppendSession()
    await t.emulator.namespace(token).reset({ basin, stream: 'written' })
    await x.write(appendInputFrame(['after reset']))
    const terminal = terminalOf(await expectFrame(x, 'session'))
    expect(terminal.status).toBe(404)
    expect(terminal.body).toMatchObject({ code: 'stream_not_found' })
    expect(await x.nextFrame()).toBeNull()
    x.end()
    expect(await streamNames(raw, basin)).toEqual([])
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
  })

  it('an idle S2S append session on a reset stream ends at once with a terminal 404 naming the reset', async () => {
    const { x, token, basin } = await openAppendSession()
    await t.emulator.namespace(token).reset({ basin, stream: 'written' })
    const terminal = terminalOf(await expectFrame(x, 'session'))
    expect(terminal.status).toBe(404)
    expect((terminal.body as { message: string }).message).toMatch(/reset/)
    expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
  })
})

/** Skips heartbeats (empty batches) up to the terminal frame. */
async function terminalAfterHeartbeats(x: Exchange): Promise<WireFrame> {
  for (;;) {
    const f = await expectFrame(x, 'session')
    if (f.terminal) return f
    expect(decodeReadBatch(payloadOf(f)).records).toEqual([])
  }
}

describe('fault rules confined to a reset scope', () => {
  it("are removed with it: a namespace's own rules and the emulator's rules naming it; rules for every namespace stay", async () => {
    const [alice, bob] = [freshToken('alice'), freshToken('bob')]
    const [aliceName, bobName] = [namespaceName(alice), namespaceName(bob)]
    const shared = basinName('bx')
    const other = basinName('by')
    const action = { type: 'error', status: 503 } as const
    const arm = (id: string, match: Record<string, unknown>) => t.emulator.faults.add({ id, match, action })
    const armIn = (token: string, id: string, match: Record<string, unknown>) => t.emulator.namespace(token).faults.add({ id, match, action })
    await t.emulator.faults.clear()
    await arm('ns-alice', { namespace: aliceName })
    await arm('ns-bob', { namespace: bobName })
    await arm('basin-any-ns', { basin: shared })
    await arm('basin-bob', { namespace: bobName, basin: shared })
    await armIn(alice, 'own-basin', { basin: other })
    await armIn(alice, 'own-stream', { basin: other, stream: 's' })
    const ids = async () => [
      ...(await t.emulator.faults.list()).map((r) => r.id),
      ...(await t.emulator.namespace(alice).faults.list()).map((r) => `alice:${r.id}`),
    ]
    try {
      // A stream reset takes only the rule naming that stream.
      const streamRes = await resetIn(alice, { basin: other, stream: 's' })
      expect(expectStatus(streamRes, 200)).toEqual({ reset: { namespace: aliceName, basin: other, stream: 's' }, faultsRemoved: 1 })
      expect(await ids()).toEqual(['ns-alice', 'ns-bob', 'basin-any-ns', 'basin-bob', 'alice:own-basin'])

      // A basin reset in bob's namespace takes the emulator's rules on that basin naming bob's
      // namespace; a rule on that basin in every namespace stays, for the others.
      const basinRes = await resetIn(bob, { basin: shared })
      expect(expectStatus(basinRes, 200)).toEqual({ reset: { namespace: bobName, basin: shared, stream: null }, faultsRemoved: 1 })
      expect(await ids()).toEqual(['ns-alice', 'ns-bob', 'basin-any-ns', 'alice:own-basin'])

      // A namespace reset takes its own rules and the emulator's rules naming it.
      const nsRes = await resetIn(alice)
      expect(expectStatus(nsRes, 200)).toEqual({ reset: { namespace: aliceName, basin: null, stream: null }, faultsRemoved: 2 })
      expect(await ids()).toEqual(['ns-bob', 'basin-any-ns'])

      // A full reset takes every rule, the emulator's and every namespace's.
      await armIn(alice, 'own-again', {})
      const allRes = await reset()
      expect(expectStatus(allRes, 200)).toEqual({ reset: { namespace: null, basin: null, stream: null }, faultsRemoved: 3 })
      expect(await ids()).toEqual([])
    } finally {
      await t.emulator.faults.clear()
    }
  })
})

describe('invalid reset requests', () => {
  const cases: { name: string; body: unknown; message: RegExp }[] = [
    { name: 'an unknown field', body: { bsin: 'typo' }, message: /bsin: unknown field/ },
    { name: 'a stream without a basin', body: { stream: 's' }, message: /stream: needs "basin"/ },
    { name: 'a namespace (reset through its own routes)', body: { namespace: 'x' }, message: /namespaces\/\{name\}\/reset/ },
    { name: 'a basin that is not a string', body: { basin: null }, message: /basin: must be a string/ },
    { name: 'a JSON array', body: [{ basin: 'x' }], message: /must be a JSON object/ },
  ]
  for (const { name, body, message } of cases) {
    it(`rejects ${name} with 400 and resets nothing`, async () => {
      const alice = await world('alice')
      const res = await reset(body)
      const error = expectErrorBody(res, 400, 'bad_json')
      expect(error.message).toMatch(message)
      await expectIntact(alice, alice.basins[0], 's1', 'alice')
    })
  }

  it('refuses a body sent without a JSON Content-Type instead of resetting everything', async () => {
    const alice = await world('alice')
    const res = await t.raw('POST', '/_emulator/reset', { body: '{"basin":"someone-else"}' })
    expectErrorBody(res, 400, 'bad_json')
    await expectIntact(alice, alice.basins[0], 's1', 'alice')
  })

  it('rejects a body that is not JSON', async () => {
    const res = await t.raw('POST', '/_emulator/reset', { headers: { 'content-type': 'application/json' }, body: '{namespace' })
    expectErrorBody(res, 400, 'bad_json')
  })
})
