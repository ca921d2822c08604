import type { S2, S2Basin } from '@s2-dev/streamstore'
import type { TestContext } from 'vitest'
import type { S2Environment, S2Namespace } from '../client/namespace.ts'
import { checkBasinPrefix, stableBasinName, uniqueBasinName } from '../runner/basin-name.ts'
import { realS2Namespace, type SkipTest } from '../runner/real-s2-namespace.ts'
import { bindS2Namespace } from '../matchers/namespace-binding.ts'
import { openS2Client, type S2ClientSettings } from '../runner/sdk-client.ts'
import {
  startTestCassette,
  testCassettes,
  testKey,
  type CassetteClaims,
  type S2TestCassette,
  type S2TestCassettesOptions,
  type TestCassettes,
  type TestIdentity,
} from '../runner/test-cassettes.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { emulatorClient, providedCassettes, workerTarget } from './worker-target.ts'

/** How long a namespace (with its client and basin) lives: one test, one test file, or one worker. */
export type FixtureScope = 'test' | 'file' | 'worker'

/** Options of {@link createS2Fixtures}; every field is optional. */
export interface S2FixturesOptions {
  /**
   * How long the fixtures live: `'test'` gives each test a fresh namespace; `'file'` and `'worker'`
   * share one across the tests of a file or a worker, for suites that build state once (in
   * `beforeAll`, which sees only file and worker fixtures). [default 'test']
   */
  scope?: FixtureScope
  /** Start of the names of basins the `basin` fixture makes (then the test's name and random digits). [default 'test'] */
  basinPrefix?: string
  /** Seed of each namespace's fault generator, for draws that repeat run after run. [default random, reported by `faults.seed()`] */
  faultSeed?: number
  /** Settings of the `s2` client (retries, timeouts, compression); its token and endpoints are the namespace's. [default the SDK's] */
  client?: S2ClientSettings
  /**
   * A cassette per test: the test's `s2`, `s2Env` and `basin` go through a record/replay endpoint
   * whose file, under `dir`, is named after the test file and the test. `mode` `'record'` records
   * from the test's namespace (or the real S2 of `S2_EMULATOR_TARGET=real`), `'replay'` answers from
   * the file alone. `S2_EMULATOR_CASSETTE_MODE` overrides the mode, `S2_EMULATOR_CASSETTE_DIR` the
   * directory (and turns cassettes on without this option). Only with scope `'test'`. [default the
   * plugin's `cassettes` option, else none]
   */
  cassettes?: S2TestCassettesOptions
}

/** The defaults of {@link S2FixturesOptions}. */
export const fixtureDefaults = { scope: 'test', basinPrefix: 'test' } as const satisfies S2FixturesOptions

/** What the fixtures give a test. */
export interface S2Fixtures {
  /**
   * This test's namespace: a private emulator (its data, fault rules, clock, snapshots, journal),
   * dropped after the test. Against a real S2, its emulator-only controls skip the test.
   */
  s2Emulator: S2Namespace
  /**
   * `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN` of this test's namespace. While
   * a test that asks for it runs, `process.env` holds them too (and gets its own values back after),
   * so code under test that reads them (`S2Environment.parse()`) lands in the namespace. Tests that
   * run concurrently (`test.concurrent`) share `process.env`: pass them `s2Env` instead.
   */
  s2Env: S2Environment
  /** An `S2` client of `@s2-dev/streamstore` bound to this test's namespace; its streams are closed after the test. */
  s2: S2
  /** A fresh basin in this test's namespace (made only when a test asks for it); against a real S2, deleted after the test. */
  basin: S2Basin
  /**
   * With the `cassettes` option (or `S2_EMULATOR_CASSETTE_DIR`): this test's cassette, its `path`,
   * `mode` and `env`, where `s2Env` and `s2` point. Else `null`.
   */
  s2Cassette: S2TestCassette | null
}

type Use<T> = (value: T) => Promise<void>
type Definition<Context, Value> = [(context: Context, use: Use<Value>) => Promise<void>, { scope: FixtureScope; auto?: boolean }]
/** Test-scoped fixtures also see the test's context; file and worker ones do not. */
type MaybeTest = Partial<Pick<TestContext, 'task' | 'skip'>>

