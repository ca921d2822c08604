import { AppendInput, AppendRecord, S2, S2Error } from '@s2-dev/streamstore'
import { randomUUID } from 'node:crypto'
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { connect as connectH2 } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { connectS2Emulator, S2EmulatorError, startS2Emulator } from 's2-emulator'
import { S2EmulatorContainer, type StartedS2EmulatorContainer } from 's2-emulator/testcontainers'
import { BASE_IMAGE, HOW_TO_RUN, installPackedPackage, probeEngine, type InstalledPackage } from '../support/containers.ts'
import { childEnv, REPO_ROOT, run } from '../support/process.ts'

/**
 * The container image and the Testcontainers module, for real: the package is built and packed from
 * this checkout and installed in a project, whose `s2-emulator/testcontainers` builds the image from
 * the Dockerfile it ships; containers use the host's network (the only one CI has: no bridge).
 * Without a container engine these tests are skipped, with a message, unless CI=true.
 */

type Module = typeof import('s2-emulator/testcontainers')

const engine = await probeEngine()
const inCi = process.env.CI === 'true'
if (!engine.ok && !inCi) console.warn(`[container tests] skipped: no container engine (${engine.reason}).\n${HOW_TO_RUN}`)

describe.runIf(!engine.ok && inCi)('in CI', () => {
  it('has a container engine for the container tests', () => {
    expect.fail(`CI=true but no container engine answers (${engine.ok ? '' : engine.reason}).\n${HOW_TO_RUN}`)
  })
})

