import { parseArgs } from 'node:util'
import type { S2EmulatorOptions } from '../server/options.ts'
import { envBoolean, envValue, OPTION_ENV, type BooleanOption, type EnvOption } from './env.ts'
import { readFaultsFile } from './faults-file.ts'
import { parseTimingFlag } from '../server/timing/index.ts'

export const DEFAULT_CLI_PORT = 4243

export const USAGE = `Usage: s2-emulator [serve] [options]

Runs an in-memory S2 server (the S2 v1 API, as s2-lite serves it) in the foreground.
Stop it with Ctrl-C (SIGINT) or SIGTERM.

Options:
  -p, --port <port>          TCP port to listen on; 0 picks a free one (default ${DEFAULT_CLI_PORT})
      --host <address>       interface to bind (default 127.0.0.1, loopback only)
      --no-cors              do not send the permissive CORS headers s2-lite sends by default
      --idle-timeout <ms>    close connections silent this long before sending a whole request
                             (or HTTP/2 ones with no request open); sessions are never cut
                             (default 30000)
      --max-connections <n>  connections open at once; more are closed at once (default 4096)
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
      --timing <spec>        how long S2's work takes: 'instant' (default), 'lite' (s2-lite in
                             memory: appends acknowledged, and readable, at the next 5 ms
                             flush), 'cloud' (s2.dev's latencies per storage class); then
                             settings: flush=MS, commit=, ack=, read=, deliver= (MS or MIN-MAX),
                             jitter=MS, seed=N, e.g. 'lite,flush=10' or 'instant,jitter=3,seed=7';
                             also the S2E_TIMING environment variable
      --journal-size <n>     requests and sessions the request journal keeps per namespace;
                             0 turns it off (default 1000)
      --journal-record-bytes <n>
                             bytes of appended records (bodies and headers) the journal keeps
                             per entry; 0 keeps none (default 65536)
      --journal-namespace-bytes <n>
                             bytes of appended records the journal keeps per namespace; past
                             it the oldest entries lose theirs (default 16777216)
      --snapshot <file>      start with the state of a snapshot file (written by the admin
                             API's export, or by --persist)
      --persist <dir>        keep the state on disk across restarts (like s2-lite's
                             --local-root): every change goes to a log in <dir> and is
                             acknowledged once on disk, so a crash loses nothing acknowledged;
                             --snapshot then seeds only an empty <dir>
      --persist-flush-interval <ms>
                             how long the first change of a group waits for more before the
                             group is written and fsynced (default 5, as s2-lite)
      --no-persist-fsync     acknowledge changes once written to the OS, without fsync: faster,
                             survives a crash of the emulator but not of the machine
      --snapshot-dir <dir>   the only directory the admin API may export snapshot files to and
                             import them from by path (default none: files move as bytes, by
                             download and upload)
      --admin-token <token>  require this token (Authorization: Bearer <token>) on every admin
                             API request (default none)
      --profile <profile>    'lite' (default): s2-lite's behaviour exactly; 'cloud': the s2.dev
                             service's where it differs (access tokens enforced, metrics,
                             locations, its defaults); also S2E_PROFILE
      --root-token <token>   cloud profile: the root token, printed as S2_ACCESS_TOKEN (default
                             a new random one); also S2E_ROOT_TOKEN
  -h, --help                 show this help and exit
  -v, --version              print the version and exit

Every option but --help and --version can also be set by an environment variable, for
containers: S2E_ and the option's name in capitals, - as _ (S2E_PORT, S2E_HOST, S2E_CORS=false,
S2E_IDLE_TIMEOUT, S2E_MAX_CONNECTIONS, S2E_ISOLATION, S2E_CLOCK, S2E_START_TIME,
S2E_DELETION_DELAY, S2E_TRIM_DELAY, S2E_HEARTBEAT, S2E_FAULTS, S2E_FAULT_SEED, S2E_INIT,
S2E_RECORDS (paths separated by commas), S2E_JOURNAL_SIZE, S2E_JOURNAL_RECORD_BYTES,
S2E_JOURNAL_NAMESPACE_BYTES, S2E_SNAPSHOT, S2E_PERSIST, S2E_PERSIST_FLUSH_INTERVAL,
S2E_PERSIST_FSYNC=false, S2E_SNAPSHOT_DIR, S2E_ADMIN_TOKEN, S2E_PROFILE, S2E_ROOT_TOKEN,
S2E_TIMING). A flag
on the command line wins over its variable; an empty variable counts as unset.

Point the S2 SDKs and the s2 CLI at it with the three export lines it prints on start.

Record, replay and verify real S2 traffic: s2-emulator record|replay|verify --help`

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  /** `fromEnv`: the variables that set options (name to value), for messages. */
  | { kind: 'serve'; options: S2EmulatorOptions; fromEnv: Readonly<Record<string, string>> }