/**
 * The fixture definitions, for `test.extend<S2Fixtures>(...)`: each fixture's function with its
 * scope. Compose them with your own: `test.extend<S2Fixtures & Mine>({ ...s2Fixtures, mine: ... })`.
 */
export interface S2FixtureDefinitions {
  s2Emulator: Definition<MaybeTest, S2Namespace>
  s2Env: Definition<{ s2Emulator: S2Namespace; s2Cassette: S2TestCassette | null }, S2Environment>
  s2: Definition<{ s2Emulator: S2Namespace; s2Cassette: S2TestCassette | null }, S2>
  basin: Definition<{ s2: S2 } & MaybeTest, S2Basin>
  s2Cassette: Definition<{ s2Emulator: S2Namespace } & MaybeTest, S2TestCassette | null>
  /** With a file or worker scope: follows the test running now, so a control a real S2 lacks skips it. */
  s2CurrentTest?: Definition<MaybeTest, void>
}

/** The cassette paths the tests of this worker took (vitest gives each test an id that stays the same on a retry). */
const cassetteClaims: CassetteClaims = new Map()

/** What skips the test running now, for fixtures that outlive one test (set by `s2CurrentTest`). */
let currentTestSkip: SkipTest | undefined

const skipCurrentTest: SkipTest = (note) => {
  if (currentTestSkip !== undefined) return currentTestSkip(note)
  throw new S2EmulatorError('S2EMU_EMULATOR_ONLY', `${note} (used outside a test, so no test could be skipped)`)
}

/**
 * Fixtures for `test.extend`: `s2Emulator`, `s2Env`, `s2` and `basin`, living for a test (the
 * default), a file or a worker.
 *
 * ```ts
 * import { test as base } from 'vitest'
 * import { createS2Fixtures, type S2Fixtures } from 's2-emulator/vitest'
 * const test = base.extend<S2Fixtures>(createS2Fixtures({ scope: 'file' })) // name the type: vitest cannot infer it
 * ```
 */
