import { faultsClient, type FaultsClient } from './faults.ts'
import { journalClient, type JournalClient } from './journal.ts'
import type { InitResult, InitSpec } from '../server/seed/init-file.ts'
import { applyInit } from './seed.ts'
import {
  clockClient,
  namespaces,
  reset,
  snapshotsClient,
  type ClockClient,
  type NamespaceInfo,
  type ResetScope,
  type SnapshotsClient,
} from './state.ts'

/** The controls of a running emulator, wherever it runs: this process, another one, a container. */
export interface S2EmulatorClient {
  /** Base URL of the emulator (S2 API and admin API). */
  readonly url: string
  /** Fault rules. */
  readonly faults: FaultsClient
  /** The request journal: the recent requests and sessions of each namespace. */
  readonly journal: JournalClient
  /** Named in-memory snapshots. */
  readonly snapshots: SnapshotsClient
  /** The emulator's clock: freeze, set, advance. */
  readonly clock: ClockClient
  /**
   * Removes state at once, as if it never existed: everything, or `{ namespace }`, `{ basin }`
   * (with `namespace` when isolation is on) or `{ basin, stream }`. Sessions reading it end with an
   * error; fault rules confined to it are removed.
   */
  reset(scope?: ResetScope): Promise<void>
  /** Namespaces in use, with their basin and stream counts. */
  namespaces(): Promise<NamespaceInfo[]>
  /**
   * Ensures the basins and streams of an init spec (s2-lite's init file format, as `--init` takes),
   * now; applying the same spec again changes nothing. Resolves with what happened to each.
   */
  init(spec: InitSpec): Promise<InitResult>
}

/**
 * Connects to an emulator by URL (for tests in another process or a container than the one that
 * started it). Nothing is sent until a control is used.
 *
 * ```ts
 * const emulator = connectS2Emulator(process.env.S2_ACCOUNT_ENDPOINT!)
 * await emulator.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
 * ```
 */
export function connectS2Emulator(url: string): S2EmulatorClient {
  const base = url.endsWith('/') ? url : `${url}/`
  return {
    url: url.replace(/\/$/, ''),
    faults: faultsClient(base),
    journal: journalClient(base),
    snapshots: snapshotsClient(base),
    clock: clockClient(base),
    reset: (scope) => reset(base, scope),
    namespaces: () => namespaces(base),
    init: (spec) => applyInit(base, spec),
  }
}
