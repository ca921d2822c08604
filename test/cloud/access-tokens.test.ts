import { AppendInput, AppendRecord, type S2 } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { namespaceName } from 's2-emulator'
import { expectS2Error } from '../support/append-helpers.ts'
import { clientWith, expectRefused, outcome, rawAs, useCloudNamespaces } from '../support/cloud.ts'
import { basinName, raw, useEmulator, useStartedEmulators } from '../support/emulator.ts'

/**
 * Access tokens in the cloud profile: issued, listed and revoked through the S2 API, and enforced
 * on every request (401 `authn`, 403 `permission_denied`), through the SDK and raw HTTP. Each test
 * works in a namespace of its own, whose token is its root token.
 */
const t = useEmulator({ profile: 'cloud', isolation: 'token' })
const fresh = useCloudNamespaces(() => t.emulator)

const record = (body: string) => AppendInput.create([AppendRecord.string({ body })])
const ALL = { basins: { prefix: '' }, streams: { prefix: '' } }

describe('authentication', () => {
  it('refuses a request without a token, or with a token it does not know, with 401 authn; an unknown token makes no namespace', async () => {
    expectRefused(await raw(t.url, 'GET', '/v1/basins'), 401, /^missing access token/)
    expectRefused(await rawAs(t.url, 'made-up-token', 'GET', '/v1/basins'), 401, /^invalid access token$/)
    const names = (await t.emulator.namespaces()).map((n) => n.name)
    expect(names).not.toContain(namespaceName('made-up-token'))
    expect(await outcome(clientWith(t.url, 'invalid-token').basins.list())).toBe(401)
  })

  it("lets a namespace's root token do everything in its namespace, and nothing in another's", async () => {
    const a = await fresh()
    const b = await fresh()
    const basin = await a.basin()
    expect((await a.root.basins.list()).basins.map((x) => x.name)).toEqual([basin])
    expect((await b.root.basins.list()).basins).toEqual([])
    expect(await outcome(b.root.basins.getConfig({ basin }))).toBe(404)
  })
})

describe('issue, list and revoke', () => {
  it('lists tokens by id with prefix, start_after, limit and has_more, showing each as the service does (never the token)', async () => {
    const { ns, issue } = await fresh()
    const secrets = []
    for (const id of ['user/x', 'svc/b', 'svc/a', 'svc/c']) secrets.push(await issue({ id, scope: { ops: ['list-basins'] } }))
    const list = (query: string) => rawAs(ns.url, ns.token, 'GET', `/v1/access-tokens${query}`)
    const ids = async (query: string) => {
      const res = await list(query)
      expect(res.status, res.text).toBe(200)
      const body = res.json as { access_tokens: { id: string }[]; has_more: boolean }
      return [body.access_tokens.map((x) => x.id), body.has_more]
    }
    expect(await ids('')).toEqual([['svc/a', 'svc/b', 'svc/c', 'user/x'], false])
    expect(await ids('?prefix=svc/&limit=2')).toEqual([['svc/a', 'svc/b'], true])
    expect(await ids('?prefix=svc/&start_after=svc/b')).toEqual([['svc/c'], false])
    expect(await ids('?prefix=nobody')).toEqual([[], false])
    const [first] = (((await list('?prefix=svc/a')).json as { access_tokens: unknown[] }).access_tokens)
    expect(first).toEqual({
      id: 'svc/a',
      expires_at: null,
      auto_prefix_streams: false,
      scope: {
        basins: null,
        streams: null,
        access_tokens: null,
        op_groups: { account: { read: false, write: false }, basin: { read: false, write: false }, stream: { read: false, write: false } },
        ops: ['list-basins'],
      },
    })
    const text = (await list('')).text
    for (const secret of secrets) expect(text).not.toContain(secret)
  })

  it('issues, lists and revokes through the SDK; a duplicate id is 409, revoking an unknown or revoked id 404', async () => {
    const { root } = await fresh()
    const expiresAt = new Date(Date.now() + 3_600_000)
    const issued = await root.accessTokens.issue({ id: 'sdk-token', scope: { opGroups: { stream: { read: true } }, ...{ basins: { prefix: '' } } }, expiresAt })
    expect(issued.accessToken).toMatch(/^s2e_at_/)
    const { accessTokens } = await root.accessTokens.list({ prefix: 'sdk-' })
    expect(accessTokens.map((x) => [x.id, x.expiresAt?.toISOString()])).toEqual([['sdk-token', expiresAt.toISOString()]])
    expect(await outcome(root.accessTokens.issue({ id: 'sdk-token', scope: { ops: ['read'] } }))).toBe(409)
    await root.accessTokens.revoke({ id: 'sdk-token' })
    expect(await outcome(root.accessTokens.revoke({ id: 'sdk-token' }))).toBe(404)
    expect(await outcome(root.accessTokens.revoke({ id: 'never-issued' }))).toBe(404)
    // A revoked id may be issued again.
    expect((await root.accessTokens.issue({ id: 'sdk-token', scope: { ops: ['read'] } })).accessToken).not.toBe(issued.accessToken)
  })

  it('answers a revoke of an unknown id with the service error code', async () => {
    const { ns } = await fresh()
    expectS2Error(await rawAs(ns.url, ns.token, 'DELETE', '/v1/access-tokens/nope'), 404, 'access_token_not_found', 'access token `nope` not found')
  })
})

