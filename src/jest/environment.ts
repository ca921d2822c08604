import { basename } from 'node:path'
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment'
import type { Circus } from '@jest/types'
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node'
import { connectS2Emulator, type S2EmulatorClient } from '../client/client.ts'
import type { S2Environment, S2Namespace } from '../client/namespace.ts'
import { emulatorTargetFromEnv } from '../runner/target.ts'
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
  #client: S2EmulatorClient | undefined
  #namespace: S2Namespace | undefined

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context)
    this.#options = environmentOptions(config.projectConfig.testEnvironmentOptions)
    this.#file = basename(context.testPath)
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
    Object.defineProperties(this.global, {
      s2Emulator: { configurable: true, get: () => this.#current('s2Emulator') },
      s2Env: { configurable: true, get: (): S2Environment => this.#current('s2Env').env },
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
    if (event.name === 'test_start') await this.#enter(`${this.#file} > ${testName(event.test)}`)
    else if (event.name === 'test_done') await this.#leave()
  }

  async #enter(label: string): Promise<void> {
    if (this.#client === undefined) return
    this.#namespace = await this.#client.createNamespace({ label, faultSeed: this.#options.faultSeed })
    this.#point(this.#namespace.env)
  }

  async #leave(): Promise<void> {
    const namespace = this.#namespace
    this.#namespace = undefined
    this.#point(undefined)
    await namespace?.drop()
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

/** A test's name with the names of the describe blocks around it. */
function testName(test: Circus.TestEntry): string {
  const names = [test.name]
  for (let block: Circus.DescribeBlock | undefined = test.parent; block !== undefined && block.parent !== undefined; block = block.parent) {
    names.unshift(block.name)
  }
  return names.join(' > ')
}

export { S2EmulatorEnvironment as TestEnvironment }
export default S2EmulatorEnvironment
