import { basename, relative } from 'node:path'
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment'
import type { Circus } from '@jest/types'
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node'
import { connectS2Emulator, type S2EmulatorClient } from '../client/client.ts'
import type { S2Environment, S2Namespace } from '../client/namespace.ts'
import { emulatorTargetFromEnv } from '../runner/target.ts'
import {
  startTestCassette,
  testCassettes,
  type CassetteClaims,
  type TestCassette,
  type TestCassettes,
  type TestIdentity,
} from '../runner/test-cassettes.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { environmentOptions, type ResolvedEnvironmentOptions } from './environment-options.ts'

const S2_VARIABLES = ['S2_ACCOUNT_ENDPOINT', 'S2_BASIN_ENDPOINT', 'S2_ACCESS_TOKEN'] as const

/**
 * `testEnvironment: 's2-emulator/jest/environment'`: jest's node environment, plus a namespace of
 * the run's emulator for each test (made at `test_start`, before its `beforeEach` hooks, and
 * dropped at `test_done`). Inside a test the globals `s2Emulator` (the namespace's handle) and
 * `s2Env` (its `S2_*` variables) are that namespace's, and so is `process.env.S2_*`, so code that
 * reads `S2Environment.parse()` lands there unchanged. Outside a test the `S2_*` variables are
 * removed, so module-level code never reaches an S2 of your shell by mistake.
 *
 * `testEnvironmentOptions: { s2Emulator: { scope: 'file' } }` gives the whole file one namespace
 * instead, made before the file's code runs (for suites that build state once in `beforeAll`).
 */
export class S2EmulatorEnvironment extends NodeEnvironment {
  readonly #options: ResolvedEnvironmentOptions
  readonly #file: string
  /** Per-test cassettes, with the test file relative to the project's root. */
  readonly #cassettes: { readonly cassettes: TestCassettes; readonly root: string; readonly file: string } | undefined
  #client: S2EmulatorClient | undefined
  #namespace: S2Namespace | undefined
  #cassette: TestCassette | undefined
  /** The cassette paths this file's tests took, each with its test entry (the same on a retry). */
  readonly #claims: CassetteClaims = new Map()
  /** The test that started and has a cassette to come: it starts once the test is known to run. */
  #pending: { readonly test: Circus.TestEntry; readonly identity: TestIdentity } | undefined

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context)
    this.#options = environmentOptions(config.projectConfig.testEnvironmentOptions)
    this.#file = basename(context.testPath)
    // S2_EMULATOR_CASSETTE_DIR alone leaves a file-scoped namespace as it is: its traffic is no one test's.
    const cassettes = this.#options.scope === 'test' ? testCassettes(this.#options.cassettes, process.env, 'testEnvironmentOptions.s2Emulator') : undefined
    const root = config.projectConfig.rootDir
    this.#cassettes = cassettes && { cassettes, root, file: relative(root, context.testPath) }
  }

  override async setup(): Promise<void> {
    await super.setup()
    const target = emulatorTargetFromEnv(process.env)
    if (target === undefined) {
      throw new S2EmulatorError(
        'S2EMU_NOT_PROVIDED',
        "no emulator for this run: add `preset: 's2-emulator/jest'` to the jest config (or globalSetup 's2-emulator/jest/global-setup' and globalTeardown 's2-emulator/jest/global-teardown'), or set S2_EMULATOR_URL",
      )
    }
    this.#client = connectS2Emulator(target.url, { adminToken: target.adminToken })
    // Not enumerable, stated: jest's node environment copied testEnvironmentOptions (with its
    // `s2Emulator` key) onto the global as enumerable data, and jest 30 reads every enumerable
    // global at teardown, outside any test, where these getters throw.
    Object.defineProperties(this.global, {
      s2Emulator: { configurable: true, enumerable: false, get: () => this.#current('s2Emulator') },
      s2Env: { configurable: true, enumerable: false, get: (): S2Environment => this.#cassette?.env ?? this.#current('s2Env').env },
    })
    this.#point(undefined)
    if (this.#options.scope === 'file') await this.#enter(`${this.#file} (file)`)
  }

  override async teardown(): Promise<void> {
    await this.#leave()
    await super.teardown()
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (this.#options.scope !== 'test') return
    if (event.name === 'test_start') {
      const names = testNames(event.test)
      await this.#enter(`${this.#file} > ${names.join(' > ')}`)
      if (this.#cassettes !== undefined) this.#pending = { test: event.test, identity: { root: this.#cassettes.root, file: this.#cassettes.file, names } }
    } else if ((event.name === 'hook_start' && (event.hook.type === 'beforeEach' || event.hook.type === 'afterEach')) || event.name === 'test_fn_start') {
      // test_start comes for skipped tests too: a cassette starts at the test's first hook or its
      // body, so that a skipped test neither needs one (replay) nor empties its file (record).
      await this.#startCassette()
    } else if (event.name === 'test_done') {
      this.#pending = undefined
      try {
        await this.#leave()
      } catch (error) {
        event.test.errors.push(error) // a request the cassette had no answer for fails the test
      }
    }
  }

  async #enter(label: string): Promise<void> {
    if (this.#client === undefined) return
    this.#namespace = await this.#client.createNamespace({ label, faultSeed: this.#options.faultSeed })
    this.#point(this.#namespace.env)
  }

  /** Starts the pending test's cassette and points `S2_*` at it; a cassette that cannot start fails the test, which then does not run. */
  async #startCassette(): Promise<void> {
    const pending = this.#pending
    this.#pending = undefined
    if (pending === undefined || this.#cassettes === undefined || this.#namespace === undefined) return
    try {
      this.#cassette = await startTestCassette(this.#cassettes.cassettes, pending.identity, this.#namespace.env, {
        claims: this.#claims,
        owner: pending.test,
      })
      this.#point(this.#cassette.env)
    } catch (error) {
      pending.test.errors.push(error)
    }
  }

  async #leave(): Promise<void> {
    const namespace = this.#namespace
    const cassette = this.#cassette
    this.#namespace = undefined
    this.#cassette = undefined
    this.#point(undefined)
    try {
      await cassette?.finish() // saves it in the record modes; throws if a request missed
    } finally {
      await namespace?.drop()
    }
  }

  /** Points the test's `process.env.S2_*` at a namespace, or removes them. */
  #point(env: S2Environment | undefined): void {
    const testEnv = this.global.process.env
    for (const name of S2_VARIABLES) {
      if (env === undefined) delete testEnv[name]
      else testEnv[name] = env[name]
    }
  }

  #current(global: string): S2Namespace {
    if (this.#namespace !== undefined) return this.#namespace
    throw new S2EmulatorError(
      'S2EMU_NOT_IN_TEST',
      `${global} exists only while a test runs (in the test and its beforeEach/afterEach hooks); for beforeAll, set testEnvironmentOptions: { s2Emulator: { scope: 'file' } }`,
    )
  }
}

/** The names of the describe blocks around a test, and its own. */
function testNames(test: Circus.TestEntry): string[] {
  const names = [test.name]
  for (let block: Circus.DescribeBlock | undefined = test.parent; block !== undefined && block.parent !== undefined; block = block.parent) {
    names.unshift(block.name)
  }
  return names
}

export { S2EmulatorEnvironment as TestEnvironment }
export default S2EmulatorEnvironment
