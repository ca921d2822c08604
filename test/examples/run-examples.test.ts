import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ENTRY_POINTS } from '../../scripts/entry-points.ts'
import { REPO_ROOT, run } from '../support/process.ts'

/**
 * Every file in examples/ runs from a checkout with the one command the README documents,
 * `npm run example <file>`: on the Node that npm install brings, against the sources in src/
 * (no build needed), importing the package by its name as users do.
 */
const examples = readdirSync(new URL('../../examples', import.meta.url)).filter((file) => file.endsWith('.ts'))
/** What an example prints, where the README shows it. */
const printed: Record<string, string> = { 'quickstart.ts': "[ 'hello' ]\n" }

describe('npm run example <file>', () => {
  it('finds the examples', () => {
    expect(examples).toContain('quickstart.ts')
  })

  it('resolves every entry point of the package to its source file, so no build is needed', async () => {
    const script = `for (const s of ${JSON.stringify(Object.keys(ENTRY_POINTS))}) console.log(import.meta.resolve('s2-emulator' + s.slice(1)))`
    const result = await run('npm', ['run', '--silent', 'example', '--', '--input-type=module', '-e', script])
    expect(result, result.stderr).toMatchObject({ code: 0 })
    expect(result.stdout).toBe(Object.values(ENTRY_POINTS).map((source) => `${pathToFileURL(join(REPO_ROOT, source)).href}\n`).join(''))
  })

  it.each(examples)('runs examples/%s to completion', async (file) => {
    const result = await run('npm', ['run', '--silent', 'example', `examples/${file}`])
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null, stderr: '' })
    if (file in printed) expect(result.stdout).toBe(printed[file])
  })
})
