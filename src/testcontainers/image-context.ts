import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { binPath, packageRoot, readManifest, resolveDependency } from './package-files.ts'

/** The files of the image's build context: where each comes from, and its path in the context. */
export interface ImageFiles {
  /** The package's version. */
  readonly version: string
  /** Context path (with `/`) to the file it is copied from. */
  readonly files: ReadonlyMap<string, string>
}

/** Files a running emulator never reads: type declarations and source maps (a third of the dependencies). */
const NOT_AT_RUNTIME = /\.(d\.[cm]?ts|map)$/

/** Every file under `source` (following links) that runs, skipping nested `node_modules`, as context path -> file. */
async function addTree(files: Map<string, string>, source: string, target: string): Promise<void> {
  if (!statSync(source).isDirectory()) {
    if (!NOT_AT_RUNTIME.test(source)) files.set(target, source)
    return
  }
  for (const entry of await readdir(source)) {
    if (entry === 'node_modules') continue
    await addTree(files, join(source, entry), `${target}/${entry}`)
  }
}

/**
 * The image's build context, from the s2-emulator package at `root`: its Dockerfile; under `app/`
 * the package's published files (package.json `files`) and, under `app/node_modules/`, its runtime
 * dependencies and theirs, resolved from where the package is (a checkout, or a project where they
 * are hoisted or linked by pnpm). The package must be built: its `s2-emulator` bin has to exist.
 */
export async function imageFiles(root: string = packageRoot()): Promise<ImageFiles> {
  const manifest = readManifest(root)
  const bin = binPath(manifest)
  if (bin === undefined || !existsSync(join(root, bin))) {
    throw new S2EmulatorError(
      'S2EMU_IMAGE_BUILD_FAILED',
      `the package at ${root} has no built CLI (${bin ?? 'no s2-emulator bin in package.json'}): run \`npm run build\` first`,
    )
  }
  if (!existsSync(join(root, 'Dockerfile'))) throw new S2EmulatorError('S2EMU_IMAGE_BUILD_FAILED', `the package at ${root} has no Dockerfile`)
  const files = new Map<string, string>([['Dockerfile', join(root, 'Dockerfile')]])
  for (const entry of ['package.json', ...(manifest.files ?? [])]) {
    if (existsSync(join(root, entry))) await addTree(files, join(root, entry), `app/${entry.replace(/^\.\/|\/$/g, '')}`)
  }
  for (const [target, source] of dependencyDirs(root)) await addTree(files, source, target)
  return { version: manifest.version, files }
}

/**
 * The runtime dependencies of the package at `root`, and theirs, as context directory -> source
 * directory: each one in `app/node_modules/` unless another version of it is there already, in
 * which case under the package that needs it (as npm would place it).
 */
function dependencyDirs(root: string): Map<string, string> {
  const placed = new Map<string, string>()
  const atTop = new Map<string, string>() // name -> the source directory placed at the top
  const queue: { from: string; target: string }[] = [{ from: root, target: 'app' }]
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const manifest = readManifest(item.from)
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}))
    for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
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
      const target = top === undefined ? `app/node_modules/${name}` : `${item.target}/node_modules/${name}`
      if (placed.has(target)) continue
      placed.set(target, source)
      if (top === undefined) atTop.set(name, source)
      queue.push({ from: source, target })
    }
  }
  return placed
}

/** SHA-256 of every context path and file: the same files give the same digest. */
export async function digestOf(context: ImageFiles): Promise<string> {
  const hash = createHash('sha256')
  for (const target of [...context.files.keys()].sort()) {
    hash.update(`${target}\0`)
    hash.update(await readFile(context.files.get(target) as string))
    hash.update('\0')
  }
  return hash.digest('hex')
}

/** Writes the build context into `dir`: the files, and an empty `data/` (the directory `--persist` uses in the image). */
export async function writeImageContext(dir: string, context?: ImageFiles): Promise<ImageFiles> {
  const files = context ?? (await imageFiles())
  await mkdir(join(dir, 'data'), { recursive: true })
  for (const [target, source] of files.files) {
    const path = join(dir, ...target.split('/'))
    await mkdir(dirname(path), { recursive: true })
    await copyFile(source, path)
  }
  return files
}
