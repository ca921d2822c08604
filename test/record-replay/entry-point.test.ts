import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect, it } from 'vitest'
import { REPO_ROOT } from '../support/process.ts'

/** Every module `entry` loads, following static relative imports and listing bare ones. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    const source = readFileSync(file, 'utf8')
    // Static imports and re-exports only: `import('...')` loads on demand and does not count.
    for (const match of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = (match[1] ?? match[2]) as string
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else packages.add(spec)
    }
  }
  visit(join(REPO_ROOT, entry))
  return { files, packages }
}

it('the main entry point and the serving CLI load none of the record/replay code, nor fflate', () => {
  for (const entry of ['src/index.ts', 'src/cli.ts']) {
    const { files, packages } = moduleGraph(entry)
    expect(files.size).toBeGreaterThan(10) // the walk does follow imports
    expect([...files].map((f) => relative(REPO_ROOT, f)).filter((f) => f.startsWith('src/record-replay/') || f.includes('record-replay'))).toEqual([])
    expect(packages.has('fflate')).toBe(false)
  }
})

it('the record-replay entry point is its own', () => {
  const { files, packages } = moduleGraph('src/record-replay/index.ts')
  expect(files.has(join(REPO_ROOT, 'src/record-replay/server/cassette-server.ts'))).toBe(true)
  expect(packages.has('fflate')).toBe(true)
})
