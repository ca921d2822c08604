/**
 * `node scripts/check-matcher-types.ts`: checks the matchers' types in each runner they support,
 * against the packed package, the way a project gets them: vitest 4 and 5, jest 29 and 30 with
 * the global `expect` (`@types/jest`) and with `@jest/globals`. For each, a scratch project in
 * the temp directory installs the runner's types and the package, and `tsc` compiles
 * test/types/runners/body.ts (misspelt matchers must be errors there). Needs the network (npm
 * install), so it is not part of `npm test`, which checks vitest 5 (test/types/), vitest 4 (the
 * vitest example) and jest 29 and 30 in CommonJS (the jest examples).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MATCHER_TYPE_RUNNERS, matcherTypeCheck, matcherTypeOptions } from './matcher-type-runners.ts'

const root = new URL('..', import.meta.url).pathname
const run = (cmd: string, args: string[], cwd: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const packDir = mkdtempSync(join(tmpdir(), 's2-emulator-pack-'))
const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], root)) as [{ filename: string }]
const tarball = join(packDir, (packed as { filename: string }).filename)
const only = process.argv.slice(2)
let failed = 0
for (const runner of MATCHER_TYPE_RUNNERS.filter((r) => only.length === 0 || only.some((o) => r.name.includes(o)))) {
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-types-'))
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'matcher-types', private: true, type: 'module',
      devDependencies: { ...runner.dependencies, typescript: '5.9.3', '@s2-dev/streamstore': '0.27.0', '@types/node': '24.19.2', 's2-emulator': `file:${tarball}` },
    }, null, 2))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: matcherTypeOptions(runner),
      files: ['check.ts'],
    }, null, 2))
    writeFileSync(join(dir, 'check.ts'), matcherTypeCheck(runner))
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir)
    run(join(dir, 'node_modules/.bin/tsc'), ['-p', '.'], dir)
    console.log(`ok    ${runner.name}`)
  } catch (error) {
    failed++
    const e = error as { stdout?: string; stderr?: string; message: string }
    console.log(`FAIL  ${runner.name}\n${e.stdout ?? ''}${e.stderr ?? e.message}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
rmSync(packDir, { recursive: true, force: true })
process.exitCode = failed === 0 ? 0 : 1
