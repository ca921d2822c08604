/**
 * `node scripts/run-jest-matchers.ts [29|30]`: runs test/jest/*.test.mjs, the matchers' jest
 * tests, in a scratch jest project (ESM, `setupFilesAfterEnv: ['s2-emulator/matchers/jest']`) that
 * installs the packed package: matchers.test.mjs must pass, and forgotten-await.test.mjs must
 * fail saying the matcher was not awaited. Needs the network (npm install), so it is not part of
 * `npm test`. The same files can be dropped into a jest example project.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const JEST: Record<string, string> = { '29': '29.7.0', '30': '30.5.2' }
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['30']
const root = new URL('..', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 's2-emulator-jest-'))
let failed = 0
try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as [{ filename: string }]
  mkdirSync(join(dir, 'test'))
  for (const file of readdirSync(join(root, 'test/jest'))) copyFileSync(join(root, 'test/jest', file), join(dir, 'test', file))
  writeFileSync(join(dir, 'jest.config.js'), "export default { testEnvironment: 'node', setupFilesAfterEnv: ['s2-emulator/matchers/jest'], testMatch: ['**/test/*.test.mjs'] }\n")
  for (const version of versions) {
    const jest = JEST[version]
    if (jest === undefined) throw new Error(`jest ${version}: known versions are ${Object.keys(JEST).join(', ')}`)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'jest-matchers', private: true, type: 'module',
      devDependencies: { jest, '@s2-dev/streamstore': '0.27.0', 's2-emulator': `file:./${(packed as { filename: string }).filename}` },
    }, null, 2))
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' })
    const jestRun = (file: string) =>
      spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', file], { cwd: dir, encoding: 'utf8' })
    const passing = jestRun('test/matchers.test.mjs')
    const forgotten = jestRun('test/forgotten-await.test.mjs')
    const okPassing = passing.status === 0
    const okForgotten = forgotten.status !== 0 && forgotten.stderr.includes('[s2-emulator] expect(...).toHaveTail(...) was not awaited')
    console.log(`${okPassing ? 'ok  ' : 'FAIL'}  jest ${jest}: matchers.test.mjs passes`)
    if (!okPassing) console.log(passing.stderr)
    console.log(`${okForgotten ? 'ok  ' : 'FAIL'}  jest ${jest}: forgotten-await.test.mjs fails, saying the matcher was not awaited`)
    if (!okForgotten) console.log(forgotten.stderr)
    if (!okPassing || !okForgotten) failed++
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exitCode = failed === 0 ? 0 : 1
