import { AppendInput, AppendRecord, S2Error, type S2 } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { namespaceName } from 's2-emulator'
import { basinName, useEmulator } from '../support/emulator.ts'
import { settle } from '../support/sessions.ts'
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
} from '../support/state.ts'

/**
 * Isolation between tests sharing one emulator: with `isolation: 'token'` each bearer token is an
 * account of its own (basins, streams, records, fault rules); without it tokens are ignored, as
 * s2-lite ignores them.
 */

const appendStrings = (s2: S2, basin: string, stream: string, bodies: string[]) =>
  s2.basin(basin).stream(stream).append(AppendInput.create(bodies.map((body) => AppendRecord.string({ body }))))

const readStrings = async (s2: S2, basin: string, stream: string): Promise<string[]> => {
  const batch = await s2.basin(basin).stream(stream).read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 100 } } })
  return batch.records.map((r) => r.body)
}

describe("with isolation 'token'", () => {
  const t = useEmulator({ isolation: 'token' })

  it('lets two tokens create the same basin and stream names, each seeing only its own records, tails and configs', async () => {
    const a = clientFor(t.url, freshToken('alice'))
    const b = clientFor(t.url, freshToken('bob'))
    const basin = basinName('shared')

    await a.basins.create({ basin, config: { createStreamOnAppend: true } })
    await b.basins.create({ basin })
    await a.basin(basin).streams.create({ stream: 'orders', config: { retentionPolicy: { infinite: {} } } })
    await b.basin(basin).streams.create({ stream: 'orders', config: { retentionPolicy: { ageSecs: 3600 } } })

    await appendStrings(a, basin, 'orders', ['a-0', 'a-1', 'a-2'])
    await appendStrings(b, basin, 'orders', ['b-0'])

    expect(await readStrings(a, basin, 'orders')).toEqual(['a-0', 'a-1', 'a-2'])
    expect(await readStrings(b, basin, 'orders')).toEqual(['b-0'])
    expect((await a.basin(basin).stream('orders').checkTail()).tail.seqNum).toBe(3)
    expect((await b.basin(basin).stream('orders').checkTail()).tail.seqNum).toBe(1)

    expect((await a.basins.getConfig({ basin })).createStreamOnAppend).toBe(true)
    expect((await b.basins.getConfig({ basin })).createStreamOnAppend).toBe(false)
    expect((await a.basin(basin).streams.getConfig({ stream: 'orders' })).retentionPolicy).toEqual({ infinite: {} })
    expect((await b.basin(basin).streams.getConfig({ stream: 'orders' })).retentionPolicy).toEqual({ ageSecs: 3600 })
  })

  it("never lists or serves another token's basins and streams", async () => {
    const a = clientFor(t.url, freshToken('alice'))
    const b = clientFor(t.url, freshToken('bob'))
    const basin = basinName('private')
    await a.basins.create({ basin })
    await a.basin(basin).streams.create({ stream: 'secret' })
    await appendStrings(a, basin, 'secret', ['hidden'])

    expect((await a.basins.list()).basins.map((x) => x.name)).toEqual([basin])
    expect((await b.basins.list()).basins).toEqual([])
    expect((await b.basin(basin).streams.list()).streams).toEqual([])

    const config = await settle(b.basins.getConfig({ basin }))
    expect(config.ok).toBe(false)
    expect(config.ok ? null : { status: (config.error as S2Error).status, code: (config.error as S2Error).code }).toEqual({
      status: 404,
      code: 'basin_not_found',
    })
    const read = await settle(readStrings(b, basin, 'secret'))
    expect(read.ok ? null : (read.error as S2Error).code).toBe('basin_not_found')
    const tail = await settle(b.basin(basin).stream('secret').checkTail())
    expect(tail.ok ? null : (tail.error as S2Error).code).toBe('basin_not_found')
    const streamConfig = await settle(b.basin(basin).streams.getConfig({ stream: 'secret' }))
    expect(streamConfig.ok ? null : (streamConfig.error as S2Error).code).toBe('stream_not_found')

    // Alice's data is untouched by Bob's attempts.
    expect(await readStrings(a, basin, 'secret')).toEqual(['hidden'])
  })

  it("deleting a basin in one namespace leaves another namespace's basin of the same name intact", async () => {
    const alice = asToken(t.raw, freshToken('alice'))
    const bob = asToken(t.raw, freshToken('bob'))
    const basin = basinName('twin')
    for (const raw of [alice, bob]) {
      await createBasin(raw, basin)
      await createStream(raw, basin, 's')
    }
    await appendBodies(bob, basin, 's', ['kept'])

    expect((await alice('DELETE', `/v1/basins/${basin}`)).status).toBe(202)
    expect(expectStatus<{ state: string }>(await alice('GET', `/v1/basins/${basin}`), 200)).toBeDefined()
    const aliceList = expectStatus<{ basins: { name: string; state: string }[] }>(await alice('GET', '/v1/basins'), 200)
    expect(aliceList.basins.map((x) => [x.name, x.state])).toEqual([[basin, 'deleting']])

    const bobList = expectStatus<{ basins: { name: string; state: string }[] }>(await bob('GET', '/v1/basins'), 200)
    expect(bobList.basins.map((x) => [x.name, x.state])).toEqual([[basin, 'active']])
    expect(await bodiesOf(bob, basin, 's')).toEqual(['kept'])
    expect(await tailOf(bob, basin, 's')).toMatchObject({ seq_num: 1 })
  })

  it('puts a request without an Authorization header in namespace "default"', async () => {
    const basin = basinName('anon')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 'log')
    await appendBodies(t.raw, basin, 'log', ['anonymous'])

    // Another token-less request sees it; a request with a token does not.
    expect(await basinNames(t.raw)).toContain(basin)
    expect(await bodiesOf(t.raw, basin, 'log')).toEqual(['anonymous'])
    const withToken = asToken(t.raw, freshToken('someone'))
    expect(await basinNames(withToken)).not.toContain(basin)
    expectErrorBody(await withToken('GET', records('log', 'seq_num=0'), { headers: { 's2-basin': basin } }), 404, 'basin_not_found')

    const anon = (await t.emulator.namespaces()).find((n) => n.name === 'default')
    expect(anon).toBeDefined()
    expect(anon?.basins).toBeGreaterThanOrEqual(1)
  })

  it('takes the token from "Bearer <token>", so the SDK and a raw request with the same token share a namespace', async () => {
    const token = freshToken('shared')
    const s2 = clientFor(t.url, token)
    const raw = asToken(t.raw, token)
    const basin = basinName('both')
    await s2.basins.create({ basin })
    await s2.basin(basin).streams.create({ stream: 's' })
    await appendStrings(s2, basin, 's', ['from-sdk'])
    await appendBodies(raw, basin, 's', ['from-raw'])
    expect(await readStrings(s2, basin, 's')).toEqual(['from-sdk', 'from-raw'])
    expect(await streamNames(raw, basin)).toEqual(['s'])
  })

  it("lists namespaces with their basin and stream counts in emulator.namespaces() and GET /_emulator/namespaces", async () => {
    const alice = freshToken('alice')
    const bob = freshToken('bob')
    const a = asToken(t.raw, alice)
    const b = asToken(t.raw, bob)
    const [b1, b2, b3] = [basinName('ns'), basinName('ns'), basinName('ns')] as [string, string, string]
    await createBasin(a, b1)
    await createBasin(a, b2)
    await createStream(a, b1, 'x')
    await createStream(a, b1, 'y')
    await createStream(a, b2, 'z')
    await createBasin(b, b3)

    const listed = await t.emulator.namespaces()
    const [aliceName, bobName] = [namespaceName(alice), namespaceName(bob)]
    expect(listed.find((n) => n.name === aliceName)).toMatchObject({ name: aliceName, origin: 'token', basins: 2, streams: 3 })
    expect(listed.find((n) => n.name === bobName)).toMatchObject({ name: bobName, basins: 1, streams: 0 })

    const res = await t.raw('GET', '/_emulator/namespaces')
    const body = expectStatus<{ namespaces: { name: string; basins: number; streams: number }[] }>(res, 200)
    expect(body.namespaces.find((n) => n.name === aliceName)).toMatchObject({ name: aliceName, basins: 2, streams: 3 })
    expect(new Set(body.namespaces.map((n) => n.name)).size).toBe(body.namespaces.length)
    // Listings name namespaces by a digest of the token, never by the token.
    expect(res.text).not.toContain(alice)
    expect(res.text).not.toContain(bob)
  })

  it('creates a namespace on first use, with no admin call', async () => {
    const token = freshToken('newcomer')
    expect((await t.emulator.namespaces()).map((n) => n.name)).not.toContain(namespaceName(token))
    const s2 = clientFor(t.url, token)
    const basin = basinName('first')
    await s2.basins.create({ basin })
    await s2.basin(basin).streams.create({ stream: 's' })
    await appendStrings(s2, basin, 's', ['first record'])
    expect(await readStrings(s2, basin, 's')).toEqual(['first record'])
    expect((await t.emulator.namespaces()).find((n) => n.name === namespaceName(token))).toMatchObject({ basins: 1, streams: 1 })
  })

  it("fires a fault rule with match.namespace only for that token's requests", async () => {
    const alice = freshToken('alice')
    const bob = freshToken('bob')
    const a = asToken(t.raw, alice)
    const b = asToken(t.raw, bob)
    const basin = basinName('faulty')
    for (const raw of [a, b]) {
      await createBasin(raw, basin)
      await createStream(raw, basin, 's')
    }
    const rule = await t.emulator.faults.add({
      match: { namespace: namespaceName(alice), operation: 'append' },
      action: { type: 'error', status: 503, code: 'unavailable', message: 'injected for alice' },
    })
    try {
      const failed = await a('POST', records('s'), { headers: { 's2-basin': basin }, body: { records: [{ body: 'x' }] } })
      expect(failed.status).toBe(503)
      expect(failed.json).toMatchObject({ code: 'unavailable', message: 'injected for alice' })
      await appendBodies(b, basin, 's', ['bob is fine'])
      // Token-less requests are namespace "default", not alice's.
      const anonBasin = basinName('anon')
      await createBasin(t.raw, anonBasin)
      await createStream(t.raw, anonBasin, 's')
      await appendBodies(t.raw, anonBasin, 's', ['anonymous is fine'])

      // Through the SDK too: alice's append fails, bob's succeeds.
      const viaSdk = await settle(appendStrings(clientFor(t.url, alice), basin, 's', ['y']))
      expect(viaSdk.ok ? null : (viaSdk.error as S2Error).status).toBe(503)
      await appendStrings(clientFor(t.url, bob), basin, 's', ['bob again'])

      const seen = await t.emulator.faults.get(rule.id)
      expect({ matched: seen.matched, fired: seen.fired }).toEqual({ matched: 2, fired: 2 })
      expect(await tailOf(a, basin, 's')).toMatchObject({ seq_num: 0 })
      expect(await bodiesOf(b, basin, 's')).toEqual(['bob is fine', 'bob again'])
    } finally {
      await t.emulator.faults.remove(rule.id)
    }
  })
})

