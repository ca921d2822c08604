import { faultsClient, type FaultsClient } from './faults.ts'
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
    snapshots: snapshotsClient(base),
    clock: clockClient(base),
    reset: (scope) => reset(base, scope),
    namespaces: () => namespaces(base),
  }
}
