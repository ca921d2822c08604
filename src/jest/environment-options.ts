import { testCassettes, type S2TestCassettesOptions } from '../runner/test-cassettes.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** Options of the jest environment, under `testEnvironmentOptions: { s2Emulator: { ... } }`; every field is optional. */
export interface S2JestEnvironmentOptions {
  /** `'test'`: a namespace per test; `'file'`: one for the whole test file. [default 'test'] */
  scope?: 'test' | 'file'
  /** Seed of each namespace's fault generator. [default random, reported by `faults.seed()`] */
  faultSeed?: number
  /**
   * A cassette per test: the test's `s2Env` and `process.env.S2_*` point at a record/replay endpoint
   * whose file, under `dir`, is named after the test file and the test (see the vitest fixtures'
   * option of the same name). Only with scope `'test'`. [default none]
   */
  cassettes?: S2TestCassettesOptions
}

export const environmentDefaults = { scope: 'test' } as const satisfies S2JestEnvironmentOptions

/** The options with their defaults filled in. */
export type ResolvedEnvironmentOptions = Required<Pick<S2JestEnvironmentOptions, 'scope'>> & S2JestEnvironmentOptions

/** Reads and checks the environment's options from jest's `testEnvironmentOptions`, listing every problem. */
export function environmentOptions(testEnvironmentOptions: Record<string, unknown>): ResolvedEnvironmentOptions {
  const raw = testEnvironmentOptions.s2Emulator ?? {}
  const problems: string[] = []
  if (typeof raw !== 'object' || raw === null) {
    problems.push('testEnvironmentOptions.s2Emulator must be an object')
  } else {
    const { scope, faultSeed, cassettes, ...rest } = raw as Record<string, unknown>
    if (scope !== undefined && scope !== 'test' && scope !== 'file') problems.push(`scope is ${JSON.stringify(scope)}; use 'test' or 'file'`)
    if (faultSeed !== undefined && !Number.isSafeInteger(faultSeed)) problems.push(`faultSeed is ${JSON.stringify(faultSeed)}; use an integer`)
    if (cassettes !== undefined) {
      if (scope === 'file') problems.push("cassettes are per test; they need scope 'test', not 'file'")
      try {
        testCassettes(cassettes as S2TestCassettesOptions, {}, 'cassettes')
      } catch (error) {
        problems.push((error as Error).message.replace(/^\[s2-emulator\] cassettes: /, ''))
      }
    }
    for (const key of Object.keys(rest)) problems.push(`unknown option ${key}; the options are scope, faultSeed and cassettes`)
  }
  if (problems.length > 0) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `testEnvironmentOptions.s2Emulator: ${problems.join('; ')}`)
  return { ...environmentDefaults, ...(raw as S2JestEnvironmentOptions) }
}