describe('with isolation off (the default)', () => {
  const t = useEmulator()

  it('ignores tokens, like s2-lite: two tokens see and write the same basin and stream', async () => {
    const a = clientFor(t.url, 'token-a')
    const b = clientFor(t.url, 'token-b')
    const basin = basinName('common')
    await a.basins.create({ basin })
    await a.basin(basin).streams.create({ stream: 's' })
    await appendStrings(a, basin, 's', ['from a'])
    await appendStrings(b, basin, 's', ['from b'])

    expect((await b.basins.list({ prefix: basin })).basins.map((x) => x.name)).toEqual([basin])
    expect(await readStrings(a, basin, 's')).toEqual(['from a', 'from b'])
    expect(await readStrings(b, basin, 's')).toEqual(['from a', 'from b'])
    const again = await settle(b.basins.create({ basin }))
    expect(again.ok ? null : { status: (again.error as S2Error).status, code: (again.error as S2Error).code }).toEqual({
      status: 409,
      code: 'resource_already_exists',
    })
    // A token-less request is in the same (only) namespace.
    expect(await bodiesOf(t.raw, basin, 's')).toEqual(['from a', 'from b'])
  })

  it('has exactly one namespace, "default"', async () => {
    const basin = basinName('only')
    await createBasin(asToken(t.raw, 'x'), basin)
    const namespaces = await t.emulator.namespaces()
    expect(namespaces.map((n) => n.name)).toEqual(['default'])
    expect(namespaces[0]?.basins).toBeGreaterThanOrEqual(1)
  })

  it('fires a rule with match.namespace "default" for every request whatever its token, and a rule naming a token\'s namespace never', async () => {
    const basin = basinName('f')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    const never = await t.emulator.faults.add({
      match: { namespace: namespaceName('token-a'), operation: 'append' },
      action: { type: 'error', status: 500 },
    })
    const always = await t.emulator.faults.add({
      match: { namespace: 'default', operation: 'check_tail' },
      action: { type: 'error', status: 503 },
    })
    try {
      await appendBodies(asToken(t.raw, 'token-a'), basin, 's', ['ok'])
      const tail = await asToken(t.raw, 'token-b')('GET', `${records('s')}/tail`, { headers: { 's2-basin': basin } })
      expect(tail.status).toBe(503)
      expect((await t.emulator.faults.get(never.id)).fired).toBe(0)
      expect((await t.emulator.faults.get(always.id)).fired).toBe(1)
    } finally {
      await t.emulator.faults.clear()
    }
  })
})
