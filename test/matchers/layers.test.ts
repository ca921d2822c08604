import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect, it } from 'vitest'

/**
 * The matchers are test-side code: they reach the emulator through the control client's admin
 * calls and the SDK the test hands them, and load nothing of the server (hono, protobufjs, the
 * HTTP layer) into a test worker. Type-only imports do not count.
 */

const root = resolve(import.meta.dirname, '../..')
const ENTRIES = ['index.ts', 'vitest.ts', 'vitest-4.ts', 'jest.ts', 'jest-globals.ts'].map((f) => join(root, 'src/matchers', f))

/** The modules a file loads when it runs: every import and re-export but `import type` / `export type`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1] as string)
  return found
}

it('load no server module but the error class the control client throws', () => {
  const seen = new Set<string>()
  const packages = new Set<string>()
  const queue = [...ENTRIES]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec))
      else packages.add(spec)
    }
  }
  const files = [...seen].map((f) => relative(root, f)).sort()
  expect(files.filter((f) => !f.startsWith('src/matchers/'))).toEqual(['src/server/errors/emulator-error.ts'])
  expect([...packages].sort()).toEqual(['node:util', 'vitest'])
})