describe('operation groups and operations', () => {
  type Probe = (s2: S2, basin: string, stream: string) => Promise<unknown>
  const PROBES: Record<string, Probe> = {
    'account read': (s2) => s2.basins.list(),
    'account write': (s2) => s2.basins.create({ basin: basinName('probe') }),
    'basin read': (s2, basin) => s2.basins.getConfig({ basin }),
    'basin write': (s2, basin) => s2.basins.reconfigure({ basin, createStreamOnRead: true }),
    'stream read': (s2, basin, stream) => s2.basin(basin).stream(stream).checkTail(),
    'stream write': (s2, basin, stream) => s2.basin(basin).stream(stream).append(record('probe')),
  }

  it('permits exactly the operations of the groups a token has, and refuses the others with 403', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 'probe' })
    const results: Record<string, Record<string, number | 'ok'>> = {}
    for (const granted of Object.keys(PROBES)) {
      const [group, side] = granted.split(' ') as [string, string]
      const token = await issue({ id: `group-${group}-${side}`, scope: { ...ALL, op_groups: { [group]: { [side]: true } } } })
      const s2 = clientWith(ns.url, token)
      results[granted] = {}
      for (const [probe, run] of Object.entries(PROBES)) results[granted][probe] = await outcome(run(s2, b, 'probe'))
    }
    for (const granted of Object.keys(PROBES)) {
      for (const probe of Object.keys(PROBES)) expect(results[granted]?.[probe], `${granted} -> ${probe}`).toBe(probe === granted ? 'ok' : 403)
    }
  })

  it('permits the union of ops and op_groups', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 's' })
    const s2 = clientWith(ns.url, await issue({ id: 'union', scope: { ...ALL, ops: ['read'], op_groups: { stream: { write: true } } } }))
    const stream = s2.basin(b).stream('s')
    expect(await outcome(stream.append(record('x')))).toBe('ok')
    expect(await outcome(stream.read({ start: { from: { seqNum: 0 } } }))).toBe('ok')
    expect(await outcome(stream.checkTail())).toBe(403)
  })

  it('needs the fence and trim operations to append those commands', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 's' })
    const path = '/v1/streams/s/records'
    const append = (token: string, headers: [string, string][]) =>
      rawAs(ns.url, token, 'POST', path, { headers: { 's2-basin': b }, body: { records: [{ headers, body: 'x' }] } })
    const plain = await issue({ id: 'append-only', scope: { ...ALL, ops: ['append'] } })
    expect((await append(plain, [])).status).toBe(200)
    expectRefused(await append(plain, [['', 'fence']]), 403, /operation `fence` is not permitted by access token `append-only`/)
    expectRefused(await append(plain, [['', 'trim']]), 403, /operation `trim` is not permitted/)
    const fencer = await issue({ id: 'fencer', scope: { ...ALL, ops: ['append', 'fence'] } })
    expect((await append(fencer, [['', 'fence']])).status).toBe(200)
    // Refused appends wrote nothing: the tail counts the two that were allowed.
    expect((await root.basin(b).stream('s').checkTail()).tail.seqNum).toBe(2)
  })

  it('checks commands in append sessions too: a fence from a token without it ends the session with 403', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 's' })
    const stream = clientWith(ns.url, await issue({ id: 'session-writer', scope: { ...ALL, ops: ['append'] } })).basin(b).stream('s')
    const session = await stream.appendSession()
    try {
      await (await session.submit(record('allowed'))).ack()
      const fenced = session.submit(AppendInput.create([AppendRecord.fence('mine')])).then((ticket) => ticket.ack())
      await expect(fenced).rejects.toMatchObject({ status: 403 })
    } finally {
      await session.close().catch(() => {})
      await stream.close()
    }
    expect((await root.basin(b).stream('s').checkTail()).tail.seqNum).toBe(1)
  })

  it('needs create-* for an ensure that creates and reconfigure-* for one that changes', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 'exists' })
    const put = (token: string, stream: string) =>
      rawAs(ns.url, token, 'PUT', `/v1/streams/${stream}`, { headers: { 's2-basin': b }, body: { retention_policy: { age: 60 } } })
    const creator = await issue({ id: 'creator', scope: { ...ALL, ops: ['create-stream'] } })
    expect((await put(creator, 'new-one')).status).toBe(201)
    expectRefused(await put(creator, 'exists'), 403, /`reconfigure-stream`/)
    const reconfigurer = await issue({ id: 'reconfigurer', scope: { ...ALL, ops: ['reconfigure-stream'] } })
    expect((await put(reconfigurer, 'exists')).status).toBe(200)
    expectRefused(await put(reconfigurer, 'another-new-one'), 403, /`create-stream`/)
  })
})

