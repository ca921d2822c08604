import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { binPath, packageRoot, readManifest, resolveDependency } from './package-files.ts'

/** A build context written by {@link writeImageContext}. */
export interface ImageContext {
  /** The directory holding `Dockerfile`, `app/` and `data/`. */
  readonly dir: string
  /** The package's version. */
  readonly version: string
  /** SHA-256 of every file's path and bytes: the same files give the same digest. */
  readonly digest: string
}

const withoutNestedModules = (root: string) => (path: string) => !relative(root, path).split(sep).includes('node_modules')

/**
 * Writes the image's build context into `dir` (an empty directory) from the s2-emulator package at
 * `root`: the Dockerfile; `app/` with the package's published files (its package.json `files`) and
 * `node_modules/` holding its runtime dependencies, resolved from where the package is (a checkout,
 * or a project where they are hoisted or linked by pnpm); and an empty `data/`. The package must be
 * built: its `s2-emulator` bin has to exist.
 */
export async function writeImageContext(dir: string, root: string = packageRoot()): Promise<ImageContext> {
  const manifest = readManifest(root)
  const bin = binPath(manifest)
  if (bin === undefined || !existsSync(join(root, bin))) {
    throw new S2EmulatorError(
      'S2EMU_IMAGE_BUILD_FAILED',
      `the package at ${root} has no built CLI (${bin ?? 'no s2-emulator bin in package.json'}): run \`npm run build\` first`,
    )
  }
  if (!existsSync(join(root, 'Dockerfile'))) {
    throw new S2EmulatorError('S2EMU_IMAGE_BUILD_FAILED', `the package at ${root} has no Dockerfile`)
  }
  const app = join(dir, 'app')
  await mkdir(join(dir, 'data'), { recursive: true })
  await cp(join(root, 'Dockerfile'), join(dir, 'Dockerfile'))
  for (const entry of ['package.json', ...(manifest.files ?? [])]) {
    if (existsSync(join(root, entry))) {
      await cp(join(root, entry), join(app, entry), { recursive: true, dereference: true, filter: withoutNestedModules(root) })
    }
  }
  await copyDependencies(root, app)
  return { dir, version: manifest.version, digest: await digestOf(dir) }
}

/**
 * Copies the runtime dependencies of the package at `root`, and theirs, into `app/node_modules`:
 * each one at the top unless another version of it is there already, in which case it goes under
 * the package that needs it (as npm would place it).
 */
async function copyDependencies(root: string, app: string): Promise<void> {
  const atTop = new Map<string, string>() // name -> the source directory copied there
  const queue: { from: string; target: string }[] = [{ from: root, target: app }]
  const done = new Set<string>()
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const manifest = readManifest(item.from)
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}))
    const names = [...new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])]
    for (const name of names) {
      const source = resolveDependency(name, item.from)
      if (source === undefined) {
        if (optional.has(name)) continue
        throw new S2EmulatorError(
          'S2EMU_IMAGE_BUILD_FAILED',
          `cannot find ${name}, a dependency of ${manifest.name}, in a node_modules above ${item.from}: install the project's dependencies first`,
        )
      }
      const top = atTop.get(name)
      if (top === source) continue
      const target = top === undefined ? join(app, 'node_modules', name) : join(item.target, 'node_modules', name)
      if (done.has(target)) continue
      done.add(target)
      if (top === undefined) atTop.set(name, source)
      await cp(source, target, { recursive: true, dereference: true, filter: withoutNestedModules(source) })
      queue.push({ from: source, target })
    }
  }
}

async function digestOf(dir: string): Promise<string> {
  const hash = createHash('sha256')
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
  for (const file of entries) {
    hash.update(`${relative(dir, file)}\0`)
    hash.update(await readFile(file))
    hash.update('\0')
  }
  return hash.digest('hex')
}
