/** Start-up: in-process `startS2Emulator()` and the CLI, from the call (or spawn) to the first 200 from /health. */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import kinesalite from 'kinesalite'
import { startS2Emulator } from '../../src/index.ts'
import type { Ctx } from '../lib/context.ts'
import { firstOk } from '../lib/http1.ts'
import { KINESALITE_OPTIONS, kinesisHeaders } from '../lib/kinesis.ts'
import { summarize } from '../lib/stats.ts'

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

/** Spawns `args`, waits for "listening on URL" on stdout, then for a 200; stops it with SIGTERM. */
async function spawnToFirstOk(args: string[], probePath: string, probe?: typeof peerProbe): Promise<number> {
  const start = performance.now()
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        const match = /listening on (http:\/\/\S+)/.exec(text)
        if (match) resolve(match[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)} before listening`)))
    })
    await firstOk(`${url}${probePath}`, probe)
    return performance.now() - start
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

/** Compiles src to bench/results/cli-build/dist (as `npm run build` would, without maps or types); returns the CLI's path. */
function buildCli(ctx: Ctx): string | null {
  const out = join(root, 'bench/results/cli-build')
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  // dist/cli.js reads ../package.json for its version
  copyFileSync(join(root, 'package.json'), join(out, 'package.json'))
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  const args = [tsc, '-p', 'tsconfig.build.json', '--outDir', join(out, 'dist'), '--declaration', 'false', '--sourceMap', 'false', '--inlineSources', 'false']
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
  if (result.status !== 0) {
    ctx.note(SUITE, `compiled CLI: tsc failed: ${(result.stdout + result.stderr).split('\n').slice(0, 3).join(' | ')}`)
    return null
  }
  return join(out, 'dist/cli.js')
}

export async function startup(ctx: Ctx): Promise<void> {
  const inProcessRuns = ctx.pick(30, 10, 3)
  const cliRuns = ctx.pick(10, 2, 1)
  ctx.workload(
    SUITE,
    `time to the first 200 from /health on a fresh connection; in-process: startS2Emulator({port:0}) in the bench process, warm (module already loaded), ${inProcessRuns} runs; CLI: spawn of \`node src/cli.ts --port 0\` (as npm start) and, in full runs, of the compiled \`node dist/cli.js\` (as installed from npm) to the first 200, ${cliRuns} runs. node = http.createServer answering OK (same process / a node -e child); peer = kinesalite in memory (its first 200 is a ListStreams).`,
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

  // the CLI as installed from npm runs compiled JavaScript (dist/cli.js): build it aside (full runs only)
  const built = ctx.mode === 'full' ? buildCli(ctx) : null
  const cli = { emu: [] as number[], dist: [] as number[], base: [] as number[], peer: [] as number[] }
  for (let i = 0; i < cliRuns; i++) {
    cli.emu.push(await spawnToFirstOk(['src/cli.ts', '--port', '0'], '/health'))
    if (built !== null) cli.dist.push(await spawnToFirstOk([built, '--port', '0'], '/health'))
    cli.base.push(await spawnToFirstOk(['-e', BASELINE_SCRIPT], '/health'))
    cli.peer.push(await spawnToFirstOk(['-e', PEER_SCRIPT], '/', peerProbe))
  }
  ctx.add({
    suite: SUITE,
    measure: 'CLI (node src/cli.ts) spawn to first 200',
    unit: 'ms',
    better: 'lower',
    workload: 'node src/cli.ts --port 0 (TypeScript, type stripping: as npm start)',
    emulator: summarize(cli.emu),
    baseline: { ...summarize(cli.base), workload: 'node -e "<bare http server>"' },
    peer: { ...summarize(cli.peer), workload: 'node -e "require(\'kinesalite\')(opts).listen(0, \'127.0.0.1\')" (its CLI binds every interface)' },
  })
  ctx.add({
    suite: SUITE,
    measure: 'CLI (compiled dist/cli.js) spawn to first 200',
    unit: 'ms',
    better: 'lower',
    workload: 'node dist/cli.js --port 0, built with tsconfig.build.json into bench/results/cli-build',
    emulator: built === null ? { skipped: ctx.mode === 'full' ? 'the build failed (see above)' : 'built in full runs only (tsc takes ~15 s)' } : summarize(cli.dist),
    baseline: { ...summarize(cli.base), workload: 'node -e "<bare http server>"' },
    peer: { ...summarize(cli.peer), workload: 'node -e "require(\'kinesalite\')(opts).listen(0, \'127.0.0.1\')"' },
  })
  ctx.log('startup: CLI done')
}
