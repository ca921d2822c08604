import { createHash } from 'node:crypto'
import { isAbsolute, join, resolve } from 'node:path'
import type { S2Environment } from '../client/namespace.ts'
import { CASSETTE_MODE_ENV, CASSETTE_MODES, isCassetteMode, type CassetteMode } from '../record-replay/modes.ts'
import type { CassetteServer } from '../record-replay/server/cassette-server.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/**
 * Per-test cassettes of the runner integrations: each test's S2 traffic goes through a
 * record/replay endpoint of its own, whose cassette file is named after the test.
 */
export interface S2TestCassettesOptions {
  /** The directory of the cassettes, relative to the project's root: a folder per test file, a file per test. [default 'test/cassettes'] */
  dir?: string
  /** `replay`, `record`, `record-missing` or `passthrough`; `S2_EMULATOR_CASSETTE_MODE` overrides it. [default 'replay'] */
  mode?: CassetteMode
}

/** The environment variable that turns per-test cassettes on (where the config does not), naming their directory. */
export const CASSETTE_DIR_ENV = 'S2_EMULATOR_CASSETTE_DIR'

export const testCassetteDefaults = { dir: 'test/cassettes', mode: 'replay' } as const satisfies S2TestCassettesOptions

export interface TestCassettes {
  readonly dir: string
  readonly mode: CassetteMode
  /** Whether the config asked for them (else `S2_EMULATOR_CASSETTE_DIR` did). */
  readonly configured: boolean
}

/**
 * Per-test cassettes, if the option or `S2_EMULATOR_CASSETTE_DIR` asks for them: the variables
 * override the option's directory and mode. Lists every problem at once.
 */
export function testCassettes(
  option: S2TestCassettesOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): TestCassettes | undefined {
  const dirFromEnv = env[CASSETTE_DIR_ENV]?.trim() || undefined
  if (option === undefined && dirFromEnv === undefined) return undefined
  const problems: string[] = []
  if (option !== undefined && (typeof option !== 'object' || option === null)) problems.push('cassettes must be an object: { dir?, mode? }')
  const { dir: optionDir, mode: optionMode, ...rest } = (typeof option === 'object' && option !== null ? option : {}) as Record<string, unknown>
  for (const key of Object.keys(rest)) problems.push(`cassettes has no option ${key}; the options are dir and mode`)
  if (optionDir !== undefined && (typeof optionDir !== 'string' || optionDir.trim() === '')) problems.push(`cassettes.dir is ${JSON.stringify(optionDir)}; use a directory`)
  const modes = CASSETTE_MODES.join(', ')
  if (optionMode !== undefined && !(typeof optionMode === 'string' && isCassetteMode(optionMode))) {
    problems.push(`cassettes.mode is ${JSON.stringify(optionMode)}; use one of ${modes}`)
  }
  const modeFromEnv = env[CASSETTE_MODE_ENV]?.trim() || undefined
  if (modeFromEnv !== undefined && !isCassetteMode(modeFromEnv)) problems.push(`${CASSETTE_MODE_ENV} is '${modeFromEnv}'; use one of ${modes}`)
  if (problems.length > 0) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `${where}: ${problems.join('; ')}`)
  return {
    dir: dirFromEnv ?? (optionDir as string | undefined) ?? testCassetteDefaults.dir,
    mode: (modeFromEnv ?? optionMode ?? testCassetteDefaults.mode) as CassetteMode,
    configured: option !== undefined,
  }
}

/** What names a test's cassette: the project's root, the test file (relative to it) and the names of the test and its describe blocks. */
export interface TestIdentity {
  readonly root: string
  readonly file: string
  readonly names: readonly string[]
}

/**
 * The cassette paths taken in a run of a test file, each with the test that took it (the same
 * test again, on a retry, may). Two tests of a file with the same full name would share a file.
 */
export type CassetteClaims = Map<string, unknown>

/** A path segment anyone can type: letters, digits, `.`, `_` and `-`, lowercased, at most 80 long. */
const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')