describe('resource scopes', () => {
  it('confines basins to an exact name or a prefix, in operations and in listings', async () => {
    const { ns, root, issue } = await fresh()
    for (const name of ['team-a-one-1', 'team-a-two-2', 'team-b-one-1']) await root.basins.create({ basin: name })
    const prefixed = clientWith(ns.url, await issue({ id: 'team-a', scope: { basins: { prefix: 'team-a-' }, ops: ['list-basins', 'get-basin-config'] } }))
    expect((await prefixed.basins.list()).basins.map((x) => x.name)).toEqual(['team-a-one-1', 'team-a-two-2'])
    expect((await prefixed.basins.list({ prefix: 'team-' })).basins.map((x) => x.name)).toEqual(['team-a-one-1', 'team-a-two-2'])
    expect((await prefixed.basins.list({ prefix: 'team-b' })).basins).toEqual([])
    expect(await outcome(prefixed.basins.getConfig({ basin: 'team-a-two-2' }))).toBe('ok')
    expectRefused(
      await rawAs(ns.url, await issue({ id: 'team-a-raw', scope: { basins: { prefix: 'team-a-' }, ops: ['get-basin-config'] } }), 'GET', '/v1/basins/team-b-one-1'),
      403,
      /^basin `team-b-one-1` is outside the scope of access token `team-a-raw`$/,
    )
    const exact = clientWith(ns.url, await issue({ id: 'exact', scope: { basins: { exact: 'team-a-two-2' }, ops: ['list-basins', 'create-basin'] } }))
    expect((await exact.basins.list()).basins.map((x) => x.name)).toEqual(['team-a-two-2'])
    expect(await outcome(exact.basins.create({ basin: 'team-a-three-3' }))).toBe(403)
    // No basin scope matches no basin.
    const none = clientWith(ns.url, await issue({ id: 'none', scope: { ops: ['list-basins'] } }))
    expect((await none.basins.list()).basins).toEqual([])
  })

  it('confines streams to an exact name or a prefix', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    for (const stream of ['logs/a', 'logs/b', 'metrics/a']) await root.basin(b).streams.create({ stream })
    const s2 = clientWith(ns.url, await issue({ id: 'logs', scope: { basins: { exact: b }, streams: { prefix: 'logs/' }, ops: ['list-streams', 'read', 'check-tail'] } }))
    expect((await s2.basin(b).streams.list()).streams.map((x) => x.name)).toEqual(['logs/a', 'logs/b'])
    expect(await outcome(s2.basin(b).stream('logs/b').checkTail())).toBe('ok')
    expect(await outcome(s2.basin(b).stream('metrics/a').checkTail())).toBe(403)
    const one = clientWith(ns.url, await issue({ id: 'one', scope: { basins: { exact: b }, streams: { exact: 'logs/a' }, ops: ['list-streams', 'check-tail'] } }))
    expect((await one.basin(b).streams.list()).streams.map((x) => x.name)).toEqual(['logs/a'])
    expect(await outcome(one.basin(b).stream('logs/b').checkTail())).toBe(403)
  })

  it('confines the token ids a token may issue, list and revoke', async () => {
    const { ns, issue } = await fresh()
    await issue({ id: 'outsider', scope: { ops: ['list-basins'] } })
    const manager = await issue({
      id: 'manager',
      scope: { access_tokens: { prefix: 'child/' }, ops: ['issue-access-token', 'list-access-tokens', 'revoke-access-token', 'list-basins'] },
    })
    const s2 = clientWith(ns.url, manager)
    expect(await outcome(s2.accessTokens.issue({ id: 'child/1', scope: { ops: ['list-basins'] } }))).toBe('ok')
    expect(await outcome(s2.accessTokens.issue({ id: 'not-a-child', scope: { ops: ['list-basins'] } }))).toBe(403)
    expect((await s2.accessTokens.list()).accessTokens.map((x) => x.id)).toEqual(['child/1'])
    expect(await outcome(s2.accessTokens.revoke({ id: 'outsider' }))).toBe(403)
    expect(await outcome(s2.accessTokens.revoke({ id: 'child/1' }))).toBe('ok')
  })

  it('never lets a token grant more than it has: operations, resources or a later expiry (403)', async () => {
    const { ns, issue } = await fresh()
    const issuer = await issue({
      id: 'issuer',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      scope: { basins: { prefix: 'a-' }, streams: { prefix: '' }, access_tokens: { prefix: '' }, ops: ['issue-access-token', 'list-basins'] },
    })
    const post = (body: unknown) => rawAs(ns.url, issuer, 'POST', '/v1/access-tokens', { body })
    expectRefused(await post({ id: 'c1', scope: { basins: { prefix: 'a-' }, ops: ['create-basin'] } }), 403, /cannot grant operations it does not have: `create-basin`/)
    expectRefused(await post({ id: 'c2', scope: { basins: { prefix: '' }, ops: ['list-basins'] } }), 403, /cannot grant basins outside its own scope/)
    expectRefused(await post({ id: 'c3', scope: { basins: { prefix: 'a-' }, ops: ['list-basins'] }, expires_at: new Date(Date.now() + 7_200_000).toISOString() }), 403, /cannot expire after it/)
    expect((await post({ id: 'c4', scope: { basins: { exact: 'a-basin-01' }, ops: ['list-basins'] } })).status).toBe(201)
    // Without expires_at the child expires with its issuer.
    const listed = await rawAs(ns.url, ns.token, 'GET', '/v1/access-tokens?prefix=c')
    const [child] = (listed.json as { access_tokens: { id: string; expires_at: string }[] }).access_tokens
    const [parent] = ((await rawAs(ns.url, ns.token, 'GET', '/v1/access-tokens?prefix=issuer')).json as { access_tokens: { expires_at: string }[] }).access_tokens
    expect(child?.id).toBe('c4')
    expect(child?.expires_at).toBe(parent?.expires_at)
  })
})

