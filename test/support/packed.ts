import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { inject } from 'vitest'
import { packRepository, runOrThrow, type Tarball } from '../../scripts/packed-package.ts'
import { REPO_ROOT } from './process.ts'
import './run-dir.ts'

/** The package as users get it, packed once per run: its tarball, and the run's scratch directory. */
export interface PackedOnce extends Tarball {
  /** The run's scratch directory: projects installed from the tarball go here. */
  readonly dir: string
}

/**
 * Builds and packs the repository once per `vitest run`, whichever test file asks first: the
 * others wait for it (a directory is the lock: mkdir either makes it or fails), then share the
 * tarball. Two builds at once would write dist/ over each other.
 */
export async function packedPackage(): Promise<PackedOnce> {
  const dir = inject('runDir')
  const done = join(dir, 'pack.json')
  const lock = join(dir, 'pack.lock')
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as PackedOnce
    try {
      mkdirSync(lock)
    } catch {
      await delay(250)
      continue
    }
    try {
      const packed: PackedOnce = { dir, ...(await packRepository(dir)) }
      writeFileSync(`${done}.tmp`, JSON.stringify(packed))
      renameSync(`${done}.tmp`, done)
      return packed
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
}

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
  await runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...extra], project)
  return project
}
