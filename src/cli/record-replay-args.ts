import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CASSETTE_MODES, CASSETTE_MODE_ENV, type CassetteMode, type CassetteOptions } from '../record-replay/options.ts'
import type { VerifyOptions } from '../record-replay/verify/verify.ts'
import { UsageError } from './args.ts'

export const DEFAULT_RECORD_REPLAY_PORT = 4243

/** Environment variable read for the upstream token when `--upstream-token` is not given. */
export const UPSTREAM_TOKEN_ENV = 'S2_EMULATOR_UPSTREAM_TOKEN'

export const RECORD_REPLAY_USAGE = `Usage: s2-emulator record --upstream <url> --cassette <file> [options]
       s2-emulator replay --cassette <file> [options]
       s2-emulator verify --cassette <file> [options]

record   serves a local S2 endpoint that forwards everything to the upstream and records it
replay   serves a cassette back: no network, no credentials
verify   sends a cassette's requests to an emulator and reports where its answers differ
         (exit code 1 if any does)

record and replay:
      --cassette <file>          the cassette (.json, or .json.gz to compress it)
      --mode <mode>              ${CASSETTE_MODES.join(' | ')} (record's default: record,
                                 replay's: replay); the ${CASSETTE_MODE_ENV} environment
                                 variable overrides it, so CI can set it to replay
      --upstream <url>           the account endpoint to record from: https://a.s2.dev, or an
                                 s2-lite's http://host:port
      --basin-upstream <url>     the basin endpoint, possibly with {basin}:
                                 https://{basin}.b.s2.dev (default: --upstream)
      --upstream-token <token>   access token sent upstream in place of the client's (default:
                                 the ${UPSTREAM_TOKEN_ENV} environment variable; else the
                                 client's own token is forwarded)
      --ca <file>                PEM certificate(s) to trust for an https:// upstream
      --redact-header <name>     redact this header too (authorization and s2-encryption-key
                                 always are); repeatable
      --redact-field <name>      redact this JSON field (a name anywhere, or a dotted path);
                                 repeatable
      --timing <pace>            replay pace: fast (default), recorded, or a factor on the
                                 recorded gaps (0.5 = half of them)
      --allow-repeats            replay the last matching exchange again once all were used
  -p, --port <port>              local port; 0 picks a free one (default ${DEFAULT_RECORD_REPLAY_PORT})
      --host <address>           interface to bind (default 127.0.0.1)

verify:
      --cassette <file>          the cassette to verify
      --url <url>                the emulator to verify against (default: a fresh one in-process)
      --token <token>            bearer token sent on every request; with --isolation token it
                                 picks the namespace (default verify)
      --header <name=value>      value for a redacted request header, e.g. s2-encryption-key;
                                 repeatable
      --ignore <field>           a field name whose values are not compared; repeatable
      --slack <ms>               how long past its recorded duration a session may run (default 5000)
      --json                     print the report as JSON

Stop record and replay with Ctrl-C (SIGINT) or SIGTERM: record saves the cassette then, and
replay lists the requests it had no answer for (and exits with code 1 if there were any).`

export type RecordReplayCommand =
  | { kind: 'help' }
  | { kind: 'serve'; verb: 'record' | 'replay'; options: CassetteOptions & { port: number } }
  | { kind: 'verify'; options: VerifyOptions; json: boolean }

const readPem = (file: string): string => {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`--ca: cannot read ${file}: ${(error as Error).message}`)
  }
}