const sdk = (url: string, accessToken = 'ignored'): S2 =>
  new S2({ accessToken, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
const names = async (s2: S2): Promise<string[]> => (await s2.basins.list()).basins.map((b) => b.name)

describe.skipIf(!engine.ok)('the s2-emulator image and Testcontainers module', { timeout: 120_000 }, () => {
  let pkg: InstalledPackage | undefined
  let project: string
  let installed: Module
  let shared: StartedS2EmulatorContainer
  let image: string

  beforeAll(async () => {
    pkg = await installPackedPackage()
    project = pkg.project
    installed = await pkg.importEntry<Module>('testcontainers')
    if (BASE_IMAGE !== undefined) process.env.S2_EMULATOR_BASE_IMAGE = BASE_IMAGE
    // No image given: the installed module builds one from the Dockerfile in the package.
    shared = await new installed.S2EmulatorContainer().withNetworkMode('host').withIsolation('token').start()
    image = installed.defaultImageTag()
  }, 600_000)

  afterAll(async () => {
    await shared?.stop()
    await pkg?.remove()
  })

  describe('an emulator started by the module of the installed package, with no image given', () => {
    it('runs the image it built from the package: s2-emulator:<version>, labelled with what it was built from', async () => {
      expect(await (await fetch(`${shared.getUrl()}/health`)).text()).toBe('OK')
      const dockerode = (await getContainerRuntimeClient()).container.dockerode
      expect((await dockerode.getContainer(shared.getId()).inspect()).Config.Image).toBe(image)
      expect(image).toMatch(/^s2-emulator:\d+\.\d+\.\d+/)
      const config = (await dockerode.getImage(image).inspect()).Config
      expect(config.Labels?.['dev.s2-emulator.build']).toMatch(/^[0-9a-f]{64}$/)
      expect(config.User).toBe('1000:1000')
      expect(config.ExposedPorts).toHaveProperty(['4243/tcp'])
      expect(config.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/docker/healthcheck.mjs'])
    })

    it('runs as a non-root user', async () => {
      const id = await shared.exec(['id', '-u'])
      expect(id).toMatchObject({ exitCode: 0 })
      expect(id.output.trim()).toBe('1000')
    })

    it('gives the URL and the S2_* environment for this machine, on loopback with host networking', () => {
      expect(shared.getUrl()).toBe(`http://127.0.0.1:${shared.getPort()}`)
      expect(shared.getEnv()).toEqual({ S2_ACCOUNT_ENDPOINT: shared.getUrl(), S2_BASIN_ENDPOINT: shared.getUrl(), S2_ACCESS_TOKEN: 'ignored' })
    })

    it('serves the SDK: unary calls, and append and read sessions over S2S (h2c)', async () => {
      const s2 = sdk(shared.getUrl(), 'unary-and-s2s')
      await s2.basins.create({ basin: 'container-orders' })
      await s2.basin('container-orders').streams.create({ stream: 'orders' })
      const orders = s2.basin('container-orders').stream('orders', { forceTransport: 's2s' })
      try {
        await orders.append(AppendInput.create([AppendRecord.string({ body: 'unary-1' })]))
        const session = await orders.appendSession()
        const ticket = await session.submit(AppendInput.create([AppendRecord.string({ body: 's2s-2' }), AppendRecord.string({ body: 's2s-3' })]))
        expect((await ticket.ack()).end.seqNum).toBe(3)
        await session.close()
        const read = await orders.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 } } })
        const bodies: string[] = []
        for await (const record of read) bodies.push(record.body as string)
        expect(bodies).toEqual(['unary-1', 's2s-2', 's2s-3'])
      } finally {
        await orders.close()
      }
      const sessions = await shared.getControls().journal.list({ basin: 'container-orders' })
      expect(new Set(sessions.filter((e) => e.transport === 's2s').map((e) => e.operation))).toEqual(new Set(['append', 'read']))
    })

    it('speaks HTTP/2 cleartext through the container', async () => {
      const session = connectH2(shared.getUrl())
      try {
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const request = session.request({ ':path': '/health' })
          let status = 0
          let body = ''
          request.on('response', (headers) => (status = Number(headers[':status'])))
          request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
          request.on('end', () => resolve({ status, body }))
          request.on('error', reject)
        })
        expect({ status, body }).toEqual({ status: 200, body: 'OK' })
      } finally {
        session.close()
      }
    })

    it('gives its controls: a fault fires through the container, and reports that it did', async () => {
      const controls = shared.getControls()
      const s2 = sdk(shared.getUrl(), 'faults-test')
      await s2.basins.create({ basin: 'container-faults' })
      await s2.basin('container-faults').streams.create({ stream: 'events' })
      const rule = await controls.faults.add({
        match: { basin: 'container-faults', operation: 'check_tail' },
        action: { type: 'error', status: 503 },
        times: 1,
      })
      const events = s2.basin('container-faults').stream('events')
      try {
        const failed = await events.checkTail().then(() => null, (error: unknown) => error)
        expect(failed).toBeInstanceOf(S2Error)
        expect((failed as S2Error).status).toBe(503)
        expect((await events.checkTail()).tail.seqNum).toBe(0)
      } finally {
        await events.close()
      }
      expect((await controls.faults.get(rule.id)).fired).toBe(1)
      await controls.faults.clear()
    })

    it('gives each test a namespace of its own through the controls', async () => {
      const controls = shared.getControls()
      const [a, b] = [await controls.createNamespace({ label: 'container a' }), await controls.createNamespace()]
      try {
        const alice = sdk(a.url, a.token)
        const bob = sdk(b.url, b.token)
        await a.faults.add({ match: { operation: 'list_basins' }, action: { type: 'error', status: 503 }, times: 1 })
        await alice.basins.create({ basin: 'container-alice' })
        await expect(alice.basins.list()).rejects.toMatchObject({ status: 503 })
        expect(await names(alice)).toEqual(['container-alice'])
        expect(await names(bob)).toEqual([])
        expect((await a.info()).basins).toBe(1)
        await a.faults.assertAllFired()
        expect((await b.journal.list()).map((e) => e.operation)).toEqual(['list_basins'])
      } finally {
        await a.drop()
        await b.drop()
      }
      expect((await controls.namespaces()).map((n) => n.name)).not.toContain(a.name)
    })

    it('takes and restores a snapshot through the controls', async () => {
      const controls = shared.getControls()
      const s2 = sdk(shared.getUrl(), `snapshots-${randomUUID()}`)
      await s2.basins.create({ basin: 'container-snap-a' })
      await controls.snapshots.take('before-b')
      await s2.basins.create({ basin: 'container-snap-b' })
      expect(await names(s2)).toEqual(['container-snap-a', 'container-snap-b'])
      await controls.snapshots.restore('before-b')
      expect(await names(s2)).toEqual(['container-snap-a'])
    })

    it('is reached from another container at getNetworkUrl(), with getNetworkEnv()', async () => {
      expect(shared.getNetworkUrl()).toBe(shared.getUrl()) // host networking: the same loopback URL
      const script = `
        const res = await fetch(process.env.S2_ACCOUNT_ENDPOINT + '/v1/basins', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.S2_ACCESS_TOKEN },
          body: JSON.stringify({ basin: 'from-another-container' }),
        })
        console.log('create_basin ' + res.status)
        process.exit(res.status === 201 ? 0 : 1)`
      const client = await new GenericContainer(image)
        .withNetworkMode('host')
        .withEnvironment({ ...shared.getNetworkEnv() })
        .withEntrypoint(['node', '--input-type=module', '-e', script])
        .withWaitStrategy(Wait.forOneShotStartup())
        .start()
      try {
        const logs = await new Promise<string>((resolve) => {
          let text = ''
          void client.logs().then((stream) => stream.on('data', (d: Buffer | string) => (text += String(d))).on('end', () => resolve(text)))
        })
        expect(logs).toContain('create_basin 201')
      } finally {
        await client.stop()
      }
      expect(await names(sdk(shared.getUrl(), 'ignored'))).toEqual(['from-another-container'])
    })

    it('becomes healthy by its HEALTHCHECK (GET /health from inside)', async () => {
      const container = (await getContainerRuntimeClient()).container.dockerode.getContainer(shared.getId())
      let status: string | undefined
      for (;;) {
        status = (await container.inspect()).State.Health?.Status
        if (status !== 'starting') break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      expect(status).toBe('healthy')
    })
  })

  it("runs the README's vitest example (examples/testcontainers) in a project that installed the package", async () => {
    for (const file of await readdir(join(REPO_ROOT, 'examples/testcontainers'))) {
      await cp(join(REPO_ROOT, 'examples/testcontainers', file), join(project, file))
    }
    // Host networking here: no bridge. Elsewhere the example runs as it is.
    const env = { ...childEnv(), S2_EMULATOR_NETWORK_MODE: 'host', CI: 'true' }
    const result = await run(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: project, env })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.stdout).toMatch(/Tests\s+2 passed \(2\)/)
  })

  it('applies its with... options: clock, faults, init spec, records and a snapshot file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's2e-container-options-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const snapshotFile = join(dir, 'fixture.s2snap')
    const builder = await startS2Emulator()
    try {
      await sdk(builder.url).basins.create({ basin: 'from-snapshot' })
      await builder.snapshots.take('fixture')
      await writeFile(snapshotFile, await builder.snapshots.download('fixture'))
    } finally {
      await builder.stop()
    }
    const recordsFile = join(dir, 'more.ndjson')
    await writeFile(recordsFile, '{"basin":"from-init","stream":"events","body":"second"}\n')

    await using emulator = await new S2EmulatorContainer(image)
      .withNetworkMode('host')
      .withClock('virtual', { startTime: '2030-01-02T03:04:05.000Z' })
      .withFaults([{ match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 }], { seed: 11 })
      .withInit({ basins: [{ name: 'from-init', streams: [{ name: 'events' }] }] })
      .withRecords([{ basin: 'from-init', stream: 'events', body: 'first' }])
      .withRecords(recordsFile)
      .withSnapshotFile(snapshotFile)
      .start()

    const controls = emulator.getControls()
    expect(await controls.clock.get()).toMatchObject({ mode: 'virtual', iso: '2030-01-02T03:04:05.000Z' })
    expect(await controls.faults.seed()).toBe(11)
    const s2 = sdk(emulator.getUrl())
    expect(await names(s2)).toEqual(['from-init', 'from-snapshot'])
    const events = s2.basin('from-init').stream('events')
    try {
      const failed = await events.checkTail().then(() => null, (error: unknown) => error)
      expect((failed as S2Error).status).toBe(503)
      const batch = await events.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
      expect(batch.records.map((r) => [r.body, r.timestamp.getTime()])).toEqual([
        ['first', Date.parse('2030-01-02T03:04:05.000Z')],
        ['second', Date.parse('2030-01-02T03:04:05.000Z')],
      ])
    } finally {
      await events.close()
    }
  })

  it('runs the cloud profile with withProfile, and guards its admin API with withAdminToken', async () => {
    await using emulator = await new S2EmulatorContainer(image)
      .withNetworkMode('host')
      .withProfile('cloud', { rootToken: 'container-root-token' })
      .withAdminToken('container-admin-token')
      .start()
    expect(emulator.getEnv().S2_ACCESS_TOKEN).toBe('container-root-token')
    const s2 = sdk(emulator.getUrl(), emulator.getEnv().S2_ACCESS_TOKEN)
    await s2.basins.create({ basin: 'cloud-in-a-container' })
    expect(await names(s2)).toEqual(['cloud-in-a-container'])
    const stranger = await names(sdk(emulator.getUrl(), 'not-a-token')).then(() => null, (e: unknown) => e)
    expect((stranger as S2Error).status).toBe(401)
    expect((await emulator.getControls().namespaces()).map((n) => n.name)).toContain('default')
    const withoutToken = await connectS2Emulator(emulator.getUrl()).faults.list().then(() => null, (e: unknown) => e)
    expect((withoutToken as S2EmulatorError).status).toBe(401)
  })

  it('fails to start with the emulator\'s own message when an option is bad', async () => {
    const start = new S2EmulatorContainer(image)
      .withNetworkMode('host')
      .withFaults([{ match: { operation: 'append' }, action: { type: 'explode' } } as never])
      .start()
    const error = await start.then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_CONTAINER_FAILED')
    expect((error as Error).message).toMatch(/exited with code 1/)
    expect((error as Error).message).toContain('faults[0].action')
  })

  it('keeps the state in a volume with withPersist: across restart(), and in a new container', async () => {
    const volume = `s2e-test-${randomUUID().slice(0, 8)}`
    const client = await getContainerRuntimeClient()
    try {
      const first = await new S2EmulatorContainer(image).withNetworkMode('host').withPersist(volume).start()
      try {
        const s2 = sdk(first.getUrl())
        await s2.basins.create({ basin: 'persisted' })
        await s2.basin('persisted').streams.create({ stream: 'log' })
        const log = s2.basin('persisted').stream('log')
        await log.append(AppendInput.create([AppendRecord.string({ body: 'kept' })]))
        await log.close()
        await first.restart() // SIGTERM: the emulator saves; then it loads the state again
        expect((await sdk(first.getUrl()).basin('persisted').stream('log').checkTail()).tail.seqNum).toBe(1)
      } finally {
        await first.stop()
      }
      await using second = await new S2EmulatorContainer(image).withNetworkMode('host').withPersist(volume).start()
      const log = sdk(second.getUrl()).basin('persisted').stream('log')
      const batch = await log.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
      expect(batch.records.map((r) => r.body)).toEqual(['kept'])
      await log.close()
    } finally {
      await client.container.dockerode.getVolume(volume).remove().catch(() => undefined)
    }
  })

  it('is removed at the end of an `await using` scope', async () => {
    let id: string
    let url: string
    {
      await using emulator = await new S2EmulatorContainer(image).withNetworkMode('host').start()
      id = emulator.getId()
      url = emulator.getUrl()
      expect((await fetch(`${url}/health`)).status).toBe(200)
    }
    const client = await getContainerRuntimeClient()
    const gone = await client.container.dockerode.getContainer(id).inspect().then(() => false, () => true)
    expect(gone).toBe(true)
    expect(await fetch(`${url}/health`).then(() => 'answered', () => 'refused')).toBe('refused')
  })

  it('listens on 0.0.0.0 in its own network namespace, answers its health check, and exits 0 on SIGTERM', async () => {
    // The image as `docker run` starts it (no options; network `none`: only its own loopback).
    const container = await new GenericContainer(image).withNetworkMode('none').withWaitStrategy(Wait.forLogMessage(/listening on/)).start()
    const tcp = await container.exec(['cat', '/proc/net/tcp'])
    // 0.0.0.0:4243 (0x1093), state 0A = LISTEN
    expect(tcp.output).toMatch(/^\s*\d+: 00000000:1093 00000000:0000 0A /m)
    expect(await container.exec(['node', '/app/docker/healthcheck.mjs'])).toMatchObject({ exitCode: 0 })
    await container.stop({ timeout: 10_000, remove: false })
    const client = await getContainerRuntimeClient()
    const stopped = client.container.dockerode.getContainer(container.getId())
    try {
      expect((await stopped.inspect()).State.ExitCode).toBe(0)
      const logs = String(await stopped.logs({ stdout: true, stderr: true }))
      expect(logs).toContain('SIGTERM received, stopping')
    } finally {
      await stopped.remove()
    }
  })
})
