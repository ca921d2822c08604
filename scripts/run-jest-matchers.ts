/**
 * `node scripts/run-jest-matchers.ts [29|30 ...]`: runs the matchers' jest tests (test/jest/) in
 * scratch jest projects that install the packed package, with `setupFilesAfterEnv:
 * ['s2-emulator/matchers/jest']`: an ES module project (matchers.test.mjs) and a CommonJS one
 * (matchers.test.cjs). Each must pass, and forgotten-await.test.mjs must fail saying its matcher was
 * not awaited. Needs the network (npm install), so it is not part of `npm test`. The test files
 * can be dropped into any jest project as they are.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const JEST: Record<string, string> = { '29': '29.7.0', '30': '30.5.2' }
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['30']
const root = new URL('..', import.meta.url).pathname
const source = (file: string): string => readFileSync(join(root, 'test/jest', file), 'utf8')

// The two files are one test in two module systems: past their imports, the same text.
const body = (text: string): string => text.slice(text.search(/^let emulator$/m))
if (body(source('matchers.test.mjs')) !== body(source('matchers.test.cjs'))) {
  console.log('FAIL  test/jest/matchers.test.mjs and matchers.test.cjs differ past their imports')
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 's2-emulator-jest-'))
let failed = 0
const check = (ok: boolean, what: string, output: string): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`)
  if (!ok) {
    failed++
    console.log(output)
  }
}
try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' })) as [{ filename: string }]
  const tarball = join(work, (packed as { filename: string }).filename)
  // Until the build writes CommonJS, only a jest that can require() ES modules (30, on Node >= 24.9) runs the CommonJS test.
  const commonJs = existsSync(join(root, 'dist/matchers/index.cjs'))
  for (const version of versions) {
    const jest = JEST[version]
    if (jest === undefined) throw new Error(`jest ${version}: known versions are ${Object.keys(JEST).join(', ')}`)
    for (const kind of ['esm', 'cjs'] as const) {
      if (kind === 'cjs' && !commonJs && version === '29') {
        console.log(`skip  jest ${jest} (cjs): this build has no CommonJS output, and jest 29 cannot require() ES modules`)
        continue
      }
      const dir = join(work, `jest-${version}-${kind}`)
      mkdirSync(join(dir, 'test'), { recursive: true })
      const files = kind === 'esm' ? ['matchers.test.mjs', 'forgotten-await.test.mjs'] : ['matchers.test.cjs']
      for (const file of files) copyFileSync(join(root, 'test/jest', file), join(dir, 'test', file))
      const config = `{ testEnvironment: 'node', setupFilesAfterEnv: ['s2-emulator/matchers/jest'], testMatch: ['**/test/*.test.${kind === 'esm' ? 'mjs' : 'cjs'}'] }`
      writeFileSync(join(dir, 'jest.config.js'), kind === 'esm' ? `export default ${config}\n` : `module.exports = ${config}\n`)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({
        name: `jest-matchers-${kind}`, private: true, ...(kind === 'esm' ? { type: 'module' } : {}),
        devDependencies: { jest, '@s2-dev/streamstore': '0.27.0', 's2-emulator': `file:${tarball}` },
      }, null, 2))
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' })
      // --experimental-vm-modules: jest's ES modules, and (Node >= 24.9) its require() of them while the build is ESM only.
      const run = (file: string) =>
        spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', file], { cwd: dir, encoding: 'utf8' })
      const passing = run(`test/matchers.test.${kind === 'esm' ? 'mjs' : 'cjs'}`)
      check(passing.status === 0, `jest ${jest} (${kind}): matchers.test.${kind === 'esm' ? 'mjs' : 'cjs'} passes`, passing.stderr)
      if (kind === 'esm') {
        const forgotten = run('test/forgotten-await.test.mjs')
        const said = forgotten.stderr.includes('[s2-emulator] expect(...).toHaveTail(...) was not awaited')
        check(forgotten.status !== 0 && said, `jest ${jest} (esm): forgotten-await.test.mjs fails, saying the matcher was not awaited`, forgotten.stderr)
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exitCode = failed === 0 ? 0 : 1