describe('expiry on the emulator clock', () => {
  it('accepts a token until expires_at on its namespace clock, then refuses it with 401; its child expires with it', async () => {
    const { ns, issue } = await fresh()
    await ns.clock.freeze(Date.parse('2031-01-01T00:00:00Z'))
    const token = await issue({ id: 'short', expires_at: '2031-01-01T01:00:00Z', scope: { ops: ['list-basins', 'issue-access-token'], access_tokens: { prefix: '' } } })
    const child = (await (await rawAs(ns.url, token, 'POST', '/v1/access-tokens', { body: { id: 'child', scope: { ops: ['list-basins'] } } })).json) as { access_token: string }
    expect((await rawAs(ns.url, token, 'GET', '/v1/basins')).status).toBe(200)
    await ns.clock.advance('59m 59s')
    expect((await rawAs(ns.url, child.access_token, 'GET', '/v1/basins')).status).toBe(200)
    await ns.clock.advance('1s')
    expectRefused(await rawAs(ns.url, token, 'GET', '/v1/basins'), 401, /^access token `short` expired at 2031-01-01T01:00:00.000Z$/)
    expectRefused(await rawAs(ns.url, child.access_token, 'GET', '/v1/basins'), 401, /^access token `child` expired/)
    expect((await ns.accessTokens.list()).map((x) => [x.id, x.expired])).toEqual([
      ['child', true],
      ['short', true],
    ])
  })

  it('refuses an expiry in the past with 422', async () => {
    const { ns } = await fresh()
    await ns.clock.freeze(Date.parse('2031-01-01T00:00:00Z'))
    const res = await rawAs(ns.url, ns.token, 'POST', '/v1/access-tokens', { body: { id: 'late', expires_at: '2030-12-31T23:59:59Z', scope: { ops: ['read'] } } })
    expectS2Error(res, 422, 'invalid', 'expires_at must be in the future')
  })
})

