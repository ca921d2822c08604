/**
 * The environment variable that sets each option of `s2-emulator serve`, for containers (service
 * containers, compose files, Testcontainers), where variables are easier to set than a command.
 * A flag given on the command line wins over its variable.
 */
export const OPTION_ENV = {
  port: 'S2E_PORT',
  host: 'S2E_HOST',
  cors: 'S2E_CORS',
  'idle-timeout': 'S2E_IDLE_TIMEOUT',
  'max-connections': 'S2E_MAX_CONNECTIONS',
  isolation: 'S2E_ISOLATION',
  clock: 'S2E_CLOCK',
  'start-time': 'S2E_START_TIME',
  'deletion-delay': 'S2E_DELETION_DELAY',
  'trim-delay': 'S2E_TRIM_DELAY',
  heartbeat: 'S2E_HEARTBEAT',
  faults: 'S2E_FAULTS',
  'fault-seed': 'S2E_FAULT_SEED',
  init: 'S2E_INIT',
  records: 'S2E_RECORDS',
  'journal-size': 'S2E_JOURNAL_SIZE',
  'journal-record-bytes': 'S2E_JOURNAL_RECORD_BYTES',
  'journal-namespace-bytes': 'S2E_JOURNAL_NAMESPACE_BYTES',
  snapshot: 'S2E_SNAPSHOT',
  persist: 'S2E_PERSIST',
  'persist-flush-interval': 'S2E_PERSIST_FLUSH_INTERVAL',
  'persist-fsync': 'S2E_PERSIST_FSYNC',
  'snapshot-dir': 'S2E_SNAPSHOT_DIR',
  'admin-token': 'S2E_ADMIN_TOKEN',
  profile: 'S2E_PROFILE',
  'root-token': 'S2E_ROOT_TOKEN',
  timing: 'S2E_TIMING',
} as const satisfies Record<string, `S2E_${string}`>

export type EnvOption = keyof typeof OPTION_ENV

/** The options that are on or off (`--x` / `--no-x`; the variable takes true or false). */
export type BooleanOption = 'cors' | 'persist-fsync'

/** The value of an option's variable; an empty one counts as unset (as compose passes `S2E_X=` for an unset one). */
export function envValue(env: NodeJS.ProcessEnv, option: EnvOption): string | undefined {
  const value = env[OPTION_ENV[option]]
  return value === undefined || value === '' ? undefined : value
}

/** `S2E_CORS`: the words a boolean variable takes. */
export function envBoolean(name: string, text: string): boolean {
  if (/^(true|1|yes|on)$/i.test(text)) return true
  if (/^(false|0|no|off)$/i.test(text)) return false
  throw new Error(`${name} must be true or false, got '${text}'`)
}
