/**
 * Helpers for the container tests (test/containers/): whether a container engine answers, and the
 * package as a user's project installs it (built in a copy of this checkout, packed, unpacked into
 * a project's node_modules next to its hoisted dependencies), so the Testcontainers module is tested
 * from where users load it.
 */
import { readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { getContainerRuntimeClient } from 'testcontainers'
import { REPO_ROOT, run } from './process.ts'

export type EngineProbe = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string }

/** Whether Testcontainers finds a container engine (as configured by DOCKER_HOST, TESTCONTAINERS_* and so on). */
export async function probeEngine(): Promise<EngineProbe> {
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref()),
    ])
    return { ok: true, version: String(client.info.containerRuntime.serverVersion) }
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n')[0] ?? 'unknown' }
  }
}

/** How to run the container tests, for the message printed when they are skipped. */
export const HOW_TO_RUN = [
  'Start Docker (or another engine Testcontainers supports) and run `npm test` again; on a machine with',
  'no registry access or no bridge networking, `.ci/run` shows the set-up: .ci/container-engine.sh up,',
  '.ci/container-engine.sh base-image s2e-local/node:24, then S2_EMULATOR_BASE_IMAGE=s2e-local/node:24',
  'TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 npm test. With CI=true a',
  'missing engine fails the run instead.',
].join('\n')

/** The base image for the emulator's image: a local one when set (CI has no registry), else the Dockerfile's. */
export const BASE_IMAGE = process.env.S2_EMULATOR_BASE_IMAGE || undefined

/** A project with s2-emulator installed from a tarball packed from a fresh build of this checkout. */
export interface InstalledPackage {
  /** The project's directory. */
  readonly project: string
  /** `import()`s an entry point of the installed package, e.g. `testcontainers`. */
  importEntry<T>(subpath: string): Promise<T>
  /** Removes the project, the copy of the checkout and the tarball. */
  remove(): Promise<void>
}

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, { cwd })
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${result.code}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/**
 * Copies the checkout's files (tracked, or new and not ignored) to a temporary directory, runs
 * `npm run build` and `npm pack` there (this checkout's dist/ is left alone: other tests rebuild it),
 * and unpacks the tarball into a new project's node_modules, beside links to the dependencies it
 * needs (as npm hoists them).
 */
export async function installPackedPackage(): Promise<InstalledPackage> {
  const root = await mkdtemp(join(tmpdir(), 's2e-installed-'))
  const checkout = join(root, 'checkout')
  const files = (await sh('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], REPO_ROOT)).split('\0').filter(Boolean)
  for (const file of files) {
    await mkdir(dirname(join(checkout, file)), { recursive: true })
    await cp(join(REPO_ROOT, file), join(checkout, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error // deleted but not yet committed
    })
  }
  await symlink(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'))
  await sh('npm', ['run', 'build'], checkout)
  const packed = JSON.parse(await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], checkout)) as [{ filename: string }]

  const project = join(root, 'project')
  const installed = join(project, 'node_modules', 's2-emulator')
  await mkdir(installed, { recursive: true })
  await sh('tar', ['-xzf', join(root, packed[0].filename), '-C', installed, '--strip-components=1'], root)
  // The package's dependencies and theirs, hoisted to the project's node_modules as npm does, and the
  // project's own: testcontainers, and vitest and the SDK for the example tests.
  const wanted = new Set(['testcontainers', 'vitest', '@s2-dev/streamstore'])
  const queue = Object.keys(readJson<Manifest>(join(installed, 'package.json')).dependencies ?? {})
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (wanted.has(name)) continue
    wanted.add(name)
    queue.push(...Object.keys(readJson<Manifest>(join(REPO_ROOT, 'node_modules', name, 'package.json')).dependencies ?? {}))
  }
  for (const name of wanted) {
    await mkdir(dirname(join(project, 'node_modules', name)), { recursive: true })
    await symlink(join(REPO_ROOT, 'node_modules', name), join(project, 'node_modules', name))
  }
  const { exports } = readJson<Manifest>(join(installed, 'package.json'))
  return {
    project,
    importEntry: <T>(subpath: string) => {
      const entry = exports?.[`./${subpath}`]
      const target = entry?.import?.default ?? entry?.default
      if (target === undefined) throw new Error(`the installed package exports no ./${subpath}`)
      return import(pathToFileURL(join(installed, target)).href) as Promise<T>
    },
    remove: () => rm(root, { recursive: true, force: true }),
  }
}

interface Manifest {
  dependencies?: Record<string, string>
  exports?: Record<string, { default?: string; import?: { default?: string } }>
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T
