import { parseArgs } from 'node:util'
import type { S2EmulatorOptions } from '../server/options.ts'
import { readFaultsFile } from './faults-file.ts'

export const DEFAULT_CLI_PORT = 4243

export const USAGE = `Usage: s2-emulator [serve] [options]

Runs an in-memory S2 server (the S2 v1 API, as s2-lite serves it) in the foreground.
Stop it with Ctrl-C (SIGINT) or SIGTERM.

Options:
  -p, --port <port>          TCP port to listen on; 0 picks a free one (default ${DEFAULT_CLI_PORT})
      --host <address>       interface to bind (default 127.0.0.1, loopback only)
      --no-cors              do not send the permissive CORS headers s2-lite sends by default
      --isolation <mode>     'token': each bearer token gets its own account; 'none' (default):
                             tokens are ignored, as in s2-lite
      --clock <mode>         'system' (default) or 'virtual': time stands still until the admin
                             API moves it (see /_emulator/clock)
      --start-time <time>    the clock's time at start, ISO 8601 or ms since the epoch
      --deletion-delay <ms>  how long deleted basins and streams stay listed, blocking their
                             names, before they are purged (default 100)
      --trim-delay <ms>      how long after a trim command its records leave new reads (open
                             read sessions still deliver them) (default 100)
      --heartbeat <ms>       interval between heartbeats of idle read sessions: one number, or
                             min-max to draw each at random (default 5000-15000)
      --faults <file>        arm the fault rules in a JSON file at start: an array of rules, or
                             {"seed": N, "rules": [...]} (see the README)
      --fault-seed <n>       seed of fault probabilities and latency ranges (default random;
                             printed at start, so a run can be replayed)
      --init <file>          create the basins and streams of an s2-lite init file (JSON) at
                             start, ensuring each; also --init-file, or the S2LITE_INIT_FILE
                             environment variable, as s2-lite takes it
      --records <file>       append the records of a .json (array) or .ndjson file at start,
                             after --init; repeatable, applied in order (see the README)
      --journal-size <n>     requests and sessions the request journal keeps per namespace;
                             0 turns it off (default 1000)
      --snapshot <file>      start with the state of a snapshot file (written by the admin
                             API's export, or by --persist)
      --persist <dir>        keep the state on disk across restarts (like s2-lite's
                             --local-root): load <dir>/state.s2snap at start, write it on
                             SIGINT/SIGTERM; --snapshot then seeds only an empty <dir>
      --snapshot-dir <dir>   the only directory the admin API may export snapshot files to and
                             import them from by path (default none: files move as bytes, by
                             download and upload)
      --admin-token <token>  require this token (Authorization: Bearer <token>) on every admin
                             API request (default none)
  -h, --help                 show this help and exit
  -v, --version              print the version and exit

Point the S2 SDKs and the s2 CLI at it with the three export lines it prints on start.

Record, replay and verify real S2 traffic: s2-emulator record|replay|verify --help`

export type CliCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'serve'; options: S2EmulatorOptions }

/** Raised for a bad command line; the message says what is wrong. */
export class UsageError extends Error {}

function integer(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got '${text}'`)
  }
  return Number(text)
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      allowNegative: true,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        cors: { type: 'boolean' },
        isolation: { type: 'string' },
        clock: { type: 'string' },
        'start-time': { type: 'string' },
        'deletion-delay': { type: 'string' },
        'trim-delay': { type: 'string' },
        heartbeat: { type: 'string' },
        faults: { type: 'string' },
        'fault-seed': { type: 'string' },
        snapshot: { type: 'string' },
        persist: { type: 'string' },
        'snapshot-dir': { type: 'string' },
        'admin-token': { type: 'string' },
        'journal-size': { type: 'string' },
        init: { type: 'string' },
        'init-file': { type: 'string' },
        records: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  const [verb, ...rest] = positionals
  if ((verb !== undefined && verb !== 'serve') || rest.length > 0) {
    throw new UsageError(`unknown command '${positionals.join(' ')}': the only command is 'serve' (the default)`)
  }
  const options: S2EmulatorOptions = {
    port: values.port === undefined ? DEFAULT_CLI_PORT : integer('port', values.port, 0, 65535),
  }
  if (values.host !== undefined) options.host = values.host
  if (values.cors === false) options.cors = false
  if (values.isolation !== undefined) {
    if (values.isolation !== 'none' && values.isolation !== 'token') {
      throw new UsageError(`--isolation must be 'none' or 'token', got '${values.isolation}'`)
    }
    options.isolation = values.isolation
  }
  if (values.clock !== undefined) {
    if (values.clock !== 'system' && values.clock !== 'virtual') {
      throw new UsageError(`--clock must be 'system' or 'virtual', got '${values.clock}'`)
    }
    options.clock = values.clock
  }
  if (values['start-time'] !== undefined) {
    const text = values['start-time']
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
    if (!Number.isFinite(ms)) throw new UsageError(`--start-time must be an ISO 8601 time or ms since the epoch, got '${text}'`)
    options.startTime = ms
  }
  if (values['deletion-delay'] !== undefined) {
    options.deletionDelayMs = integer('deletion-delay', values['deletion-delay'], 0, 2 ** 31 - 1)
  }
  if (values['trim-delay'] !== undefined) {
    options.trimDelayMs = integer('trim-delay', values['trim-delay'], 0, 2 ** 31 - 1)
  }
  if (values.heartbeat !== undefined) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(values.heartbeat)
    if (!match) throw new UsageError(`--heartbeat must be milliseconds, like 1000 or 5000-15000; got '${values.heartbeat}'`)
    const min = integer('heartbeat', match[1] as string, 1, 2 ** 31 - 1)
    const max = match[2] === undefined ? min : integer('heartbeat', match[2], min, 2 ** 31 - 1)
    options.heartbeatMs = [min, max]
  }
  if (values.faults !== undefined) {
    let file
    try {
      file = readFaultsFile(values.faults)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
    options.faults = file.rules
    if (file.seed !== undefined) options.faultSeed = file.seed
  }
  if (values['fault-seed'] !== undefined) options.faultSeed = integer('fault-seed', values['fault-seed'], 0, 4294967295)
  if (values.init !== undefined && values['init-file'] !== undefined) {
    throw new UsageError('--init and --init-file are the same option: give one of them')
  }
  const init = values.init ?? values['init-file'] ?? (env.S2LITE_INIT_FILE || undefined)
  if (init !== undefined) options.init = init
  if (values.records !== undefined) options.records = values.records
  if (values['journal-size'] !== undefined) options.journalSize = integer('journal-size', values['journal-size'], 0, 10_000_000)
  if (values.snapshot !== undefined) options.snapshotFile = values.snapshot
  if (values.persist !== undefined) options.persistDir = values.persist
  if (values['snapshot-dir'] !== undefined) options.snapshotDir = values['snapshot-dir']
  if (values['admin-token'] !== undefined) options.adminToken = values['admin-token']
  return { kind: 'serve', options }
}