/** Raised for a bad command line; the message says what is wrong. */
export class UsageError extends Error {}

/** `label` is the flag (`--port`) or the variable (`S2E_PORT`) the text came from. */
function integer(label: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${label} must be an integer from ${min} to ${max}, got '${text}'`)
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
        'idle-timeout': { type: 'string' },
        'max-connections': { type: 'string' },
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
        'persist-flush-interval': { type: 'string' },
        'persist-fsync': { type: 'boolean' },
        profile: { type: 'string' },
        'root-token': { type: 'string' },
        'journal-size': { type: 'string' },
        timing: { type: 'string' },
        'journal-record-bytes': { type: 'string' },
        'journal-namespace-bytes': { type: 'string' },
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
  // Each option from its flag, else from its variable (OPTION_ENV); `label` names the one used in errors.
  const flagged = values as Partial<Record<EnvOption, string | boolean | string[]>>
  const applied: Record<string, string> = {}
  const pick = (option: Exclude<EnvOption, BooleanOption | 'records' | 'init'>): { text: string; label: string } | undefined => {
    const flag = flagged[option]
    if (typeof flag === 'string') return { text: flag, label: `--${option}` }
    const text = envValue(env, option)
    if (text === undefined) return undefined
    applied[OPTION_ENV[option]] = text
    return { text, label: OPTION_ENV[option] }
  }
  const port = pick('port')
  const options: S2EmulatorOptions = {
    port: port === undefined ? DEFAULT_CLI_PORT : integer(port.label, port.text, 0, 65535),
  }
  // A boolean option: its --flag / --no-flag, else its variable (true or false).
  const flag = (option: BooleanOption): boolean | undefined => {
    const given = flagged[option]
    if (typeof given === 'boolean') return given
    const text = envValue(env, option)
    if (text === undefined) return undefined
    applied[OPTION_ENV[option]] = text
    try {
      return envBoolean(OPTION_ENV[option], text)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  }
  const host = pick('host')
  if (host !== undefined) options.host = host.text
  if (flag('cors') === false) options.cors = false
  const idleTimeout = pick('idle-timeout')
  if (idleTimeout !== undefined) options.idleTimeoutMs = integer(idleTimeout.label, idleTimeout.text, 1, 2 ** 31 - 1)
  const maxConnections = pick('max-connections')
  if (maxConnections !== undefined) options.maxConnections = integer(maxConnections.label, maxConnections.text, 1, 1_000_000)
  const isolation = pick('isolation')
  if (isolation !== undefined) {
    if (isolation.text !== 'none' && isolation.text !== 'token') {
      throw new UsageError(`${isolation.label} must be 'none' or 'token', got '${isolation.text}'`)
    }
    options.isolation = isolation.text
  }
  const clock = pick('clock')
  if (clock !== undefined) {
    if (clock.text !== 'system' && clock.text !== 'virtual') {
      throw new UsageError(`${clock.label} must be 'system' or 'virtual', got '${clock.text}'`)
    }
    options.clock = clock.text
  }
  const startTime = pick('start-time')
  if (startTime !== undefined) {
    const { text, label } = startTime
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
    if (!Number.isFinite(ms)) throw new UsageError(`${label} must be an ISO 8601 time or ms since the epoch, got '${text}'`)
    options.startTime = ms
  }
  const deletionDelay = pick('deletion-delay')
  if (deletionDelay !== undefined) options.deletionDelayMs = integer(deletionDelay.label, deletionDelay.text, 0, 2 ** 31 - 1)
  const trimDelay = pick('trim-delay')
  if (trimDelay !== undefined) options.trimDelayMs = integer(trimDelay.label, trimDelay.text, 0, 2 ** 31 - 1)
  const heartbeat = pick('heartbeat')
  if (heartbeat !== undefined) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(heartbeat.text)
    if (!match) throw new UsageError(`${heartbeat.label} must be milliseconds, like 1000 or 5000-15000; got '${heartbeat.text}'`)
    const min = integer(heartbeat.label, match[1] as string, 1, 2 ** 31 - 1)
    const max = match[2] === undefined ? min : integer(heartbeat.label, match[2], min, 2 ** 31 - 1)
    options.heartbeatMs = [min, max]
  }
  const faults = pick('faults')
  if (faults !== undefined) {
    let file
    try {
      file = readFaultsFile(faults.text)
    } catch (error) {
      throw new UsageError(`${faults.label}: ${(error as Error).message}`)
    }
    options.faults = file.rules
    if (file.seed !== undefined) options.faultSeed = file.seed
  }
  const faultSeed = pick('fault-seed')
  if (faultSeed !== undefined) options.faultSeed = integer(faultSeed.label, faultSeed.text, 0, 4294967295)
  if (values.init !== undefined && values['init-file'] !== undefined) {
    throw new UsageError('--init and --init-file are the same option: give one of them')
  }
  const initFlag = values.init ?? values['init-file']
  if (initFlag !== undefined) options.init = initFlag
  else {
    // S2E_INIT, else s2-lite's own variable.
    const name = envValue(env, 'init') !== undefined ? OPTION_ENV.init : env.S2LITE_INIT_FILE ? 'S2LITE_INIT_FILE' : undefined
    if (name !== undefined) options.init = applied[name] = env[name] as string
  }
  if (values.records !== undefined) options.records = values.records
  else if (envValue(env, 'records') !== undefined) {
    const text = envValue(env, 'records') as string
    applied[OPTION_ENV.records] = text
    options.records = text.split(',').filter((path) => path !== '')
  }
  const journalSize = pick('journal-size')
  if (journalSize !== undefined) options.journalSize = integer(journalSize.label, journalSize.text, 0, 10_000_000)
  const journalRecordBytes = pick('journal-record-bytes')
  if (journalRecordBytes !== undefined) options.journalRecordBytes = integer(journalRecordBytes.label, journalRecordBytes.text, 0, Number.MAX_SAFE_INTEGER)
  const journalNamespaceBytes = pick('journal-namespace-bytes')
  if (journalNamespaceBytes !== undefined) {
    options.journalNamespaceBytes = integer(journalNamespaceBytes.label, journalNamespaceBytes.text, 0, Number.MAX_SAFE_INTEGER)
  }
  const snapshot = pick('snapshot')
  if (snapshot !== undefined) options.snapshotFile = snapshot.text
  const persist = pick('persist')
  if (persist !== undefined) options.persistDir = persist.text
  const snapshotDir = pick('snapshot-dir')
  if (snapshotDir !== undefined) options.snapshotDir = snapshotDir.text
  const adminToken = pick('admin-token')
  if (adminToken !== undefined) options.adminToken = adminToken.text
  const flushInterval = pick('persist-flush-interval')
  if (flushInterval !== undefined) options.persistFlushIntervalMs = integer(flushInterval.label, flushInterval.text, 0, 60_000)
  const fsync = flag('persist-fsync')
  if (fsync !== undefined) options.persistFsync = fsync
  if ((options.persistFlushIntervalMs !== undefined || options.persistFsync !== undefined) && options.persistDir === undefined) {
    throw new UsageError('--persist-flush-interval and --no-persist-fsync apply to --persist <dir>: give it too')
  }
  const profile = pick('profile')
  if (profile !== undefined) {
    if (profile.text !== 'lite' && profile.text !== 'cloud') throw new UsageError(`${profile.label} must be 'lite' or 'cloud', got '${profile.text}'`)
    options.profile = profile.text
  }
  const rootToken = pick('root-token')
  if (rootToken !== undefined) {
    if (options.profile !== 'cloud') throw new UsageError(`${rootToken.label} needs --profile cloud (the lite profile ignores tokens, as s2-lite)`)
    if (!/^[\x21-\x7e]{1,512}$/.test(rootToken.text)) throw new UsageError(`${rootToken.label} must be 1 to 512 printable ASCII characters without spaces`)
    options.rootToken = rootToken.text
  }
  const timing = pick('timing')
  if (timing !== undefined) {
    try {
      options.timing = parseTimingFlag(timing.text)
    } catch (error) {
      throw new UsageError(`${timing.label}: ${(error as Error).message}`)
    }
  }
  return { kind: 'serve', options, fromEnv: applied }
}
