/**
 * Import time of the runner integrations' entry points, from the packed package, each in a fresh
 * node process: what a vitest or jest worker (or the runner's main process) pays to load them.
 * Part of the startup suite, which packs and installs the package (with vitest and
 * jest-environment-node beside it).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Ctx } from '../lib/context.ts'
import type { Measured, Skipped } from '../lib/report.ts'
import { summarize } from '../lib/stats.ts'

const SUITE = 'startup'
const root = fileURLToPath(new URL('../..', import.meta.url))

/** The runners the scratch project needs beside the package, at the versions this repository tests with. */
export function runnerPackages(): string[] {
  const { devDependencies } = JSON.parse(readFileSync(new URL('package.json', `file://${root}/`), 'utf8')) as { devDependencies: Record<string, string> }
  return ['vitest', 'jest-environment-node'].map((name) => `${name}@${devDependencies[name] as string}`)
}

/**
 * `s2-emulator/vitest` extends vitest's `test` when it loads, which only works inside a vitest
 * worker, and registers the matchers with its `expect`; here `vitest` is a stub, so the figure is
 * the package's own part (vitest's runtime is loaded by the worker anyway).
 */
const VITEST_STUB = 'export const test = { extend: () => ({}) }; export const expect = { extend: () => {} }; export const inject = () => undefined'

interface Entry {
  readonly spec: string
  readonly format: 'esm' | 'cjs'
  readonly workload: string
  /** What the runner itself loads for the same job, as the baseline. */
  readonly baseline?: string
  readonly stubVitest?: boolean
}

const ENTRIES: readonly Entry[] = [
  { spec: 's2-emulator/vitest', format: 'esm', workload: 'test side (fixtures), in each worker; vitest stubbed', stubVitest: true },
  { spec: 's2-emulator/vitest/plugin', format: 'esm', workload: "vitest's main process, with the config" },
  { spec: 's2-emulator/vitest/global-setup', format: 'esm', workload: "vitest's main process" },
  { spec: 's2-emulator/jest/environment', format: 'cjs', workload: 'in each jest worker; baseline: jest-environment-node alone', baseline: 'jest-environment-node' },
  { spec: 's2-emulator/jest/environment', format: 'esm', workload: 'the same, as ESM', baseline: 'jest-environment-node' },
  { spec: 's2-emulator/jest/global-setup', format: 'cjs', workload: "jest's main process" },
  { spec: 's2-emulator/jest/jest-preset', format: 'cjs', workload: "jest's config" },
]

/** A script that loads `spec` and prints its load time and the server modules it loaded (there must be none). */
function script(spec: string, format: 'esm' | 'cjs', stubVitest: boolean): string[] {
  const hook = `
const resolved = []
registerHooks({ resolve(specifier, context, next) {
  ${stubVitest ? `if (specifier === 'vitest') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(VITEST_STUB)}), shortCircuit: true }` : ''}
  const r = next(specifier, context); resolved.push(r.url); return r
} })
const report = (ms) => console.log(JSON.stringify({ ms, server: resolved.filter((url) => /\\/node_modules\\/(hono|@hono\\/node-server|protobufjs)\\/|^node:http2$/.test(url)) }))`
  return format === 'esm'
    ? ['--input-type=module', '-e', `import { registerHooks } from 'node:module'\n${hook}\nconst t = performance.now(); await import('${spec}'); report(performance.now() - t)`]
    : ['-e', `const { registerHooks } = require('node:module')\n${hook}\nconst t = performance.now(); require('${spec}'); report(performance.now() - t)`]
}

async function load(args: string[], cwd: string): Promise<{ ms: number; server: string[] }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  if (code !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${code}): ${out}`)
  return JSON.parse(out) as { ms: number; server: string[] }
}

/** Adds a row per entry point; `app` is the scratch project with the package installed, null when the run does not pack. */
export async function entryImports(ctx: Ctx, app: string | null, runs: number): Promise<void> {
  const skipped: Skipped = { skipped: 'packed-package measures run in full runs only' }
  for (const entry of ENTRIES) {
    const times: number[] = []
    const baseline: number[] = []
    if (app !== null) {
      for (let i = 0; i < runs; i++) {
        const { ms, server } = await load(script(entry.spec, entry.format, entry.stubVitest === true), app)
        if (server.length > 0) throw new Error(`${entry.spec} loaded the server: ${server.join(', ')}`)
        times.push(ms)
        if (entry.baseline !== undefined) baseline.push((await load(script(entry.baseline, entry.format, false), app)).ms)
      }
    }
    const measured = (samples: number[]): Measured | Skipped => (samples.length > 0 ? summarize(samples) : skipped)
    ctx.add({
      suite: SUITE,
      measure: `${entry.format === 'esm' ? 'import' : 'require'}('${entry.spec}'), packed`,
      unit: 'ms',
      better: 'lower',
      workload: `${entry.format === 'esm' ? 'ESM' : 'CommonJS'}, fresh process: ${entry.workload}`,
      emulator: measured(times),
      ...(entry.baseline === undefined ? {} : { baseline: { ...measured(baseline), workload: `${entry.format === 'esm' ? 'import' : 'require'}('${entry.baseline}')` } }),
    })
  }
}
