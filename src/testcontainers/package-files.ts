import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The fields of a package.json that the image's build context is made from. */
export interface PackageManifest {
  readonly name: string
  readonly version: string
  readonly files?: readonly string[]
  readonly bin?: string | Readonly<Record<string, string>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
}

export function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest
}

/** This file's own path, in an ES module or in a CommonJS build of it. */
function here(): string {
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url)
}

/**
 * The directory of the s2-emulator package this module was loaded from: a checkout, or
 * `node_modules/s2-emulator` in a project (found by walking up, so it does not depend on how the
 * build lays out its files).
 */
export function packageRoot(): string {
  for (let dir = dirname(realpathSync(here())); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && readManifest(dir).name === 's2-emulator') return dir
    if (dirname(dir) === dir) throw new Error(`no s2-emulator package.json above ${here()}`)
  }
}

/** The package's CLI (its `s2-emulator` bin), relative to its root. */
export function binPath(manifest: PackageManifest): string | undefined {
  return typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['s2-emulator']
}

/**
 * Where `name` resolves from a package in `fromDir`, as Node resolves it: `node_modules/<name>` in
 * that directory or the nearest one above. Returns the real path (pnpm links are followed).
 */
export function resolveDependency(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}
