import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPTION_ENV } from '../../src/cli/env.ts'

/**
 * The README's Containers section: its vitest example is examples/testcontainers word for word (the
 * container tests run that project), and every variable it or the options table names exists.
 */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('## Containers'), readme.indexOf('## What it implements'))
const tsBlocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
const example = (file: string): string => readFileSync(new URL(`../../examples/testcontainers/${file}`, import.meta.url), 'utf8')

describe("the README's Containers section", () => {
  it.each(['vitest.config.ts', 'global-setup.ts', 'orders.test.ts', 'own-container.test.ts'])(
    'shows examples/testcontainers/%s word for word',
    (file) => {
      expect(tsBlocks).toContain(example(file))
    },
  )

  it('names only S2E_* variables the CLI reads', () => {
    const known = new Set<string>(Object.values(OPTION_ENV))
    const named = new Set([...readme.matchAll(/\bS2E_[A-Z_]+\b/g)].map((m) => m[0]))
    expect([...named].filter((name) => !known.has(name))).toEqual([])
  })

  it('lists the variable of every option in the options table', () => {
    const table = readme.slice(readme.indexOf('### Command-line options'), readme.indexOf('## Use it from code'))
    for (const name of Object.values(OPTION_ENV)) expect(table).toMatch(new RegExp(`\\| \`${name}(=false)?\` \\|`))
  })
})
