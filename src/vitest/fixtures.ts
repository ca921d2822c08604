import type { S2, S2Basin } from '@s2-dev/streamstore'
import type { TestContext } from 'vitest'
import type { S2Environment, S2Namespace } from '../client/namespace.ts'
import { checkBasinPrefix, uniqueBasinName } from '../runner/basin-name.ts'
import { realS2Namespace, type SkipTest } from '../runner/real-s2-namespace.ts'
import { bindS2Namespace } from '../matchers/namespace-binding.ts'
import { openS2Client, type S2ClientSettings } from '../runner/sdk-client.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { emulatorClient, workerTarget } from './worker-target.ts'

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
  s2Env: Definition<{ s2Emulator: S2Namespace }, S2Environment>
  s2: Definition<{ s2Emulator: S2Namespace }, S2>
  basin: Definition<{ s2: S2 } & MaybeTest, S2Basin>
  /** With a file or worker scope: follows the test running now, so a control a real S2 lacks skips it. */
  s2CurrentTest?: Definition<MaybeTest, void>
}

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
  const basinFixture = async (use: Use<S2Basin>, s2: S2, label: string): Promise<void> => {
    const name = uniqueBasinName(basinPrefix, label)
    await s2.basins.create({ basin: name })
    try {
      await use(s2.basin(name))
    } finally {
      // In the emulator the namespace goes with everything in it; a real S2 keeps basins until deleted.
      if (workerTarget().kind === 'real') await deleteBasin(s2, name)
    }
  }

  // Vitest reads each fixture's first parameter to learn what it depends on: keep it destructured.
  // Only test-scoped fixtures may ask for the test's context (`task`, `skip`).
  const definitions: S2FixtureDefinitions = {
    s2Emulator: shared
      ? [async ({}, use) => namespaceFixture(use, `${scope}-scoped`, skipCurrentTest), { scope }]
      : [async ({ task, skip }, use) => namespaceFixture(use, testLabel(task), skip ?? skipCurrentTest, task), { scope }],
    s2Env: [async ({ s2Emulator }, use) => withProcessEnv(s2Emulator.env, () => use(s2Emulator.env)), { scope }],
    s2: [
      async ({ s2Emulator }, use) => {
        const client = await openS2Client(s2Emulator.env, opts.client)
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
      : [async ({ s2, task }, use) => basinFixture(use, s2, task?.name ?? ''), { scope }],
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