describe('revocation', () => {
  it('refuses new requests at once (401); a read session opened before it runs on', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 's' })
    const token = await issue({ id: 'reader', scope: { ...ALL, ops: ['read', 'check-tail'] } })
    const reader = clientWith(ns.url, token)
    const stream = reader.basin(b).stream('s')
    const session = await stream.readSession({ start: { from: { seqNum: 0 } } })
    const records = session.getReader()
    try {
      await root.basin(b).stream('s').append(record('before'))
      expect((await records.read()).value?.body).toBe('before')
      await root.accessTokens.revoke({ id: 'reader' })
      expectRefused(await rawAs(ns.url, token, 'GET', '/v1/streams/s/records/tail', { headers: { 's2-basin': b } }), 401, /^access token `reader` has been revoked$/)
      await root.basin(b).stream('s').append(record('after'))
      expect((await records.read()).value?.body).toBe('after')
    } finally {
      await records.cancel()
      await stream.close()
    }
  })

  it('revokes through the admin API, which lists tokens by id and never shows them', async () => {
    const { ns, issue } = await fresh()
    const token = await issue({ id: 'admin-revoked', scope: { ops: ['list-basins'] } })
    const listed = await ns.accessTokens.list()
    expect(listed.map((x) => [x.namespace, x.id, x.expired])).toEqual([[ns.name, 'admin-revoked', false]])
    expect(JSON.stringify(listed)).not.toContain(token)
    await ns.accessTokens.revoke('admin-revoked')
    expect((await rawAs(ns.url, token, 'GET', '/v1/basins')).status).toBe(401)
    await expect(ns.accessTokens.revoke('admin-revoked')).rejects.toMatchObject({ status: 404, adminCode: 'access_token_not_found' })
  })
})

