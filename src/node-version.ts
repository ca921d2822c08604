/**
 * The oldest Node.js the package runs on: 22.15 brought zstd to `node:zlib`, which S2's wire
 * compression needs. package.json's `engines` says the same (a test checks).
 */
export const MIN_NODE_VERSION = '22.15.0'

const parse = (version: string): number[] => version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0)

/** Why this Node.js cannot run the package, in words naming the version needed; null when it can. */
export function nodeVersionProblem(version: string = process.versions.node): string | null {
  const have = parse(version)
  const need = parse(MIN_NODE_VERSION)
  for (let i = 0; i < need.length; i++) {
    const diff = (have[i] ?? 0) - (need[i] as number)
    if (diff > 0) return null
    if (diff < 0) return `needs Node.js ${MIN_NODE_VERSION} or newer; this is Node.js v${version.replace(/^v/, '')}`
  }
  return null
}
