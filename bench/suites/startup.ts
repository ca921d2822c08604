/**
 * Start-up, as users pay for it: in-process `startS2Emulator()`; and, on the packed package
 * installed in a scratch project (as from npm), the import of the package and the CLI from spawn
 * to the first 200 from /health, plus the tarball's size.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import kinesalite from 'kinesalite'
import { packAndInstall, type PackedPackage } from '../../scripts/packed-package.ts'
import { startS2Emulator } from '../../src/index.ts'
import type { Ctx } from '../lib/context.ts'
import { entryImports, runnerPackages } from './entry-imports.ts'
import { firstOk } from '../lib/http1.ts'
import { KINESALITE_OPTIONS, kinesisHeaders } from '../lib/kinesis.ts'
import { summarize } from '../lib/stats.ts'
import type { Measured, Skipped } from '../lib/report.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const SUITE = 'startup'

const peerProbe = { method: 'POST', headers: kinesisHeaders('ListStreams'), body: '{}' }

async function inProcessEmulator(): Promise<number> {
  const start = performance.now()
  const emulator = await startS2Emulator({ port: 0 })
  await firstOk(`${emulator.url}/health`)
  const ms = performance.now() - start
  await emulator.stop()
  return ms
}

async function inProcessBaseline(): Promise<number> {
  const start = performance.now()
  const server = createServer((_req, res) => res.end('OK'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  await firstOk(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`)
  const ms = performance.now() - start
  await new Promise((resolve) => server.close(resolve))
  return ms
}

async function inProcessPeer(): Promise<number> {
  const start = performance.now()
  const server = kinesalite(KINESALITE_OPTIONS)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  await firstOk(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, peerProbe)
  const ms = performance.now() - start
  await new Promise((resolve) => server.close(resolve))
  return ms
}

const BASELINE_SCRIPT = `const s=require('node:http').createServer((q,r)=>r.end('OK'));s.listen(0,'127.0.0.1',()=>console.log('listening on http://127.0.0.1:'+s.address().port))`
const PEER_SCRIPT = `const s=require('kinesalite')(${JSON.stringify(KINESALITE_OPTIONS)});s.listen(0,'127.0.0.1',()=>console.log('listening on http://127.0.0.1:'+s.address().port))`

interface SpawnOptions {
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly probe?: typeof peerProbe
}

/**
 * Spawns `command args` in its own process group, waits for "listening on URL" on stdout, then
 * for a 200 from `probePath`; stops the group with SIGTERM.
 */
