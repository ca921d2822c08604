import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support/process.ts'

/**
 * The test-side entry points (what runs in a vitest or jest worker) must not load the server:
 * a worker pays only for the small HTTP client of the admin API. This walks the static imports
 * of the sources; test/examples/runner-examples.test.ts runs the built package.
 */

/** Every module `entry` loads, following static relative imports and listing bare ones. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    const source = readFileSync(file, 'utf8')
    // Static imports and re-exports; `import type` is erased; `import('...')` loads on demand and does not count.
    for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = (match[1] ?? match[2]) as string
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else packages.add(spec)
    }
  }
  visit(join(REPO_ROOT, entry))
  return { files, packages }
}

const SERVER_PACKAGES = ['hono', '@hono/node-server', 'protobufjs', 'node:http2', 'node:zlib', 'fflate']
const SHARED_HELPERS = ['src/server/errors/emulator-error.ts', 'src/server/namespaces/names.ts', 'src/server/persist/atomic-file.ts']
const TEST_SIDE = ['src/vitest/index.ts', 'src/jest/index.ts', 'src/jest/environment.ts']
const MAIN_PROCESS = ['src/vitest/plugin.ts', 'src/vitest/global-setup.ts', 'src/jest/global-setup.ts', 'src/jest/global-teardown.ts']

describe('entry points of the runner integrations', () => {
  it.each(TEST_SIDE)('%s loads the control client, and nothing of the server', (entry) => {
    const { files, packages } = moduleGraph(entry)
    const loaded = [...files].map((f) => relative(REPO_ROOT, f))
    expect(SERVER_PACKAGES.filter((name) => packages.has(name))).toEqual([])
    // The only server modules a worker loads: small helpers the control client shares (no dependencies).
    for (const file of loaded.filter((f) => f.startsWith('src/server/'))) expect(SHARED_HELPERS).toContain(file)
    if (entry !== 'src/jest/index.ts') expect(loaded).toContain('src/client/client.ts') // the walk does follow imports
    // Per-test cassettes load their server on demand, in the workers that use them.
    expect(loaded.filter((f) => f.startsWith('src/record-replay/'))).toEqual(entry === 'src/jest/index.ts' ? [] : ['src/record-replay/modes.ts'])
  })

  it('per-test cassettes load the cassette server only when a test has one', () => {
    expect(readFileSync(join(REPO_ROOT, 'src/runner/test-cassettes.ts'), 'utf8')).toContain("await import('../record-replay/server/cassette-server.ts')")
  })

  it.each(MAIN_PROCESS)('%s loads the server only when it starts an emulator', (entry) => {
    const { files, packages } = moduleGraph(entry)
    expect(SERVER_PACKAGES.filter((name) => packages.has(name))).toEqual([])
    expect([...files].map((f) => relative(REPO_ROOT, f))).not.toContain('src/server/emulator.ts')
    expect(readFileSync(join(REPO_ROOT, 'src/runner/run-target.ts'), 'utf8')).toContain("await import('../server/emulator.ts')")
  })
})
