import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'
import { MATCHER_TYPE_RUNNERS, matcherTypeCheck, matcherTypeOptions } from '../../scripts/matcher-type-runners.ts'
import { installExample } from '../support/packed.ts'
import { childEnv, REPO_ROOT, run } from '../support/process.ts'

/**
 * The example projects of examples/ (vitest, jest in a CommonJS project, jest with native ES
 * modules), each installed as users install the package (from the tarball of `npm pack`, with
 * npm, outside the repository), run as a child process with its own runner. Each has test files
 * that run in parallel workers, arm faults, move their clock, take a snapshot of the same name and
 * use the SDK; and, when asked (S2_EXAMPLE_DELIBERATE_FAILURE=1), a test that fails on purpose
 * with a fault armed on every append, followed by one that must meet none of it.
 */

const DELIBERATE = 'fails deliberately, with a fault on every append, its clock a month ahead and a snapshot'
const AFTER_IT = 'runs next in the same worker and meets none of it'
const MINUTES = 60_000

interface Outcome {
  readonly file: string
  readonly title: string
  readonly status: string
}

/** The tests of a JSON report (vitest's and jest's have the same shape), in file order; a file that failed to load counts as a failed test. */
function outcomes(reportFile: string): Outcome[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    testResults: { name: string; status: string; message?: string; assertionResults: { title: string; status: string }[] }[]
  }
  const fileOf = (name: string): string => name.replace(/^.*\/test\//, '')
  const tests = report.testResults.flatMap((file) =>
    file.assertionResults.length === 0 && file.status === 'failed'
      ? [{ file: fileOf(file.name), title: `(the file failed to load) ${file.message ?? ''}`, status: 'failed' }]
      : file.assertionResults.map((test) => ({ file: fileOf(file.name), title: test.title, status: test.status })),
  )
  return tests.sort((a, b) => `${a.file} ${a.title}`.localeCompare(`${b.file} ${b.title}`))
}

/** The run with the deliberate failure: it alone fails; the test after it and every other file pass. */
function expectOnlyTheDeliberateFailure(tests: Outcome[], extension: string, files = ['catalog', 'failure-isolation', 'inventory', 'orders', 'replayed']): void {
  expect(tests.filter((t) => t.status === 'failed')).toEqual([{ file: `failure-isolation.test.${extension}`, title: DELIBERATE, status: 'failed' }])
  expect(tests).toContainEqual({ file: `failure-isolation.test.${extension}`, title: AFTER_IT, status: 'passed' })
  const passedFiles = new Set(tests.filter((t) => t.status === 'passed').map((t) => t.file))
  expect([...passedFiles].sort()).toEqual(files.map((name) => `${name}.test.${extension}`).sort())
  expect(tests.filter((t) => t.status !== 'passed' && t.status !== 'failed')).toEqual([])
  expect(tests.length).toBeGreaterThanOrEqual(10)
}

/** Runs a vitest example in parallel workers with the deliberate failure on: it alone fails. */
async function expectVitestDeliberateFailureOnly(dir: string): Promise<void> {
  const result = await run('npx', ['vitest', 'run', '--maxWorkers=2', '--reporter=json', '--outputFile=report.json'], {
    cwd: dir,
    env: { ...childEnv(), S2_EXAMPLE_DELIBERATE_FAILURE: '1' },
  })
  expect(result.code, result.stderr).toBe(1)
  expectOnlyTheDeliberateFailure(outcomes(join(dir, 'report.json')), 'ts')
}

/** The requests of a cassette file, without what changes run to run (headers, times). */
function recordedRequests(file: string): unknown[] {
  const cassette = JSON.parse(readFileSync(file, 'utf8')) as { entries: { request: { method: string; path: string; body?: unknown } }[] }
  return cassette.entries.map(({ request: { method, path, body } }) => ({ method, path, body }))
}

