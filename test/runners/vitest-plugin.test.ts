import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { startVitest } from 'vitest/node'
import { s2Emulator } from 's2-emulator/vitest/plugin'
import { httpGet } from '../support/process.ts'

/** The plugin in a vitest of its own (the programmatic API), in watch mode: one emulator across reruns, stopped on close. */

const dir = mkdtempSync(join(tmpdir(), 's2-emulator-watch-'))
const log = join(dir, 'urls.log')
afterEach(() => rmSync(dir, { recursive: true, force: true }))

it('keeps one emulator across watch-mode reruns and stops it when vitest closes', async () => {
  writeFileSync(log, '')
  process.env.S2_TEST_LOG = log
  const vitest = await startVitest(
    'test',
    [],
    { watch: true, root: new URL('./fixtures/watch', import.meta.url).pathname, reporters: [], config: false },
    { plugins: [s2Emulator()] },
  )
  try {
    const files = await vitest.globTestSpecifications()
    await vitest.rerunTestSpecifications(files) // as watch mode does when a file changes
    await vitest.rerunTestSpecifications(files)
  } finally {
    await vitest.close()
    delete process.env.S2_TEST_LOG
  }
  const urls = readFileSync(log, 'utf8').trim().split('\n')
  expect(urls).toHaveLength(3)
  expect(new Set(urls).size).toBe(1)
  const [url] = urls as [string]
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  await expect(httpGet(`${url}/health`)).rejects.toThrow() // stopped with vitest
})

it('tells what to add to the config when a fixture is used without the plugin or globalSetup', async () => {
  const vitest = await startVitest('test', [], {
    watch: false,
    root: new URL('./fixtures/no-plugin', import.meta.url).pathname,
    reporters: [],
    config: false,
    env: { S2_EMULATOR_URL: '' },
  })
  await vitest.close()
  const [file] = vitest.state.getFiles()
  const error = file?.tasks[0]?.result?.errors?.[0]
  expect(error?.message).toContain('[s2-emulator] no emulator for this run: add `plugins: [s2Emulator()]`')
  expect(error).toMatchObject({ name: 'S2EmulatorError' })
})
