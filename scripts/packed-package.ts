/**
 * The package as users get it: `npm pack` (whose prepack script builds dist/), then the tarball
 * installed with npm in a scratch project outside the repository. Used by test/package.test.ts
 * and the startup benchmark.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))

/** What `npm pack --json` reports about a tarball. */
export interface PackReport {
  readonly filename: string
  /** Bytes of the tarball. */
  readonly size: number
  /** Bytes of the files in it. */
  readonly unpackedSize: number
  readonly files: readonly { readonly path: string; readonly size: number }[]
}

export interface PackedPackage {
  /** The scratch directory holding the tarball and the project; {@link remove} deletes it. */
  readonly dir: string
  readonly tarball: string
  readonly report: PackReport
  /** A project (CommonJS by default, as `npm init` makes it) with the tarball installed. */
  readonly app: string
  remove(): void
}

/** Runs `command` to completion; rejects with its output when it fails. */
export async function runOrThrow(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  // npm and the scripts it runs use the Node running this process (24, from the `node` devDependency).
  const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`
  const child = spawn(command, args, { cwd, env: { ...process.env, PATH: path, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
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

const npmInstall = (cwd: string, packages: readonly string[]): Promise<string> =>
  runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages], cwd)

function makeProject(dir: string, name: string, manifest: Record<string, unknown> = {}): string {
  const project = join(dir, name)
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name, private: true, ...manifest }, null, 2)}\n`)
  return project
}

/** A scratch project (outside the repository) with `packages` installed; `remove` deletes it. */
export async function scratchProject(
  packages: readonly string[],
  manifest?: Record<string, unknown>,
): Promise<{ readonly dir: string; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 's2-emulator-scratch-'))
  const remove = (): void => rmSync(root, { recursive: true, force: true })
  try {
    const dir = makeProject(root, 'project', manifest)
    await npmInstall(dir, packages)
    return { dir, remove }
  } catch (error) {
    remove()
    throw error
  }
}

/** A tarball of the repository and what npm pack said about it. */
export interface Tarball {
  readonly tarball: string
  readonly report: PackReport
}

/** Packs the repository (its prepack script builds dist/) into `destination`. */
export async function packRepository(destination: string): Promise<Tarball> {
  const [report] = JSON.parse(await runOrThrow('npm', ['pack', '--json', '--pack-destination', destination], REPO)) as [PackReport]
  return { tarball: join(destination, report.filename), report }
}

/**
 * Packs the repository (building it), or takes a tarball already packed (tests share one per run:
 * two builds at once would write dist/ over each other), and installs it, with `extraPackages`,
 * into a scratch project.
 */
export async function packAndInstall(extraPackages: readonly string[] = [], packed?: Tarball): Promise<PackedPackage> {
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-packed-'))
  try {
    const { tarball, report } = packed ?? (await packRepository(dir))
    const app = makeProject(dir, 'app')
    await npmInstall(app, [tarball, ...extraPackages])
    return { dir, tarball, report, app, remove: () => rmSync(dir, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}