/** How many tests a file of test/jest/ declares: a passing run must report them all. */
const jestTests = (file: string): number => (readFileSync(join(REPO_ROOT, 'test/jest', file), 'utf8').match(/^\s*test\(/gm) ?? []).length

/**
 * Runs one of the matchers' jest test files (test/jest/: every matcher passing, failing with its
 * message pinned, and negated) in an installed jest example, whose preset registers the matchers.
 * The file goes to a folder of its own, removed after, so the example's own runs never see it.
 */
async function runJestMatchers(dir: string, file: string, esm: boolean): Promise<Awaited<ReturnType<typeof run>>> {
  const folder = join(dir, 's2-matchers')
  mkdirSync(folder, { recursive: true })
  copyFileSync(join(REPO_ROOT, 'test/jest', file), join(folder, file))
  try {
    const jest = [...(esm ? ['--experimental-vm-modules'] : []), 'node_modules/jest/bin/jest.js', '--ci', '--testMatch', `**/s2-matchers/${file}`]
    return await run(process.execPath, jest, { cwd: dir, env: childEnv() })
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * The example projects to install: the examples as they are, and two with the previous major of
 * their runner; the CommonJS jest ones with `@types/jest`, as a TypeScript project has, for the
 * matchers' type check.
 */
type ProjectKey = 'vitest' | 'jestCjs' | 'jestEsm' | 'jestTs' | 'vitest4' | 'jest29'
const INSTALLS: Record<ProjectKey, { example: string; dir?: string; extra?: string[] }> = {
  vitest: { example: 'vitest' },
  jestCjs: { example: 'jest-cjs', extra: ['@types/jest@30.0.0'] },
  jestEsm: { example: 'jest-esm' },
  jestTs: { example: 'jest-ts' },
  vitest4: { example: 'vitest', dir: 'vitest-4', extra: ['vitest@4.1.12'] },
  jest29: { example: 'jest-cjs', dir: 'jest-cjs-29', extra: ['jest@29.7.0', '@types/jest@29.5.14'] },
}
let installs: Map<ProjectKey, Promise<string>> | undefined

/**
 * The directory of an installed example project. The first call starts every install at once (npm
 * mostly waits on the network and the disk); afterAll waits for them all, so no npm outlives the file.
 */
function project(key: ProjectKey): Promise<string> {
  installs ??= new Map(
    Object.entries(INSTALLS).map(([name, { example, dir, extra }]) => {
      const promise = installExample(example, dir, extra)
      promise.catch(() => undefined) // reported by the tests that await it
      return [name as ProjectKey, promise]
    }),
  )
  return installs.get(key) as Promise<string>
}
afterAll(() => Promise.allSettled(installs?.values() ?? []))

describe('examples/vitest', () => {
  it(
    'passes in parallel workers, but for the deliberate failure, whose fault, clock and snapshot reach no other test',
    async () => {
      const dir = await project('vitest')
      await expectVitestDeliberateFailureOnly(dir)
    },
    10 * MINUTES,
  )

  it(
    'type-checks: fixtures, inject and the plugin, with vitest 5',
    async () => {
      const result = await run('npx', ['tsc', '--noEmit'], { cwd: await project('vitest') })
      expect(result, result.stdout).toMatchObject({ code: 0 })
    },
    10 * MINUTES,
  )

  it(
    'type-checks and passes with vitest 4 too',
    async () => {
      const dir = await project('vitest4')
      const version = await run('npx', ['vitest', '--version'], { cwd: dir })
      expect(version.stdout).toMatch(/^vitest\/4\./)
      const typecheck = await run('npx', ['tsc', '--noEmit'], { cwd: dir })
      expect(typecheck, typecheck.stdout).toMatchObject({ code: 0 })
      await expectVitestDeliberateFailureOnly(dir)
    },
    10 * MINUTES,
  )

  it(
    'records the cassettes again, then replays them with no emulator state and nothing listening upstream; a missing cassette says how to record it',
    async () => {
      const dir = await project('vitest')
      const args = ['vitest', 'run', 'test/replayed.test.ts', '--reporter=json', '--outputFile=cassettes.json']
      const rerecorded = { S2_EMULATOR_CASSETTE_DIR: 'rerecorded' }
      const record = await run('npx', args, { cwd: dir, env: { ...childEnv(), ...rerecorded, S2_EMULATOR_CASSETTE_MODE: 'record' } })
      expect(record.code, `${record.stdout}\n${record.stderr}`).toBe(0)
      // The same file name as the committed cassette, and the same requests.
      const committed = 'test/replayed.test.ts/records-stock-as-the-cassette-remembers-it-adbb9e8d.json'
      expect((readdirSync(join(dir, 'rerecorded'), { recursive: true }) as string[]).filter((f) => f.endsWith('.json'))).toEqual([committed])
      expect(recordedRequests(join(dir, 'rerecorded', committed))).toEqual(recordedRequests(join(dir, 'test/cassettes', committed)))

      // A run against a "real S2" where nothing listens: a request that left the cassette would fail.
      const nowhere = { S2_EMULATOR_TARGET: 'real', S2_ACCOUNT_ENDPOINT: 'http://127.0.0.1:9', S2_BASIN_ENDPOINT: 'http://127.0.0.1:9', S2_ACCESS_TOKEN: 'none' }
      const replay = await run('npx', args, { cwd: dir, env: { ...childEnv(), ...rerecorded, ...nowhere } })
      expect(replay.code, `${replay.stdout}\n${replay.stderr}`).toBe(0)
      expect(outcomes(join(dir, 'cassettes.json'))).toEqual([{ file: 'replayed.test.ts', title: 'records stock as the cassette remembers it', status: 'passed' }])

      const missing = await run('npx', args, { cwd: dir, env: { ...childEnv(), S2_EMULATOR_CASSETTE_DIR: 'not-recorded' } })
      expect(missing.code).toBe(1)
      expect(readFileSync(join(dir, 'cassettes.json'), 'utf8')).toContain(
        'no cassette for test \\"records stock as the cassette remembers it\\" of test/replayed.test.ts',
      )
    },
    10 * MINUTES,
  )

  describe('against a real S2 (a second emulator started without the integration, standing in for s2-lite)', () => {
    let standIn: S2Emulator
    beforeAll(async () => {
      standIn = await startS2Emulator() // no isolation, like s2-lite
    })
    afterAll(() => standIn.stop())

    it(
      'runs the portable tests in basins of their own, deleted after them, and skips those using emulator controls, naming the control',
      async () => {
        const dir = await project('vitest')
        const result = await run(
          'npx',
          ['vitest', 'run', '--maxWorkers=2', '--reporter=verbose', '--reporter=json', '--outputFile.json=real.json'],
          {
            cwd: dir,
            env: {
              ...childEnv(),
              S2_EMULATOR_TARGET: 'real',
              S2_ACCOUNT_ENDPOINT: standIn.url,
              S2_BASIN_ENDPOINT: standIn.url,
              S2_ACCESS_TOKEN: 'a-token-of-a-real-account',
            },
          },
        )
        expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
        const tests = outcomes(join(dir, 'real.json'))
        expect(tests.filter((t) => t.status === 'passed').map((t) => t.title)).toEqual([
          'sees the catalog built once for the file',
          'shares it with the next test of the file',
          'code that reads S2_* from the environment lands in this test',
          'appends orders and reads them back',
          'records stock as the cassette remembers it', // replayed: it reaches no S2 at all
        ])

        // The verbose reporter prints each skipped test with its note.
        const notes = new Map<string, string>()
        for (const [, title, control] of result.stdout.matchAll(/↓ \S+ > (.+?)(?: \d+ms)? \[s2Emulator\.(\w+(?:\(\))?) needs the emulator; this run targets a real S2 at /g)) {
          notes.set(title as string, control as string)
        }
        expect(Object.fromEntries(notes)).toEqual({
          'survives an append that fails once': 'faults',
          'forgets orders older than the retention period': 'clock',
          'restores a snapshot taken before the test changed anything': 'snapshots',
          'reads through a read that fails once': 'faults',
          'ages a stream by a week in a moment': 'clock',
          'restores a snapshot of the same name as other files do': 'snapshots',
        })

        // Every basin a test made was deleted after it; a skipped test made none before its control.
        const journal = await standIn.journal.list()
        const created = journal.filter((e) => e.operation === 'create_basin' && e.status === 201).map((e) => e.basin)
        const deleted = journal.filter((e) => e.operation === 'delete_basin' && e.status === 202).map((e) => e.basin)
        // The file-scoped one of catalog.test.ts, the 2 tests that passed, and 4 skipped after their
        // basin fixture made one (those asking for `basin`).
        expect(created.length).toBe(7)
        expect(new Set(created).size).toBe(created.length)
        expect(deleted.sort()).toEqual([...created].sort())
        for (const name of created) expect(name).toMatch(/^test-([a-z0-9-]+-)?[0-9a-f]{12}$/)
      },
      10 * MINUTES,
    )
  })
})

describe('examples/jest-cjs (CommonJS, babel-jest, no flags)', () => {
  it.each([
    ['jest 30', 'jestCjs', /^30\./],
    ['jest 29', 'jest29', /^29\./],
  ] as const)(
    'passes with %s in parallel workers, but for the deliberate failure, whose fault, clock and snapshot reach no other test',
    async (_runner, key, version) => {
      const dir = await project(key)
      expect((await run('npx', ['jest', '--version'], { cwd: dir })).stdout).toMatch(version)
      const result = await run('npx', ['jest', '--maxWorkers=2', '--json', '--outputFile=report.json'], {
        cwd: dir,
        // A token in the shell must reach no test: the environment points S2_* at each test's namespace.
        env: { ...childEnv(), S2_EXAMPLE_DELIBERATE_FAILURE: '1', S2_ACCESS_TOKEN: 'from-the-shell' },
      })
      expect(result.code, result.stderr).toBe(1)
      expectOnlyTheDeliberateFailure(outcomes(join(dir, 'report.json')), 'js')
    },
    10 * MINUTES,
  )

  it.each([
    ['jest 30', 'jestCjs', '30'],
    ['jest 29', 'jest29', '29'],
  ] as const)(
    'types the matchers with %s in CommonJS, for the global expect and for @jest/globals; a misspelt one is an error',
    async (_runner, key, major) => {
      const dir = await project(key)
      const runners = MATCHER_TYPE_RUNNERS.filter((r) => r.name.startsWith(`jest ${major},`))
      expect(runners.length).toBe(2)
      for (const runner of runners) {
        const folder = join(dir, 's2-types')
        mkdirSync(folder, { recursive: true })
        writeFileSync(join(folder, 'check.ts'), matcherTypeCheck(runner))
        writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: matcherTypeOptions(runner), files: ['check.ts'] }))
        try {
          const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', folder], { cwd: dir })
          expect(tsc.code, `${runner.name}\n${tsc.stdout}${tsc.stderr}`).toBe(0)
        } finally {
          rmSync(folder, { recursive: true, force: true })
        }
      }
    },
    10 * MINUTES,
  )

  it.each([
    ['jest 30', 'jestCjs'],
    ['jest 29', 'jest29'],
  ] as const)(
    'runs every matcher with %s, registered by the preset',
    async (_runner, key) => {
      const result = await runJestMatchers(await project(key), 'matchers.test.cjs', false)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toMatch(new RegExp(`Tests:\\s+${jestTests('matchers.test.cjs')} passed, ${jestTests('matchers.test.cjs')} total`))
    },
    10 * MINUTES,
  )
})

describe('examples/jest-cjs, per-test cassettes', () => {
  it(
    'records the replayed test again, to the file and requests of the committed cassette, and replays that',
    async () => {
      const dir = await project('jestCjs')
      const args = ['jest', 'test/replayed.test.js', '--json', '--outputFile=cassettes.json']
      const rerecorded = { S2_EMULATOR_CASSETTE_DIR: 'rerecorded' }
      const record = await run('npx', args, { cwd: dir, env: { ...childEnv(), ...rerecorded, S2_EMULATOR_CASSETTE_MODE: 'record' } })
      expect(record.code, record.stderr).toBe(0)
      const committed = 'test/replayed.test.js/records-stock-as-the-cassette-remembers-it-878e6989.json'
      expect((readdirSync(join(dir, 'rerecorded'), { recursive: true }) as string[]).filter((f) => f.endsWith('.json'))).toEqual([committed])
      expect(recordedRequests(join(dir, 'rerecorded', committed))).toEqual(recordedRequests(join(dir, 'test/cassettes', committed)))
      const replay = await run('npx', args, { cwd: dir, env: { ...childEnv(), ...rerecorded } })
      expect(replay.code, replay.stderr).toBe(0)
      expect(outcomes(join(dir, 'cassettes.json'))).toEqual([{ file: 'replayed.test.js', title: 'records stock as the cassette remembers it', status: 'passed' }])
    },
    10 * MINUTES,
  )
})

describe('examples/jest-esm (native ES modules, --experimental-vm-modules)', () => {
  let shared: S2Emulator
  beforeAll(async () => {
    shared = await startS2Emulator({ isolation: 'token' }) // e.g. a container or a CI service
    // An emulator-wide rule that changes nothing, to count the requests that reach this emulator.
    await shared.faults.add({ match: { operation: 'create_basin' }, action: { type: 'latency', ms: 0 } })
  })
  afterAll(() => shared.stop())

  it(
    'passes against the emulator S2_EMULATOR_URL names, but for the deliberate failure, and leaves no namespace behind',
    async () => {
      const dir = await project('jestEsm')
      const result = await run('npm', ['test', '--', '--maxWorkers=2', '--json', '--outputFile=report.json'], {
        cwd: dir,
        env: { ...childEnv(), S2_EXAMPLE_DELIBERATE_FAILURE: '1', S2_EMULATOR_URL: shared.url, S2_ACCESS_TOKEN: 'from-the-shell' },
      })
      expect(result.code, result.stderr).toBe(1)
      expectOnlyTheDeliberateFailure(outcomes(join(dir, 'report.json')), 'js', ['catalog', 'failure-isolation', 'inventory', 'orders'])
      const [counter] = await shared.faults.list()
      expect(counter?.matched).toBeGreaterThanOrEqual(10) // every test made a basin there
      const left = (await shared.namespaces()).filter((n) => n.name !== 'default')
      expect(left).toEqual([]) // each test's namespace was dropped
    },
    10 * MINUTES,
  )

  it(
    'runs every matcher as ES modules, and fails a test that forgot to await one, saying so',
    async () => {
      const dir = await project('jestEsm')
      const passing = await runJestMatchers(dir, 'matchers.test.mjs', true)
      expect(passing.code, passing.stderr).toBe(0)
      expect(passing.stderr).toMatch(new RegExp(`Tests:\\s+${jestTests('matchers.test.mjs')} passed, ${jestTests('matchers.test.mjs')} total`))
      const forgotten = await runJestMatchers(dir, 'forgotten-await.test.mjs', true)
      expect(forgotten.code, forgotten.stderr).toBe(1)
      expect(forgotten.stderr).toContain('[s2-emulator] expect(...).toHaveTail(...) was not awaited')
    },
    10 * MINUTES,
  )
})

describe('examples/jest-ts (TypeScript through ts-jest)', () => {
  it(
    'passes in parallel workers, with the globals and the matchers typed; a misspelt matcher fails its file with a type error',
    async () => {
      const dir = await project('jestTs')
      const result = await run('npx', ['jest', '--maxWorkers=2', '--json', '--outputFile=report.json'], { cwd: dir })
      expect(result.code, result.stderr).toBe(0)
      const tests = outcomes(join(dir, 'report.json'))
      expect(tests.filter((t) => t.status !== 'passed')).toEqual([])
      expect(new Set(tests.map((t) => t.file))).toEqual(new Set(['closing.test.ts', 'ledger.test.ts']))
      // ts-jest compiles each test file with the project's types: a misspelt matcher is TS2551.
      const typo = join(dir, 'test/typo.test.ts')
      writeFileSync(typo, "test('misspells a matcher', async () => {\n  await expect({ basin: 'ledger-books', stream: 'ledger' }).toHaveRecord(['x'])\n})\n")
      try {
        const failed = await run('npx', ['jest', 'test/typo.test.ts'], { cwd: dir })
        expect(failed.code).toBe(1)
        expect(stripVTControlCharacters(failed.stderr)).toMatch(/TS2551: Property 'toHaveRecord' does not exist .* Did you mean 'toHaveRecords'\?/)
      } finally {
        rmSync(typo, { force: true })
      }
    },
    10 * MINUTES,
  )
})
