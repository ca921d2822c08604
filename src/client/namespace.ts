import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { NamespaceInfo } from '../server/namespaces/controls.ts'
import type { StreamRecordsPage } from '../server/namespaces/stream-records.ts'
import type { InitResult, InitSpec } from '../server/seed/init-file.ts'
import { accessTokensClient, type AccessTokensClient } from './access-tokens.ts'
import { faultsClient, type FaultsClient } from './faults.ts'
import { adminCall, type AdminTarget } from './http.ts'
import { inspectStream, type InspectOptions, type StreamReference } from './inspect.ts'
import { journalClient, type JournalClient } from './journal.ts'
import { applyInit } from './seed.ts'
import { clockClient, reset, snapshotsClient, type ClockClient, type ResetScope, type SnapshotsClient } from './state.ts'
import { timingClient, type TimingClient } from './timing.ts'
import type { TimingInput } from '../server/timing/profile.ts'

/** The environment variables that point the S2 SDKs and the `s2` CLI at an emulator (or one of its namespaces). */
export interface S2Environment {
  readonly S2_ACCOUNT_ENDPOINT: string
  readonly S2_BASIN_ENDPOINT: string
  readonly S2_ACCESS_TOKEN: string
}

/** Options of `createNamespace`. */
export interface NamespaceOptions {
  /** A label for people reading listings (e.g. the test's name); not an identifier. [default none] */
  label?: string
  /** The bearer token that enters it. [default a new unguessable one] */
  token?: string
  /** Seed of the namespace's own fault generator. [default random, reported by `faults.seed()`] */
  faultSeed?: number
  /**
   * Its timing profile (`'lite'`, `'cloud'`, a spec with jitter and a seed...); see `timing.set`.
   * [default the emulator's timing]
   */
  timing?: TimingInput
}

/**
 * A namespace: a private emulator inside a shared one. Its token is what the code under test
 * sends; its controls act on it alone: its fault rules match only its requests, its clock moves
 * only its time, its snapshots and journal are its own.
 */
export interface S2Namespace {
  /** The name the admin API, the journal and snapshots know it by (a digest of the token, never the token). */
  readonly name: string
  /** The bearer token that enters it. */
  readonly token: string
  /** Base URL of the emulator (the SDK appends `/v1`). */
  readonly url: string
  /** `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN` for this namespace. */
  readonly env: S2Environment
  /** Its fault rules: they match only its requests; its own seed. */
  readonly faults: FaultsClient
  /** Its clock: it follows the emulator's until frozen, set or advanced here, then moves alone. */
  readonly clock: ClockClient
  /** Its named snapshots (names are its own): take, restore, export, import, ... */
  readonly snapshots: SnapshotsClient
  /** Its requests and sessions. */
  readonly journal: JournalClient
  /** Cloud profile: the access tokens issued in it, listed by id and revoked (never shown). */
  readonly accessTokens: AccessTokensClient
  /** Its timing: the emulator's until it sets its own (`lite`, `cloud`, jitter with a seed...). */
  readonly timing: TimingClient
  /**
   * Removes its state at once: everything (data, rules, journal; not its clock or snapshots), or
   * `{ basin }` or `{ basin, stream }` (and the rules naming exactly that basin or stream).
   */
  reset(scope?: ResetScope): Promise<void>
  /** Ensures the basins and streams of an init spec in this namespace. */
  init(spec: InitSpec): Promise<InitResult>
  /** Its basins, streams, rules, snapshots and clock, as the admin API lists them. */
  info(): Promise<NamespaceInfo>
  /**
   * A page of one of its streams' records, looked at without touching: no fault rule applies, the
   * journal does not record it, no key is needed, no stream is created. (`s2-emulator/matchers`
   * reads `{ basin, stream }` references this way.)
   */
  inspectStream(ref: StreamReference, options?: InspectOptions): Promise<StreamRecordsPage>
  /**
   * Forgets it: data, rules and seed, clock, snapshots, journal. The token enters a fresh
   * namespace if it is used again. Safe to call twice.
   */
  drop(): Promise<void>
  /** `await using ns = await emulator.createNamespace()` drops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
}

/** The header a namespace handle sends, so the emulator knows its token before the token's first request. */
const TOKEN_HEADER = 's2-namespace-token'

/** The handle of the namespace `name`, entered by `token`, on an emulator. */
export function namespaceHandle(emulator: AdminTarget, url: string, name: string, token: string): S2Namespace {
  const target: AdminTarget = {
    ...emulator,
    prefix: `/_emulator/namespaces/${name}`,
    headers: { ...emulator.headers, [TOKEN_HEADER]: token },
  }
  const drop = async (): Promise<void> => {
    try {
      await adminCall(target, 'DELETE', '')
    } catch (error) {
      if (error instanceof S2EmulatorError && error.adminCode === 'namespace_not_found') return
      throw error
    }
  }
  return {
    name,
    token,
    url,
    env: Object.freeze({ S2_ACCOUNT_ENDPOINT: url, S2_BASIN_ENDPOINT: url, S2_ACCESS_TOKEN: token }),
    faults: faultsClient(target),
    clock: clockClient(target),
    snapshots: snapshotsClient(target),
    journal: journalClient(target),
    accessTokens: accessTokensClient(target),
    timing: timingClient(target),
    reset: (scope) => reset(target, scope),
    init: (spec) => applyInit(target, spec),
    info: () => adminCall(target, 'GET', ''),
    inspectStream: (ref, options) => inspectStream(target, ref, options),
    drop,
    [Symbol.asyncDispose]: drop,
  }
}
