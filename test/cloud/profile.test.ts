import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import { S2EmulatorError } from 's2-emulator'
import { expectS2Error } from '../support/append-helpers.ts'
import { clientWith, rawAs, useCloudNamespaces } from '../support/cloud.ts'
import { basinName, raw, startError, useEmulator, useStartedEmulators } from '../support/emulator.ts'
import { killAll, run, spawnProcess, started } from '../support/process.ts'

/**
 * The cloud profile's other differences from s2-lite: locations, the service's defaults, the
 * `s2-stream-config` header, and how the profile is chosen (option, CLI flag, environment).
 */
const t = useEmulator({ profile: 'cloud', isolation: 'token' })
const fresh = useCloudNamespaces(() => t.emulator)

const LOCATIONS = [
  { name: 'aws:us-east-1', is_private: false },
  { name: 'aws:us-west-2', is_private: false },
  { name: 'aws:eu-north-1', is_private: false },
]

describe('locations', () => {
  it('lists the fixed locations, and keeps a default per namespace that new basins get', async () => {
    const { ns, root } = await fresh()
    const get = (path: string) => rawAs(ns.url, ns.token, 'GET', path)
    expect((await get('/v1/locations')).json).toEqual(LOCATIONS)
    expect((await get('/v1/locations/default')).json).toEqual({ name: 'aws:us-east-1', is_private: false })
    const before = basinName('before')
    await root.basins.create({ basin: before })
    const put = await rawAs(ns.url, ns.token, 'PUT', '/v1/locations/default', { body: JSON.stringify('aws:eu-north-1'), headers: { 'content-type': 'application/json' } })
    expect({ status: put.status, body: put.json }).toEqual({ status: 200, body: { name: 'aws:eu-north-1', is_private: false } })
    expect(await root.locations.getDefault()).toEqual({ name: 'aws:eu-north-1', isPrivate: false })
    const after = basinName('after')
    const chosen = basinName('chosen')
    await root.basins.create({ basin: after })
    expect((await root.basins.create({ basin: chosen, location: 'aws:us-west-2' })).location).toBe('aws:us-west-2')
    const listed = (await root.basins.list()).basins.map((b) => [b.name, b.location])
    expect(listed.sort()).toEqual(
      [
        [before, 'aws:us-east-1'],
        [after, 'aws:eu-north-1'],
        [chosen, 'aws:us-west-2'],
      ].sort(),
    )
    // Another namespace has its own default.
    const other = await fresh()
    expect(await other.root.locations.getDefault()).toEqual({ name: 'aws:us-east-1', isPrivate: false })
  })

  it('answers an unknown location with 422 and a malformed one with 400, changing nothing', async () => {
    const { ns } = await fresh()
    const json = { 'content-type': 'application/json' }
    expectS2Error(await rawAs(ns.url, ns.token, 'PUT', '/v1/locations/default', { headers: json, body: JSON.stringify('mars:north-1') }), 422, 'invalid')
    expectS2Error(await rawAs(ns.url, ns.token, 'PUT', '/v1/locations/default', { headers: json, body: JSON.stringify('not a location!') }), 400, 'bad_json')
    expectS2Error(await rawAs(ns.url, ns.token, 'POST', '/v1/basins', { body: { basin: basinName('nowhere'), location: 'mars:north-1' } }), 422, 'invalid')
    expect((await rawAs(ns.url, ns.token, 'GET', '/v1/locations/default')).json).toEqual({ name: 'aws:us-east-1', is_private: false })
    expect(((await rawAs(ns.url, ns.token, 'GET', '/v1/basins')).json as { basins: unknown[] }).basins).toEqual([])
  })
})

describe("the service's defaults", () => {
  it('shows an unset default storage class as express, as the service does (s2-lite shows null)', async () => {
    const { ns, root } = await fresh()
    const configured = basinName('configured')
    const minimal = basinName('minimal')
    await root.basins.create({ basin: configured, config: { defaultStreamConfig: { retentionPolicy: { ageSecs: 600 } } } })
    await root.basins.create({ basin: minimal })
    expect((await root.basins.getConfig({ basin: configured })).defaultStreamConfig?.storageClass).toBe('express')
    expect((await rawAs(ns.url, ns.token, 'GET', `/v1/basins/${minimal}`)).json).toEqual({
      default_stream_config: { storage_class: 'express', retention_policy: null, timestamping: null, delete_on_empty: null },
      stream_cipher: null,
      create_stream_on_append: false,
      create_stream_on_read: false,
    })
    await root.basin(minimal).streams.create({ stream: 's' })
    expect((await root.basin(minimal).streams.getConfig({ stream: 's' })).storageClass).toBe('express')
  })
})