async function spawnToFirstOk(command: string, args: string[], probePath: string, options: SpawnOptions = {}): Promise<number> {
  const start = performance.now()
  const env = { ...process.env, ...options.env }
  const child = spawn(command, args, { cwd: options.cwd ?? root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        const match = /listening on (http:\/\/\S+)/.exec(text)
        if (match) resolve(match[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)} before listening`)))
    })
    await firstOk(`${url}${probePath}`, options.probe)
    return performance.now() - start
  } finally {
    // npx runs the CLI as a grandchild: signal the whole group.
    process.kill(-(child.pid as number), 'SIGTERM')
    await exited
  }
}

/** Runs `node -e script` (which prints one number of milliseconds) and returns that number. */
async function nodeEvalMs(args: string[], cwd: string): Promise<number> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  const ms = Number(out.trim())
  if (code !== 0 || !Number.isFinite(ms)) throw new Error(`node ${args.join(' ')} failed (exit ${code}): ${out}`)
  return ms
}

const IMPORT_ESM = ['--input-type=module', '-e', "const t = performance.now(); await import('s2-emulator'); console.log(performance.now() - t)"]
const REQUIRE_CJS = ['-e', "const t = performance.now(); require('s2-emulator'); console.log(performance.now() - t)"]
const REQUIRE_PEER = ['-e', "const t = performance.now(); require('kinesalite'); console.log(performance.now() - t)"]

/** The least any server on hono and @hono/node-server pays: one route, ESM, as the CLI loads them. */
const HONO_SCRIPT =
  "import { Hono } from 'hono'; import { getRequestListener } from '@hono/node-server'; import { createServer } from 'node:http'; " +
  "const app = new Hono(); app.get('/health', () => new Response('OK')); const s = createServer(getRequestListener(app.fetch)); " +
  "s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port))"

/** The targets of issue 9 (item 5), checked against the medians and printed under the table. */
const TARGETS = { importMs: 80, cliMs: 150 }

const measured = (samples: number[]): Measured | Skipped => (samples.length > 0 ? summarize(samples) : { skipped: 'packed-package measures run in full runs only (npm pack and install take ~20 s)' })

export async function startup(ctx: Ctx): Promise<void> {
  const inProcessRuns = ctx.pick(30, 10, 3)
  // Packing and installing takes ~20 s: full runs only, like the rest of the packed-package measures.
  const packs = ctx.mode === 'full'
  const importRuns = 20
  const cliRuns = ctx.pick(10, 3, 1)
  const npxRuns = 5
  ctx.workload(
    SUITE,
    `in-process: startS2Emulator({port:0}) to the first 200 from /health on a fresh connection, in the bench process, warm (module already loaded), ${inProcessRuns} runs. ` +
      `Packed package (full runs only): npm pack, the tarball installed in a scratch project outside the repository; import/require: a fresh node process timing \`await import('s2-emulator')\` / \`require('s2-emulator')\` (${importRuns} runs), and likewise each entry point of the vitest and jest integrations; ` +
      `CLI: spawn of the installed bin to the first 200 from /health (${cliRuns} runs; after one warm-up run, so Node's compile cache, which the CLI enables, is warm; "compile cache off" sets NODE_DISABLE_COMPILE_CACHE=1), and \`npx s2-emulator\` (${npxRuns} runs); ` +
      `and \`node src/cli.ts\` from a checkout (npm run dev, type stripping). Targets: import under ${TARGETS.importMs} ms, CLI to healthy under ${TARGETS.cliMs} ms. ` +
      `node = http.createServer answering OK (same process / a node -e child); peer = kinesalite in memory (its first 200 is a ListStreams; its import is require('kinesalite')).`,
  )
  const samples = { emu: [] as number[], base: [] as number[], peer: [] as number[] }
  for (let i = 0; i < 2; i++) {
    await inProcessEmulator()
    await inProcessBaseline()
    await inProcessPeer()
  }
  for (let i = 0; i < inProcessRuns; i++) {
    samples.emu.push(await inProcessEmulator())
    samples.base.push(await inProcessBaseline())
    samples.peer.push(await inProcessPeer())
  }
  ctx.add({
    suite: SUITE,
    measure: 'startS2Emulator() to first 200',
    unit: 'ms',
    better: 'lower',
    workload: 'in-process, warm',
    emulator: summarize(samples.emu),
    baseline: summarize(samples.base),
    peer: { ...summarize(samples.peer), workload: 'kinesalite(opts).listen() to the first 200 (ListStreams)' },
  })
  ctx.log('startup: in-process done')

  let packed: PackedPackage | null = null
  if (packs) {
    ctx.log('startup: npm pack, and installing the tarball in a scratch project ...')
    packed = await packAndInstall(runnerPackages()) // vitest and jest-environment-node, for the runner entry points
  }
  try {
    const app = packed?.app ?? root
    const bin = join(app, 'node_modules/s2-emulator/dist/cli.js')
    const times = { esm: [] as number[], cjs: [] as number[], peer: [] as number[] }
    if (packed !== null) {
      for (let i = 0; i < importRuns; i++) {
        times.esm.push(await nodeEvalMs(IMPORT_ESM, app))
        times.cjs.push(await nodeEvalMs(REQUIRE_CJS, app))
        times.peer.push(await nodeEvalMs(REQUIRE_PEER, root))
      }
    }
    const peerImport = { ...measured(times.peer), workload: "require('kinesalite')" }
    ctx.add({ suite: SUITE, measure: "import('s2-emulator'), packed", unit: 'ms', better: 'lower', workload: 'ESM, fresh process', emulator: measured(times.esm), peer: peerImport })
    ctx.add({ suite: SUITE, measure: "require('s2-emulator'), packed", unit: 'ms', better: 'lower', workload: 'CommonJS, fresh process', emulator: measured(times.cjs), peer: peerImport })
    await entryImports(ctx, packed === null ? null : app, importRuns)
    ctx.log('startup: entry point imports done')

    const cli = { warm: [] as number[], cold: [] as number[], npx: [] as number[], src: [] as number[], base: [] as number[], peer: [] as number[], hono: [] as number[] }
    const noCache = { NODE_DISABLE_COMPILE_CACHE: '1' }
    if (packed !== null) await spawnToFirstOk(process.execPath, [bin, '--port', '0'], '/health', { cwd: app }) // fills the compile cache
    for (let i = 0; i < cliRuns; i++) {
      if (packed !== null) {
        cli.warm.push(await spawnToFirstOk(process.execPath, [bin, '--port', '0'], '/health', { cwd: app }))
        cli.cold.push(await spawnToFirstOk(process.execPath, [bin, '--port', '0'], '/health', { cwd: app, env: noCache }))
        cli.hono.push(await spawnToFirstOk(process.execPath, ['--input-type=module', '-e', HONO_SCRIPT], '/health', { cwd: app }))
      }
      cli.src.push(await spawnToFirstOk(process.execPath, ['src/cli.ts', '--port', '0'], '/health'))
      cli.base.push(await spawnToFirstOk(process.execPath, ['-e', BASELINE_SCRIPT], '/health'))
      cli.peer.push(await spawnToFirstOk(process.execPath, ['-e', PEER_SCRIPT], '/', { probe: peerProbe }))
    }
    if (packed !== null) {
      // npx runs the bin with the first node on PATH: the one running the bench.
      const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }
      for (let i = 0; i < npxRuns; i++) cli.npx.push(await spawnToFirstOk('npx', ['--no-install', 's2-emulator', '--port', '0'], '/health', { cwd: app, env }))
    }
    const base = { ...summarize(cli.base), workload: 'node -e "<bare http server>"' }
    const peer = { ...summarize(cli.peer), workload: 'node -e "require(\'kinesalite\')(opts).listen(0, \'127.0.0.1\')" (its CLI binds every interface)' }
    const row = (measure: string, workload: string, emulator: Measured | Skipped) =>
      ctx.add({ suite: SUITE, measure, unit: 'ms', better: 'lower', workload, emulator, baseline: base, peer })
    row('CLI (packed) spawn to first 200', 'node node_modules/s2-emulator/dist/cli.js --port 0, compile cache warm', measured(cli.warm))
    row('CLI (packed), compile cache off', 'the same with NODE_DISABLE_COMPILE_CACHE=1', measured(cli.cold))
    row('npx s2-emulator spawn to first 200', 'npx --no-install s2-emulator --port 0 in the scratch project (npm itself takes most of it)', measured(cli.npx))
    row('CLI from a checkout (src/cli.ts)', 'node src/cli.ts --port 0 (TypeScript, type stripping: as npm run dev)', summarize(cli.src))
    ctx.log('startup: CLI done')

    if (packed !== null) {
      const { size, unpackedSize, files } = packed.report
      const one = (value: number): Measured => summarize([value])
      ctx.add({ suite: SUITE, measure: 'tarball: packed size', unit: 'kB', better: 'lower', workload: 'npm pack', emulator: one(size / 1000) })
      ctx.add({ suite: SUITE, measure: 'tarball: unpacked size', unit: 'kB', better: 'lower', workload: `npm pack, ${files.length} files`, emulator: one(unpackedSize / 1000) })
      const verdict = (name: string, median: number, target: number): string =>
        `${name}: median ${median.toFixed(1)} ms, target under ${target} ms: ${median < target ? 'met' : 'NOT met'}`
      ctx.note(SUITE, verdict("import('s2-emulator')", summarize(times.esm).median, TARGETS.importMs))
      ctx.note(SUITE, verdict("require('s2-emulator')", summarize(times.cjs).median, TARGETS.importMs))
      ctx.note(SUITE, verdict('CLI to healthy (compile cache warm)', summarize(cli.warm).median, TARGETS.cliMs))
      const hono = summarize(cli.hono).median
      ctx.note(SUITE, `for scale: a one-route hono app on @hono/node-server (ESM, node -e) to its first 200: median ${hono.toFixed(1)} ms; bare node:http: ${base.median.toFixed(1)} ms`)
    }
  } finally {
    packed?.remove()
  }
}