describe('auto_prefix_streams', () => {
  it('prefixes the stream names a token sends and strips the prefix from what it gets back', async () => {
    const { ns, root, issue, basin } = await fresh()
    const b = await basin()
    await root.basin(b).streams.create({ stream: 'tenant-2/orders' })
    const token = await issue({
      id: 'tenant-1',
      auto_prefix_streams: true,
      scope: { basins: { exact: b }, streams: { prefix: 'tenant-1/' }, ops: ['create-stream', 'list-streams', 'append', 'read', 'get-stream-config'] },
    })
    const tenant = clientWith(ns.url, token).basin(b)
    expect((await tenant.streams.create({ stream: 'orders' })).name).toBe('orders')
    await tenant.streams.create({ stream: 'payments' })
    expect((await tenant.streams.list()).streams.map((x) => x.name)).toEqual(['orders', 'payments'])
    expect((await tenant.streams.list({ startAfter: 'orders' })).streams.map((x) => x.name)).toEqual(['payments'])
    expect((await tenant.streams.list({ prefix: 'pay' })).streams.map((x) => x.name)).toEqual(['payments'])
    expect((await root.basin(b).streams.list()).streams.map((x) => x.name)).toEqual(['tenant-1/orders', 'tenant-1/payments', 'tenant-2/orders'])
    await tenant.stream('orders').append(record('for tenant 1'))
    const batch = await root.basin(b).stream('tenant-1/orders').read({ start: { from: { seqNum: 0 } } })
    expect(batch.records.map((r) => r.body)).toEqual(['for tenant 1'])
    expect((await tenant.stream('orders').read({ start: { from: { seqNum: 0 } } })).records.map((r) => r.body)).toEqual(['for tenant 1'])
    expect(await outcome(tenant.streams.getConfig({ stream: 'tenant-2/orders' }))).toBe(404)
    await tenant.stream('orders').close()
  })
})

describe('bad input', () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['an invalid exact basin', { id: 'x', scope: { basins: { exact: 'Bad_Basin' } } }, 400, 'bad_json', /scope\.basins\.exact: basin name/],
    ['an unknown resource set', { id: 'x', scope: { basins: { wildcard: 'a' } } }, 400, 'bad_json', /scope\.basins: unknown variant `wildcard`, expected `exact` or `prefix`/],
    ['both exact and prefix', { id: 'x', scope: { streams: { exact: 'a', prefix: 'b' } } }, 400, 'bad_json', /scope\.streams: expected exactly one of `exact` or `prefix`/],
    ['an unknown operation', { id: 'x', scope: { ops: ['read', 'fly'] } }, 400, 'bad_json', /scope\.ops\[1\]: unknown variant `fly`, expected one of `list-basins`/],
    ['a non-boolean group permission', { id: 'x', scope: { op_groups: { account: { read: 'yes' } } } }, 400, 'bad_json', /scope\.op_groups\.account\.read: invalid type/],
    ['a malformed expiry', { id: 'x', expires_at: 'tomorrow', scope: { ops: ['read'] } }, 400, 'bad_json', /expires_at: invalid RFC 3339/],
    ['a missing scope', { id: 'x' }, 400, 'bad_json', /missing field `scope`/],
    ['an id of 97 bytes', { id: 'i'.repeat(97), scope: { ops: ['read'] } }, 400, 'bad_json', /id: access token id must not exceed 96 bytes/],
    ['auto prefix without a stream prefix', { id: 'x', auto_prefix_streams: true, scope: { streams: { exact: 'a' }, ops: ['read'] } }, 422, 'invalid', /auto_prefix_streams requires the stream scope to be a prefix/],
    ['no operation at all', { id: 'x', scope: { basins: { prefix: '' }, op_groups: { account: { read: false } } } }, 422, 'invalid', /at least one operation/],
  ]
  for (const [label, body, status, code, message] of cases) {
    it(`answers an issue request with ${label} with ${status} ${code}, and issues nothing`, async () => {
      const { ns } = await fresh()
      const res = await rawAs(ns.url, ns.token, 'POST', '/v1/access-tokens', { body })
      expectS2Error(res, status, code)
      expect((res.json as { message: string }).message).toMatch(message)
      expect(await ns.accessTokens.list()).toEqual([])
    })
  }

  it('answers bad list queries with 400 bad_query and a bad id in the path with 400 bad_path', async () => {
    const { ns } = await fresh()
    expectS2Error(await rawAs(ns.url, ns.token, 'GET', `/v1/access-tokens?prefix=${'p'.repeat(97)}`), 400, 'bad_query')
    expectS2Error(await rawAs(ns.url, ns.token, 'GET', '/v1/access-tokens?limit=-1'), 400, 'bad_query')
    expectS2Error(await rawAs(ns.url, ns.token, 'DELETE', `/v1/access-tokens/${'t'.repeat(97)}`), 400, 'bad_path')
  })
})