/**
 * `<dir>/<test file>/<slug of the test's full name>-<8 hex digits>.json`: the digits are a digest
 * of the file and the exact full name, so two tests whose names slug alike still get two files,
 * and the same test finds its file run after run.
 */
export function testCassettePath(dir: string, test: TestIdentity): string {
  const file = test.file.replaceAll('\\', '/')
  const fullName = test.names.join(' > ')
  const digest = createHash('sha256').update(`${file}\n${fullName}`).digest('hex').slice(0, 8)
  const folder = file
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => slug(part) || '_')
  const name = slug(test.names.join('-')) || 'test'
  return join(isAbsolute(dir) ? dir : resolve(test.root, dir), ...folder, `${name}-${digest}.json`)
}

/** The key of a test for names that must repeat run after run (its basin's). */
export const testKey = (test: TestIdentity): string => `${test.file.replaceAll('\\', '/')}\n${test.names.join(' > ')}`

/** A test's cassette, as a test sees it. */
export interface S2TestCassette {
  /** The cassette file. */
  readonly path: string
  /** The mode in effect (`S2_EMULATOR_CASSETTE_MODE` overrides the option). */
  readonly mode: CassetteMode
  /** `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` (its local endpoint) and `S2_ACCESS_TOKEN` (a dummy: the recorder sends the real one upstream). */
  readonly env: S2Environment
}

/** A test's cassette endpoint; `finish()` stops it, saves the cassette in the record modes, and throws if a request missed. */
export interface TestCassette extends S2TestCassette {
  finish(): Promise<void>
}

/**
 * Starts the record/replay endpoint of one test. The cassette server is loaded here, on demand:
 * a worker without cassettes never loads it (nor hono, protobufjs, node:http2). In the record
 * modes it forwards to `upstream` (the test's namespace, or the real S2) with its token.
 */
export async function startTestCassette(
  cassettes: TestCassettes,
  test: TestIdentity,
  upstream: S2Environment,
  claim: { readonly claims: CassetteClaims; readonly owner: unknown },
): Promise<TestCassette> {
  const path = testCassettePath(cassettes.dir, test)
  const fullName = test.names.join(' > ')
  const owner = claim.claims.get(path)
  if (owner !== undefined && owner !== claim.owner) {
    throw new S2EmulatorError(
      'S2EMU_BAD_OPTIONS',
      `two tests of ${test.file} are named "${fullName}": their cassettes would be one file (${path}); rename one`,
    )
  }
  claim.claims.set(path, claim.owner)
  const { startCassette } = await import('../record-replay/server/cassette-server.ts')
  let server: CassetteServer
  try {
    server = await startCassette({
      path,
      mode: cassettes.mode,
      upstream: upstream.S2_ACCOUNT_ENDPOINT,
      basinUpstream: upstream.S2_BASIN_ENDPOINT,
      upstreamToken: upstream.S2_ACCESS_TOKEN,
      env: {}, // the mode variable was read already, with the options
    })
  } catch (error) {
    if ((error as { code?: unknown }).code === 'S2EMU_CASSETTE_NOT_FOUND') {
      throw new S2EmulatorError(
        'S2EMU_CASSETTE_NOT_FOUND',
        `no cassette for test "${fullName}" of ${test.file} (${path}): record it once with ${CASSETTE_MODE_ENV}=record (or record-missing)`,
        { cause: error },
      )
    }
    throw error
  }
  return {
    env: server.env,
    path,
    mode: server.mode,
    finish: async () => {
      const report = await server.stop()
      if (report.misses.length === 0) return
      const misses = report.misses.map((miss) => `- ${miss.message}`).join('\n')
      throw new S2EmulatorError(
        'S2EMU_CASSETTE_MISS',
        `the cassette of test "${fullName}" (${path}) had no answer for ${report.misses.length} request(s):\n${misses}\n` +
          `record it again with ${CASSETTE_MODE_ENV}=record (or record-missing to add what is missing)`,
      )
    },
  }
}
