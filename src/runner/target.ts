import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/**
 * What the tests of a run talk to, as the runner's main process hands it to its workers (vitest's
 * `provide`, jest's environment variables): plain, serialisable data.
 */
export type RunTarget = EmulatorTarget | RealS2Target

/** An emulator (started for the run, or one already running): each test gets a namespace of it. */
export interface EmulatorTarget {
  readonly kind: 'emulator'
  /** Base URL of the emulator. */
  readonly url: string
  /** Its admin token, when it has one. */
  readonly adminToken?: string | undefined
}

/** A real S2 (s2.dev, or s2-lite): each test gets a basin of its own, deleted after it; emulator controls skip the test. */
export interface RealS2Target {
  readonly kind: 'real'
  readonly accountEndpoint: string
  readonly basinEndpoint: string
  readonly accessToken: string
}

/** Where a run's tests go: `'emulator'` (the default) or `'real'` (the S2 that `S2_*` variables name). */
export type TargetKind = RunTarget['kind']

/**
 * Environment variables the integrations read in the runner's main process:
 * `S2_EMULATOR_TARGET` (`emulator` or `real`), `S2_EMULATOR_URL` and `S2_EMULATOR_ADMIN_TOKEN`
 * (an emulator already running: a container, a CI service), and for a real S2 the variables its
 * SDKs read, `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN`.
 */
export const TARGET_ENV = {
  target: 'S2_EMULATOR_TARGET',
  url: 'S2_EMULATOR_URL',
  adminToken: 'S2_EMULATOR_ADMIN_TOKEN',
} as const

/** s2.dev's endpoints, as the SDK defaults to them. */
const S2_DEV = { account: 'https://a.s2.dev', basin: 'https://{basin}.b.s2.dev' } as const

/** The kind of target: the option if given, else `S2_EMULATOR_TARGET`, else `'emulator'`. */
export function targetKind(option: TargetKind | undefined, env: NodeJS.ProcessEnv): TargetKind {
  const value = option ?? (env[TARGET_ENV.target] || 'emulator')
  if (value === 'emulator' || value === 'real') return value
  throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `${TARGET_ENV.target} is "${value}"; use "emulator" (the default) or "real"`)
}

/** The real S2 that `S2_ACCESS_TOKEN` and the endpoint variables name (s2.dev when no endpoint is set). */
export function realTargetFromEnv(env: NodeJS.ProcessEnv): RealS2Target {
  const accessToken = env.S2_ACCESS_TOKEN
  if (!accessToken) {
    throw new S2EmulatorError(
      'S2EMU_BAD_OPTIONS',
      'the run targets a real S2 but S2_ACCESS_TOKEN is not set; set it (and S2_ACCOUNT_ENDPOINT and S2_BASIN_ENDPOINT for s2-lite), or unset S2_EMULATOR_TARGET to use the emulator',
    )
  }
  return {
    kind: 'real',
    accountEndpoint: env.S2_ACCOUNT_ENDPOINT || S2_DEV.account,
    basinEndpoint: env.S2_BASIN_ENDPOINT || S2_DEV.basin,
    accessToken,
  }
}

/** The emulator that `S2_EMULATOR_URL` names, if it is set. */
export function emulatorTargetFromEnv(env: NodeJS.ProcessEnv): EmulatorTarget | undefined {
  const url = env[TARGET_ENV.url]
  if (!url) return undefined
  return { kind: 'emulator', url: url.replace(/\/+$/, ''), adminToken: env[TARGET_ENV.adminToken] || undefined }
}