describe('s2-stream-config (SDK 0.27)', () => {
  it('configures a stream an append or a read auto-creates; an existing stream ignores it', async () => {
    const { root } = await fresh()
    const basin = basinName('auto')
    await root.basins.create({ basin, config: { createStreamOnAppend: true, createStreamOnRead: true } })
    const streamConfig = { storageClass: 'standard' as const, retentionPolicy: { ageSecs: 3600 } }
    await root.basin(basin).stream('by-append').append(AppendInput.create([AppendRecord.string({ body: 'x' })], { streamConfig }))
    // A unary read at the tail of the new, empty stream is a 416, as in s2-lite; the stream is created first.
    const read = root.basin(basin).stream('by-read').read({ start: { from: { seqNum: 0 } }, streamConfig: { ...streamConfig, retentionPolicy: { ageSecs: 60 } } })
    await expect(read).rejects.toMatchObject({ status: 416 })
    await root.basin(basin).stream('plain').append(AppendInput.create([AppendRecord.string({ body: 'x' })]))
    await root.basin(basin).stream('plain').append(AppendInput.create([AppendRecord.string({ body: 'y' })], { streamConfig }))
    const config = (stream: string) => root.basin(basin).streams.getConfig({ stream })
    expect(await config('by-append')).toMatchObject({ storageClass: 'standard', retentionPolicy: { ageSecs: 3600 } })
    expect(await config('by-read')).toMatchObject({ storageClass: 'standard', retentionPolicy: { ageSecs: 60 } })
    expect(await config('plain')).toMatchObject({ storageClass: 'express', retentionPolicy: { ageSecs: 604800 } })
    for (const stream of ['by-append', 'by-read', 'plain']) await root.basin(basin).stream(stream).close()
  })

  it('answers a malformed header with 400 bad_header and a zero retention with 422, creating nothing', async () => {
    const { ns, root } = await fresh()
    const basin = basinName('auto')
    await root.basins.create({ basin, config: { createStreamOnAppend: true } })
    const append = (header: string) =>
      rawAs(ns.url, ns.token, 'POST', '/v1/streams/s/records', { headers: { 's2-basin': basin, 's2-stream-config': header }, body: { records: [{ body: 'x' }] } })
    expectS2Error(await append('{not json'), 400, 'bad_header')
    expectS2Error(await append('{"storage_class":"fastest"}'), 400, 'bad_header')
    expectS2Error(await append('{"retention_policy":{"age":0}}'), 422, 'invalid')
    expect((await root.basin(basin).streams.list()).streams).toEqual([])
  })

  it('is ignored in the lite profile, as s2-lite ignores it', async () => {
    const lite = await startLite()
    const basin = basinName('lite')
    await raw(lite.url, 'POST', '/v1/basins', { body: { basin, config: { create_stream_on_append: true } } })
    const res = await raw(lite.url, 'POST', '/v1/streams/s/records', {
      headers: { 's2-basin': basin, 's2-stream-config': '{"storage_class":"standard"}' },
      body: { records: [{ body: 'x' }] },
    })
    expect(res.status).toBe(200)
    expect((await raw(lite.url, 'GET', '/v1/streams/s', { headers: { 's2-basin': basin } })).json).toMatchObject({ storage_class: 'express' })
    expect((await raw(lite.url, 'GET', `/v1/basins/${basin}`)).json).toMatchObject({ default_stream_config: null })
  })
})

const startLite = (() => {
  const start = useStartedEmulators()
  return () => start()
})()

describe('choosing the profile', () => {
  afterEach(() => killAll())

  it('rejects a bad profile, and a root token without the cloud profile, listing each problem', async () => {
    const bad = await startError({ profile: 'saas' as 'cloud' })
    expect(bad).toBeInstanceOf(S2EmulatorError)
    expect((bad as Error).message).toContain("profile must be 'lite' or 'cloud' (got saas)")
    expect(((await startError({ rootToken: 'x' })) as Error).message).toContain("rootToken needs profile: 'cloud'")
    expect(((await startError({ profile: 'cloud', rootToken: 'has space' })) as Error).message).toContain('rootToken must be 1 to 512 printable ASCII')
  })

  it('--profile cloud --root-token prints the root token as S2_ACCESS_TOKEN and enforces it', async () => {
    const p = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--profile', 'cloud', '--root-token', 'cli-root'])
    const { url } = await started(p)
    expect(p.stdout()).toMatch(/^profile: cloud /m)
    expect(p.stdout()).toMatch(/^\s*export S2_ACCESS_TOKEN=cli-root$/m)
    expect((await raw(url, 'GET', '/v1/basins')).status).toBe(401)
    expect(await clientWith(url, 'cli-root').basins.list()).toMatchObject({ basins: [] })
    p.child.kill('SIGTERM')
    expect((await p.exited).code).toBe(0)
  })

  it('S2E_PROFILE and S2E_ROOT_TOKEN choose them from the environment; bad values exit 2', async () => {
    const p = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0'], { env: { ...process.env, S2E_PROFILE: 'cloud', S2E_ROOT_TOKEN: 'env-root' } })
    const { url } = await started(p)
    expect(p.stdout()).toMatch(/^\s*export S2_ACCESS_TOKEN=env-root$/m)
    expect((await rawAs(url, 'env-root', 'GET', '/v1/basins')).status).toBe(200)
    p.child.kill('SIGTERM')
    await p.exited
    const bad = await run(process.execPath, ['src/cli.ts', '--profile', 'saas'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--profile must be 'lite' or 'cloud', got 'saas'")
    const lonely = await run(process.execPath, ['src/cli.ts', '--root-token', 'x'])
    expect(lonely.code).toBe(2)
    expect(lonely.stderr).toContain('--root-token needs --profile cloud')
    const help = await run(process.execPath, ['src/cli.ts', '--help'])
    expect(help.stdout).toContain('--profile <profile>')
    expect(help.stdout).toContain('--root-token <token>')
  })
})
