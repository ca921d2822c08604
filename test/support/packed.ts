import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { inject } from 'vitest'
import { childEnv, REPO_ROOT } from './process.ts'
import './run-dir.ts'

/** The package as users get it: a tarball of `npm pack` (whose prepack script builds dist/). */
export interface PackedPackage {
  /** The run's scratch directory: projects installed from the tarball go here. */
  readonly dir: string
  readonly tarball: string
}

/** Runs a command to completion and returns its stdout; rejects with its output when it fails. */
export async function runOrThrow(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(command, args, { cwd, env: { ...childEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}) in ${cwd}:\n${out}\n${err}`)
  return out
}

/**
 * Builds and packs the repository once per `vitest run`, whichever test file asks first: the
 * others wait for it (a directory is the lock: mkdir either makes it or fails), then share the
 * tarball. Two builds at once would write dist/ over each other.
 */
export async function packedPackage(): Promise<PackedPackage> {
  const dir = inject('runDir')
  const done = join(dir, 'pack.json')
  const lock = join(dir, 'pack.lock')
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as PackedPackage
    try {
      mkdirSync(lock)
    } catch {
      await delay(250)
      continue
    }
    try {
      const [report] = JSON.parse(await runOrThrow('npm', ['pack', '--json', '--pack-destination', dir], REPO_ROOT)) as [{ filename: string }]
      const packed: PackedPackage = { dir, tarball: join(dir, basename(report.filename)) }
      writeFileSync(`${done}.tmp`, JSON.stringify(packed))
      renameSync(`${done}.tmp`, done)
      return packed
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
}

const npmInstall = (cwd: string, packages: readonly string[]): Promise<string> =>
  runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages], cwd)

/**
 * Copies a project of examples/ (without node_modules) into the run's directory as `name` and
 * installs it, with the packed tarball in place of its `s2-emulator` dependency and `extra`
 * packages on top (e.g. another major of its runner). Returns the project's directory.
 */
export async function installExample(example: string, name: string = example, extra: readonly string[] = []): Promise<string> {
  const { dir, tarball } = await packedPackage()
  const source = join(REPO_ROOT, 'examples', example)
  const project = join(dir, name)
  cpSync(source, project, { recursive: true, filter: (path) => !path.startsWith(join(source, 'node_modules')) })
  await npmInstall(project, [tarball, ...extra])
  return project
}
