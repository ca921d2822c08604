/**
 * `node scripts/check-matcher-types.ts`: checks the matchers' types in each runner they support,
 * against the packed package, the way a project gets them: vitest 4 and 5, jest 29 and 30 with
 * the global `expect` (`@types/jest`) and with `@jest/globals`. For each, a scratch project in
 * the temp directory installs the runner's types and the package, and `tsc` compiles
 * test/types/runners/body.ts (misspelt matchers must be errors there). Needs the network (npm
 * install), so it is not part of `npm test`, which checks vitest 5 (test/types/).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Runner {
  readonly name: string
  readonly dependencies: Record<string, string>
  /** Lines put before the shared assertions. */
  readonly header: string
  readonly types: readonly string[]
}

const RUNNERS: readonly Runner[] = [
  { name: 'vitest 5.1', dependencies: { vitest: '5.1.1' }, header: "import 's2-emulator/matchers/vitest'\nimport { expect } from 'vitest'", types: [] },
  { name: 'vitest 4.1', dependencies: { vitest: '4.1.12' }, header: "import 's2-emulator/matchers/vitest-4'\nimport { expect } from 'vitest'", types: [] },
  { name: 'jest 29, global expect (@types/jest)', dependencies: { '@types/jest': '29.5.14' }, header: "import 's2-emulator/matchers/jest'", types: ['jest'] },
  { name: 'jest 29, @jest/globals', dependencies: { '@jest/globals': '29.7.0' }, header: "import 's2-emulator/matchers/jest-globals'\nimport { expect } from '@jest/globals'", types: [] },
  { name: 'jest 30, global expect (@types/jest)', dependencies: { '@types/jest': '30.0.0' }, header: "import 's2-emulator/matchers/jest'", types: ['jest'] },
  { name: 'jest 30, @jest/globals', dependencies: { '@jest/globals': '30.5.2' }, header: "import 's2-emulator/matchers/jest-globals'\nimport { expect } from '@jest/globals'", types: [] },
]

const root = new URL('..', import.meta.url).pathname
const run = (cmd: string, args: string[], cwd: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const packDir = mkdtempSync(join(tmpdir(), 's2-emulator-pack-'))
const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], root)) as [{ filename: string }]
const tarball = join(packDir, (packed as { filename: string }).filename)
const body = readFileSync(new URL('../test/types/runners/body.ts', import.meta.url), 'utf8')
const only = process.argv.slice(2)
let failed = 0
for (const runner of RUNNERS.filter((r) => only.length === 0 || only.some((o) => r.name.includes(o)))) {
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-types-'))
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'matcher-types', private: true, type: 'module',
      devDependencies: { ...runner.dependencies, typescript: '5.9.3', '@s2-dev/streamstore': '0.27.0', '@types/node': '24.19.2', 's2-emulator': `file:${tarball}` },
    }, null, 2))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node', ...runner.types] },
      files: ['check.ts'],
    }, null, 2))
    writeFileSync(join(dir, 'check.ts'), `${runner.header}\n${body}`)
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