export function createS2Fixtures(options: S2FixturesOptions = {}): S2FixtureDefinitions {
  const opts = { ...fixtureDefaults, ...options } satisfies S2FixturesOptions
  const { scope } = opts
  const basinPrefix = checkBasinPrefix(opts.basinPrefix)
  const shared = scope !== 'test'
  if (shared && opts.cassettes !== undefined) {
    throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `createS2Fixtures: cassettes are per test; they need scope 'test', not '${scope}'`)
  }
  if (opts.cassettes !== undefined) testCassettes(opts.cassettes, process.env, 'createS2Fixtures') // bad options fail here, at once
  // Read when a test first needs them: the plugin's option is provided to the worker. The plugin's
  // option and S2_EMULATOR_CASSETTE_DIR leave fixtures of a wider scope as they are: their traffic is no one test's.
  let resolved: { cassettes: TestCassettes | undefined } | undefined
  const perTest = (): TestCassettes | undefined => {
    if (shared) return undefined
    resolved ??= { cassettes: testCassettes(opts.cassettes ?? providedCassettes(), process.env, 'createS2Fixtures') }
    return resolved.cassettes
  }

  const namespaceFixture = async (use: Use<S2Namespace>, label: string, skip: SkipTest, test?: object): Promise<void> => {
    const target = workerTarget()
    if (target.kind === 'real') return use(realS2Namespace(target, skip))
    const namespace = await emulatorClient(target).createNamespace({ label, faultSeed: opts.faultSeed })
    // The matchers read `{ basin, stream }` references in it: for this test, or (shared) for every test until dropped.
    bindS2Namespace(namespace, test)
    try {
      await use(namespace)
    } finally {
      bindS2Namespace(null, test)
      await dropUnlessGone(namespace, scope)
    }
  }
  const basinFixture = async (use: Use<S2Basin>, s2: S2, label: string, test?: TestIdentity): Promise<void> => {
    // A replayed cassette must see the basin name it recorded: with cassettes, the name is the test's.
    const name = perTest() && test ? stableBasinName(basinPrefix, label, testKey(test)) : uniqueBasinName(basinPrefix, label)
    await s2.basins.create({ basin: name })
    try {
      await use(s2.basin(name))
    } finally {
      // In the emulator the namespace goes with everything in it; a real S2 keeps basins until deleted.
      // With cassettes, always: the recording then has the same requests whatever it was recorded from.
      if (perTest() || workerTarget().kind === 'real') await deleteBasin(s2, name)
    }
  }
  const cassetteFixture = async (use: Use<S2TestCassette | null>, namespace: S2Namespace, task?: TestContext['task']): Promise<void> => {
    const cassettes = perTest()
    if (cassettes === undefined || task === undefined) return use(null)
    const cassette = await startTestCassette(cassettes, testIdentity(task), namespace.env, { claims: cassetteClaims, owner: task.id })
    try {
      await use({ path: cassette.path, mode: cassette.mode, env: cassette.env })
    } finally {
      await cassette.finish() // saves it in the record modes; a request it had no answer for fails the test
    }
  }

  // Vitest reads each fixture's first parameter to learn what it depends on: keep it destructured.
  // Only test-scoped fixtures may ask for the test's context (`task`, `skip`).
  const definitions: S2FixtureDefinitions = {
    s2Emulator: shared
      ? [async ({}, use) => namespaceFixture(use, `${scope}-scoped`, skipCurrentTest), { scope }]
      : [async ({ task, skip }, use) => namespaceFixture(use, testLabel(task), skip ?? skipCurrentTest, task), { scope }],
    s2Cassette: shared
      ? [async ({ s2Emulator }, use) => cassetteFixture(use, s2Emulator), { scope }]
      : [async ({ s2Emulator, task }, use) => cassetteFixture(use, s2Emulator, task), { scope }],
    // Through the test's cassette when it has one, else straight to its namespace.
    s2Env: [
      async ({ s2Emulator, s2Cassette }, use) => {
        const env = s2Cassette?.env ?? s2Emulator.env
        await withProcessEnv(env, () => use(env))
      },
      { scope },
    ],
    s2: [
      async ({ s2Emulator, s2Cassette }, use) => {
        const client = await openS2Client(s2Cassette?.env ?? s2Emulator.env, opts.client)
        try {
          await use(client.s2)
        } finally {
          await client.close()
        }
      },
      { scope },
    ],
    basin: shared
      ? [async ({ s2 }, use) => basinFixture(use, s2, ''), { scope }]
      : [async ({ s2, task }, use) => basinFixture(use, s2, task?.name ?? '', task && testIdentity(task)), { scope }],
  }
  if (shared) {
    definitions.s2CurrentTest = [
      async ({ skip }, use) => {
        const previous = currentTestSkip
        currentTestSkip = skip
        try {
          await use()
        } finally {
          currentTestSkip = previous
        }
      },
      { scope: 'test', auto: true },
    ]
  }
  return definitions
}

/** Runs `body` with `process.env` pointing at `env`, then puts back what was there. */
async function withProcessEnv(env: S2Environment, body: () => Promise<void>): Promise<void> {
  const names = Object.keys(env) as (keyof S2Environment)[]
  const previous = names.map((name) => [name, process.env[name]] as const)
  for (const name of names) process.env[name] = env[name]
  try {
    await body()
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/** A namespace's label in listings: the test's file and name. */
function testLabel(task: TestContext['task'] | undefined): string {
  return task === undefined ? 'test' : `${task.file.name} > ${task.name}`
}

/** A test's file (relative to the project's root, as vitest names it) and the names of its describe blocks and itself. */
function testIdentity(task: TestContext['task']): TestIdentity {
  const names = [task.name]
  for (let suite = task.suite; suite !== undefined && !('filepath' in suite); suite = suite.suite) names.unshift(suite.name)
  const { filepath, name: file } = task.file
  const normalized = filepath.replaceAll('\\', '/')
  const root = normalized.endsWith(`/${file}`) ? filepath.slice(0, filepath.length - file.length - 1) : process.cwd()
  return { root, file, names }
}

/** Drops a namespace; a worker-scoped one may outlive the emulator (stopped once the run's files are done). */
async function dropUnlessGone(namespace: S2Namespace, scope: FixtureScope): Promise<void> {
  try {
    await namespace.drop()
  } catch (error) {
    if (scope === 'worker' && error instanceof S2EmulatorError && error.code === 'S2EMU_UNREACHABLE') return
    throw error
  }
}

async function deleteBasin(s2: S2, name: string): Promise<void> {
  try {
    await s2.basins.delete({ basin: name })
  } catch (error) {
    if ((error as { status?: unknown }).status !== 404) throw error // a test may delete its basin itself
  }
}