/** Parses `record`, `replay` or `verify` and their flags (argv starts after the verb). */
export function parseRecordReplayCli(
  verb: 'record' | 'replay' | 'verify',
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): RecordReplayCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        cassette: { type: 'string' },
        mode: { type: 'string' },
        upstream: { type: 'string' },
        'basin-upstream': { type: 'string' },
        'upstream-token': { type: 'string' },
        ca: { type: 'string', multiple: true },
        'redact-header': { type: 'string', multiple: true },
        'redact-field': { type: 'string', multiple: true },
        timing: { type: 'string' },
        'allow-repeats': { type: 'boolean' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        header: { type: 'string', multiple: true },
        ignore: { type: 'string', multiple: true },
        slack: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const v = parsed.values
  if (v.help) return { kind: 'help' }
  const only = (names: readonly (keyof typeof v)[], where: string): void => {
    const wrong = names.filter((n) => v[n] !== undefined)
    if (wrong.length > 0) throw new UsageError(`${wrong.map((n) => `--${n}`).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not an option of '${where}'`)
  }
  if (v.cassette === undefined && verb !== 'record') throw new UsageError(`'${verb}' needs --cassette <file>`)

  if (verb === 'verify') {
    only(['mode', 'upstream', 'basin-upstream', 'upstream-token', 'redact-header', 'redact-field', 'timing', 'allow-repeats', 'port', 'host'], 'verify')
    const headers: Record<string, string> = {}
    for (const pair of v.header ?? []) {
      const eq = pair.indexOf('=')
      if (eq <= 0) throw new UsageError(`--header must be name=value, got '${pair}'`)
      headers[pair.slice(0, eq).trim().toLowerCase()] = pair.slice(eq + 1)
    }
    let slackMs: number | undefined
    if (v.slack !== undefined) {
      if (!/^\d+$/.test(v.slack)) throw new UsageError(`--slack must be milliseconds, got '${v.slack}'`)
      slackMs = Number(v.slack)
    }
    const options: VerifyOptions = {
      cassette: v.cassette as string,
      ...(v.url !== undefined ? { url: v.url } : {}),
      ...(v.token !== undefined ? { token: v.token } : {}),
      headers,
      ignore: v.ignore ?? [],
      ...(slackMs !== undefined ? { slackMs } : {}),
      ...(v.ca ? { ca: v.ca.map(readPem) } : {}),
    }
    return { kind: 'verify', options, json: v.json ?? false }
  }

  only(['url', 'token', 'header', 'ignore', 'slack', 'json'], verb)
  const mode = v.mode ?? (verb === 'record' ? 'record' : 'replay')
  if (!(CASSETTE_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${CASSETTE_MODES.join(', ')}; got '${mode}'`)
  if (verb === 'record' && v.upstream === undefined) throw new UsageError("'record' needs --upstream <url> (the S2 account endpoint to record from)")
  let port = DEFAULT_RECORD_REPLAY_PORT
  if (v.port !== undefined) {
    if (!/^\d+$/.test(v.port) || Number(v.port) > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got '${v.port}'`)
    port = Number(v.port)
  }
  let timing: CassetteOptions['timing']
  if (v.timing !== undefined) {
    if (v.timing === 'fast' || v.timing === 'recorded') timing = v.timing
    else if (/^\d+(\.\d+)?$/.test(v.timing)) timing = Number(v.timing)
    else throw new UsageError(`--timing must be fast, recorded or a factor like 0.5; got '${v.timing}'`)
  }
  const upstreamToken = v['upstream-token'] ?? (env[UPSTREAM_TOKEN_ENV] || undefined)
  const options: CassetteOptions & { port: number } = {
    ...(v.cassette !== undefined ? { path: v.cassette } : {}),
    mode: mode as CassetteMode,
    ...(v.upstream !== undefined ? { upstream: v.upstream } : {}),
    ...(v['basin-upstream'] !== undefined ? { basinUpstream: v['basin-upstream'] } : {}),
    ...(upstreamToken !== undefined ? { upstreamToken } : {}),
    ...(v.ca ? { ca: v.ca.map(readPem) } : {}),
    redact: { headers: v['redact-header'] ?? [], jsonFields: v['redact-field'] ?? [] },
    ...(timing !== undefined ? { timing } : {}),
    ...(v['allow-repeats'] ? { allowRepeats: true } : {}),
    port,
    ...(v.host !== undefined ? { host: v.host } : {}),
    env,
  }
  return { kind: 'serve', verb, options }
}
