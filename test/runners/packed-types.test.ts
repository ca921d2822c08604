import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packAndInstall, type PackedPackage } from '../../scripts/packed-package.ts'
import { packedPackage } from '../support/packed.ts'
import { REPO_ROOT, run } from '../support/process.ts'

/**
 * The declarations of the vitest and jest entry points, as users' TypeScript reads them from the
 * packed package under each `moduleResolution`: ES module consumers get the `.d.ts` files,
 * CommonJS ones the `.d.cts` files (node10 through `typesVersions`, as it reads no `exports`).
 * Each consumer compiles only if the types are the package's, not `any`.
 */

/** vitest is ESM only: its entry points are for ES module consumers. */
const VITEST_CONSUMER = `import { createS2Fixtures, test, type S2Fixtures } from 's2-emulator/vitest'
import { s2Emulator } from 's2-emulator/vitest/plugin'
import setup, { createGlobalSetup } from 's2-emulator/vitest/global-setup'
import { inject, test as base } from 'vitest'

export const plugins = [s2Emulator({ clock: 'virtual' })]
export const url: string = inject('s2Emulator')
export const setups = [setup, createGlobalSetup({ faultSeed: 1 })]
test('typed fixtures', async ({ basin, s2Emulator: ns, s2Env }) => {
  const name: string = basin.name
  const token: string = s2Env.S2_ACCESS_TOKEN
  await ns.clock.advance('1h')
  // @ts-expect-error advance takes a duration
  await ns.clock.advance(true)
  return [name, token]
})
export const perFile = base.extend<S2Fixtures>(createS2Fixtures({ scope: 'file' }))
// @ts-expect-error isolation is always by token
s2Emulator({ isolation: 'none' })
`

/** jest: the globals and the modules its config names, for CommonJS and ES module consumers alike. */
const JEST_CONSUMER = `import type {} from 's2-emulator/jest'
import { S2EmulatorEnvironment } from 's2-emulator/jest/environment'
import { createGlobalSetup } from 's2-emulator/jest/global-setup'

export const token: string = s2Emulator.token
export const endpoint: string = s2Env.S2_ACCOUNT_ENDPOINT
export const rules = s2Emulator.faults.list()
// @ts-expect-error the globals are typed: no such control
s2Emulator.nothing()
export const Environment = S2EmulatorEnvironment
export const setup = createGlobalSetup({ clock: 'virtual' })
// @ts-expect-error jest runs on the emulator only
createGlobalSetup({ target: 'real' })
`

let packed: PackedPackage
beforeAll(async () => {
  packed = await packAndInstall(['vitest@5.1.1', 'jest-environment-node@30.5.2', '@s2-dev/streamstore@0.27.0', '@types/node@24.19.2'], await packedPackage())
}, 10 * 60_000)
afterAll(() => packed?.remove())

describe.each([
  // [moduleResolution, module, { file: source }, the entry declarations each consumer must resolve to]
  ['node16', 'node16', { 'vitest.mts': VITEST_CONSUMER, 'jest.mts': JEST_CONSUMER, 'jest.cts': JEST_CONSUMER }, '.d.ts and .d.cts'],
  ['nodenext', 'nodenext', { 'vitest.mts': VITEST_CONSUMER, 'jest.mts': JEST_CONSUMER, 'jest.cts': JEST_CONSUMER }, '.d.ts and .d.cts'],
  ['bundler', 'esnext', { 'vitest.ts': VITEST_CONSUMER, 'jest.ts': JEST_CONSUMER }, '.d.ts'],
  ['node10', 'commonjs', { 'jest.ts': JEST_CONSUMER }, '.d.cts'],
] as const)('the runner entry points under moduleResolution %s', (resolution, module, sources, formats) => {
  it(`type-check consumers against the ${formats} declarations`, async () => {
    const dir = join(packed.app, `types-${resolution}`)
    mkdirSync(dir, { recursive: true })
    for (const [file, text] of Object.entries(sources)) writeFileSync(join(dir, file), text)
    const compilerOptions = { module, moduleResolution: resolution, target: 'es2022', lib: ['es2022', 'esnext.disposable'], types: ['node'], strict: true, noEmit: true, skipLibCheck: true }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(sources) }))
    const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--listFiles'])
    expect(tsc, tsc.stdout).toMatchObject({ code: 0 })
    const loaded = tsc.stdout
      .split('\n')
      .filter((f) => f.includes('/node_modules/s2-emulator/dist/') && !f.includes('/chunks/'))
      .map((f) => f.replace(/.*\/node_modules\/s2-emulator\//, ''))
      .sort()
    const esm = Object.keys(sources).some((f) => f.endsWith('.mts') || (f.endsWith('.ts') && resolution === 'bundler'))
    const cjs = Object.keys(sources).some((f) => f.endsWith('.cts') || resolution === 'node10')
    const expected = [
      ...(esm ? ['vitest/index', 'vitest/plugin', 'vitest/global-setup', 'jest/index', 'jest/environment', 'jest/global-setup'].map((f) => `dist/${f}.d.ts`) : []),
      ...(cjs ? ['jest/index', 'jest/environment', 'jest/global-setup'].map((f) => `dist/${f}.d.cts`) : []),
    ].sort()
    expect(loaded).toEqual(expected)
  })
})
