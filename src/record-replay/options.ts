import { S2EmulatorError } from '../server/errors/index.ts'
import { redactionRules } from './cassette/redact.ts'
import type { RedactionRules } from './cassette/types.ts'
import { timingScale, type ReplayTiming } from './server/timing.ts'
import { endpointProblem, type UpstreamEndpoints } from './upstream/endpoints.ts'
import { CASSETTE_MODE_ENV, CASSETTE_MODES, isCassetteMode as isMode, type CassetteMode } from './modes.ts'

// The modes live in a module of their own, with no dependencies: the runner integrations read them in test workers.
export { CASSETTE_MODE_ENV, CASSETTE_MODES, type CassetteMode } from './modes.ts'

export interface CassetteOptions {
  /** The cassette file; `.gz` for a gzip-compressed one. Needed in every mode but `passthrough`. */
  path?: string
  /** What to do with requests (see {@link CassetteMode}); the `S2_EMULATOR_CASSETTE_MODE` variable overrides it. [default 'replay'] */
  mode?: CassetteMode
  /** The account endpoint to record from (`https://a.s2.dev`, or an s2-lite's `http://host:port`). Needed to record. */
  upstream?: string
  /** The basin endpoint, possibly a template with `{basin}` (`https://{basin}.b.s2.dev`). [default: `upstream`] */
  basinUpstream?: string
  /** Certificate authorities (PEM) to trust for an `https://` upstream, besides the system's. */
  ca?: string | Buffer | readonly (string | Buffer)[]
  /** The access token to send upstream in place of the client's, so tests can use a dummy token. */
  upstreamToken?: string
  /** Headers and JSON fields to redact besides `authorization`, `s2-encryption-key` and `access_token`. */
  redact?: { headers?: readonly string[]; jsonFields?: readonly string[] }
  /** Pace of replayed sessions and answers: `fast`, `recorded`, or a factor on the recorded gaps. [default 'fast'] */
  timing?: ReplayTiming
  /** Replay the last matching exchange again once every match was used, instead of a miss. [default false] */
  allowRepeats?: boolean
  /** TCP port of the local endpoint; 0 picks a free one. [default 0] */
  port?: number
  /** Interface to bind. [default '127.0.0.1'] */
  host?: string
  /** Where `S2_EMULATOR_CASSETTE_MODE` is read from. [default process.env] */
  env?: Readonly<Record<string, string | undefined>>
}

export interface ResolvedCassetteOptions {
  readonly path: string | undefined
  readonly mode: CassetteMode
  readonly endpoints: UpstreamEndpoints | undefined
  readonly ca: CassetteOptions['ca']
  readonly upstreamToken: string | undefined
  readonly rules: RedactionRules
  readonly scale: number
  readonly allowRepeats: boolean
  readonly port: number
  readonly host: string
}

/** Checks the options once, listing every problem, and applies the defaults and the mode variable. */
export function resolveCassetteOptions(options: CassetteOptions): ResolvedCassetteOptions {
  const problems: string[] = []
  const fromEnv = (options.env ?? process.env)[CASSETTE_MODE_ENV]?.trim()
  let mode: CassetteMode = options.mode ?? 'replay'
  if (options.mode !== undefined && !isMode(options.mode)) problems.push(`mode must be one of ${CASSETTE_MODES.join(', ')}; got '${options.mode}'`)
  if (fromEnv) {
    if (isMode(fromEnv)) mode = fromEnv
    else problems.push(`${CASSETTE_MODE_ENV} must be one of ${CASSETTE_MODES.join(', ')}; got '${fromEnv}'`)
  }
  const records = mode === 'record' || mode === 'record-missing' || mode === 'passthrough'
  if (mode !== 'passthrough' && !options.path) problems.push(`mode '${mode}' needs a cassette path`)
  if (records && !options.upstream) problems.push(`mode '${mode}' needs an upstream (the S2 account endpoint to record from)`)
  for (const [name, endpoint] of [['upstream', options.upstream], ['basinUpstream', options.basinUpstream]] as const) {
    const problem = endpoint === undefined ? null : endpointProblem(endpoint)
    if (problem) problems.push(`${name}: ${problem}`)
  }
  let scale = 0
  try {
    scale = timingScale(options.timing ?? 'fast')
  } catch (error) {
    problems.push((error as Error).message)
  }
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be an integer from 0 to 65535; got ${port}`)
  if (problems.length > 0) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `bad cassette options: ${problems.join('; ')}`)
  return Object.freeze({
    path: options.path,
    mode,
    endpoints: options.upstream ? { account: options.upstream, ...(options.basinUpstream ? { basin: options.basinUpstream } : {}) } : undefined,
    ca: options.ca,
    upstreamToken: options.upstreamToken,
    rules: redactionRules(options.redact),
    scale,
    allowRepeats: options.allowRepeats ?? false,
    port,
    host: options.host ?? '127.0.0.1',
  })
}
