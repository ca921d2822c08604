/**
 * The container image: its size, and a container's start to the first 200 from /health, to Docker's
 * "healthy" and its stop on SIGTERM, against the base image running a bare node:http server (the
 * limit: what any Node server in that image pays). Needs a container engine Testcontainers finds;
 * without one the rows are skipped. Host networking (CI has no bridge), loopback only.
 */
import { createServer } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers'
import { buildS2EmulatorImage } from '../../src/testcontainers/index.ts'
import type { Ctx } from '../lib/context.ts'
import { summarize } from '../lib/stats.ts'

const SUITE = 'container'
type Docker = ContainerRuntimeClient['container']['dockerode']

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function until200(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return
    await delay(5)
  }
}

const BARE_SERVER = `const s=require('node:http').createServer((q,r)=>r.end('OK'));process.on('SIGTERM',()=>s.close(()=>process.exit(0)));s.listen(+process.env.PORT,'127.0.0.1')`

interface Run {
  readonly toFirst200: number
  readonly toStopped: number
}

/** Creates and starts a container on the host network, times it to the first 200, then `docker stop`. */
async function run(docker: Docker, image: string, kind: 'emulator' | 'bare', healthy?: (ms: number) => void): Promise<Run> {
  const port = await freePort()
  const options =
    kind === 'emulator'
      ? { Env: [`S2E_PORT=${port}`, 'S2E_HOST=127.0.0.1'] }
      : { Env: [`PORT=${port}`], Entrypoint: ['node', '-e', BARE_SERVER], Healthcheck: { Test: ['NONE'] } }
  const start = performance.now()
  const container = await docker.createContainer({ Image: image, HostConfig: { NetworkMode: 'host' }, ...options })
  try {
    await container.start()
    await until200(`http://127.0.0.1:${port}/health`)
    const toFirst200 = performance.now() - start
    if (healthy !== undefined) {
      while ((await container.inspect()).State.Health?.Status !== 'healthy') await delay(50)
      healthy(performance.now() - start)
    }
    const stopping = performance.now()
    await container.stop({ t: 10 })
    return { toFirst200, toStopped: performance.now() - stopping }
  } finally {
    await container.remove({ force: true })
  }
}

export async function container(ctx: Ctx): Promise<void> {
  const runs = ctx.pick(10, 3, 1)
  let client: ContainerRuntimeClient
  try {
    client = await getContainerRuntimeClient()
  } catch (error) {
    const skipped = { skipped: `no container engine: ${(error as Error).message.split('\n')[0]}` }
    for (const measure of ['image size', 'container start to first 200 from /health', 'docker stop (SIGTERM) to exit']) {
      ctx.add({ suite: SUITE, measure, unit: measure === 'image size' ? 'MB' : 'ms', better: 'lower', workload: '-', emulator: skipped })
    }
    return
  }
  const docker = client.container.dockerode
  const base = process.env.S2_EMULATOR_BASE_IMAGE || 'node:24-alpine'
  const buildStart = performance.now()
  const image = await buildS2EmulatorImage({ baseImage: base })
  ctx.note(SUITE, `image ${image} on ${base} ready in ${((performance.now() - buildStart) / 1000).toFixed(1)} s (0 s of building when an image of the same files existed)`)
  ctx.workload(
    SUITE,
    `the image built from the package (npm run build first) on ${base}; node = ${base} itself running a bare node:http server. Containers on the host network, created and started with the Docker API, timed to the first 200 from /health (polled every 5 ms); then docker stop (SIGTERM, 10 s grace) to exit; ${runs} runs each.`,
  )
  const sizeMb = async (name: string) => (await docker.getImage(name).inspect()).Size / 1e6
  ctx.add({
    suite: SUITE,
    measure: 'image size',
    unit: 'MB',
    better: 'lower',
    workload: 'uncompressed, as docker images shows it',
    emulator: summarize([await sizeMb(image)]),
    baseline: { ...summarize([await sizeMb(base)]), workload: `the base image ${base}` },
  })

  const samples = { emu: [] as Run[], bare: [] as Run[], healthy: [] as number[] }
  await run(docker, image, 'emulator') // warm the page cache
  for (let i = 0; i < runs; i++) {
    samples.emu.push(await run(docker, image, 'emulator', i === 0 ? (ms) => samples.healthy.push(ms) : undefined))
    samples.bare.push(await run(docker, base, 'bare'))
  }
  ctx.add({
    suite: SUITE,
    measure: 'container start to first 200 from /health',
    unit: 'ms',
    better: 'lower',
    workload: 'docker create + start, host network, S2E_PORT set',
    emulator: summarize(samples.emu.map((r) => r.toFirst200)),
    baseline: summarize(samples.bare.map((r) => r.toFirst200)),
  })
  ctx.add({
    suite: SUITE,
    measure: 'container start to Docker "healthy"',
    unit: 'ms',
    better: 'lower',
    workload: 'the image HEALTHCHECK (every 5 s; Docker < 25 has no faster start interval), one run',
    emulator: summarize(samples.healthy),
  })
  ctx.add({
    suite: SUITE,
    measure: 'docker stop (SIGTERM) to exit',
    unit: 'ms',
    better: 'lower',
    workload: 'closes its listener and exits 0',
    emulator: summarize(samples.emu.map((r) => r.toStopped)),
    baseline: summarize(samples.bare.map((r) => r.toStopped)),
  })
}