describe('with isolation', () => {
  it('an issued token acts in the namespace that issued it; the admin API lists each namespace apart; a reset forgets its tokens', async () => {
    const a = await fresh()
    const b = await fresh()
    const basinA = await a.basin()
    await b.basin()
    const token = await a.issue({ id: 'shared-id', scope: { basins: { prefix: '' }, ops: ['list-basins', 'create-basin'] } })
    await b.issue({ id: 'shared-id', scope: { ops: ['list-basins'] } })
    const s2 = clientWith(t.url, token)
    const created = basinName('via-token')
    await s2.basins.create({ basin: created })
    expect((await s2.basins.list()).basins.map((x) => x.name).sort()).toEqual([basinA, created].sort())
    expect((await a.root.basins.list()).basins.map((x) => x.name)).toContain(created)
    expect((await b.root.basins.list()).basins.map((x) => x.name)).not.toContain(created)
    const everywhere = await t.emulator.accessTokens.list()
    expect(everywhere.filter((x) => x.id === 'shared-id').map((x) => x.namespace).sort()).toEqual([a.ns.name, b.ns.name].sort())
    expect((await a.ns.accessTokens.list()).map((x) => x.namespace)).toEqual([a.ns.name])
    await a.ns.reset()
    expect((await rawAs(t.url, token, 'GET', '/v1/basins')).status).toBe(401)
    expect((await a.ns.accessTokens.list())).toEqual([])
    expect((await b.ns.accessTokens.list()).map((x) => x.id)).toEqual(['shared-id'])
  })

  it("a dropped namespace's root token is refused", async () => {
    const { ns, root } = await fresh()
    expect(await outcome(root.basins.list())).toBe('ok')
    await ns.drop()
    expect(await outcome(root.basins.list())).toBe(401)
  })
})

describe('without isolation', () => {
  const start = useStartedEmulators()

  it('the root token (configured or random) acts in the default namespace and is the env token', async () => {
    const configured = await start({ profile: 'cloud', rootToken: 'my-root-token' })
    expect(configured.env.S2_ACCESS_TOKEN).toBe('my-root-token')
    expect(configured.profile).toBe('cloud')
    const root = clientWith(configured.url, 'my-root-token')
    const basin = basinName('default')
    await root.basins.create({ basin })
    expect((await configured.namespace('').info()).basins).toBe(1)
    expect(await outcome(clientWith(configured.url, 'another').basins.list())).toBe(401)
    const random = await start({ profile: 'cloud' })
    expect(random.env.S2_ACCESS_TOKEN).toMatch(/^s2e_root_/)
    expect(await outcome(clientWith(random.url, random.env.S2_ACCESS_TOKEN).basins.list())).toBe('ok')
  })

  it('the lite profile has no tokens: any token works, and the admin API lists none', async () => {
    const lite = await start()
    expect(lite.profile).toBe('lite')
    expect(lite.env.S2_ACCESS_TOKEN).toBe('ignored')
    expect(await outcome(clientWith(lite.url, 'anything').basins.list())).toBe('ok')
    expect(await lite.accessTokens.list()).toEqual([])
  })
})
