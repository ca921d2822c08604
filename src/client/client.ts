import type { NamespaceInfo } from '../server/namespaces/controls.ts'
import type { StreamRecordsPage } from '../server/namespaces/stream-records.ts'
import { namespaceName } from '../server/namespaces/names.ts'
import type { InitResult, InitSpec } from '../server/seed/init-file.ts'
import { accessTokensClient, type AccessTokensClient } from './access-tokens.ts'
import { faultsClient, type FaultsClient } from './faults.ts'
import { adminCall, type AdminTarget } from './http.ts'
import { inspectStream, type InspectOptions, type StreamReference } from './inspect.ts'
import { journalClient, type JournalClient } from './journal.ts'
import { namespaceHandle, type NamespaceOptions, type S2Namespace } from './namespace.ts'
import { applyInit } from './seed.ts'
import { nodeFetch } from './transport.ts'
import { clockClient, reset, snapshotsClient, type ClockClient, type ResetScope, type SnapshotsClient } from './state.ts'
import { timingClient, type TimingClient } from './timing.ts'

/** The controls of a running emulator, wherever it runs: this process, another one, a container. */
export interface S2EmulatorClient {
  /** Base URL of the emulator (S2 API and admin API). */
  readonly url: string
  /**
   * Makes a fresh namespace (a private emulator for one test: its data, fault rules, clock,
   * snapshots and journal) with a new token, and returns its handle. Needs `isolation: 'token'`.
   */
  createNamespace(options?: NamespaceOptions): Promise<S2Namespace>
  /**
   * The handle of the namespace a bearer token enters (the token your code under test sends). No
   * request is sent until a control is used; the namespace comes into being then if it is new.
   */
  namespace(token: string): S2Namespace
  /** Every namespace, with its basins, streams, rules, snapshots and clock (never a token). */
  namespaces(): Promise<NamespaceInfo[]>
  /** The emulator's fault rules: they apply to every namespace (unless `match.namespace` names one). */
  readonly faults: FaultsClient
  /** The request journal of every namespace. */
  readonly journal: JournalClient
  /** Named in-memory snapshots of the whole emulator. */
  readonly snapshots: SnapshotsClient
  /** The emulator's clock, which every namespace follows until it moves its own. */
  readonly clock: ClockClient
  /** Cloud profile: the access tokens issued in every namespace, listed by id and revoked (never shown). */
  readonly accessTokens: AccessTokensClient
  /** The emulator's timing profile, which every namespace follows until it sets its own. */
  readonly timing: TimingClient
  /**
   * Removes state at once, as if it never existed: everything (data, rules and journals of every
   * namespace; not clocks or snapshots), or `{ basin }` or `{ basin, stream }` of the `default`
   * namespace (the only one without isolation). Sessions reading it end with an error; fault
   * rules confined to it are removed. A namespace's handle resets that namespace.
   */
  reset(scope?: ResetScope): Promise<void>
  /**
   * Ensures the basins and streams of an init spec (s2-lite's init file format, as `--init` takes),
   * now; applying the same spec again changes nothing. Resolves with what happened to each.
   */
  init(spec: InitSpec): Promise<InitResult>
  /**
   * A page of a stream's records in the `default` namespace, looked at without touching: no fault
   * rule applies, the journal does not record it, no key is needed (a namespace's handle reads its own).
   */
  inspectStream(ref: StreamReference, options?: InspectOptions): Promise<StreamRecordsPage>
}

/** Options of {@link connectS2Emulator}. */
export interface ConnectOptions {
  /** The emulator's admin token, if it was started with one (`adminToken`, `--admin-token`). */
  adminToken?: string | undefined
}

/**
 * Connects to an emulator by URL (for tests in another process or a container than the one that
 * started it). Nothing is sent until a control is used.
 *
 * ```ts
 * const emulator = connectS2Emulator(process.env.S2_ACCOUNT_ENDPOINT!)
 * const ns = await emulator.createNamespace()
 * await ns.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 })
 * ```
 */
export function connectS2Emulator(url: string, options: ConnectOptions = {}): S2EmulatorClient {
  return controlsOver(url, options, nodeFetch)
}

/**
 * The controls of the emulator at `url`, with admin requests sent by `send`: node:http for an
 * emulator elsewhere; an emulator started in this process hands its app's own `fetch`, so its
 * controls skip the network (the same routes, the same answers).
 */
export function controlsOver(url: string, options: ConnectOptions, send: AdminTarget['fetch']): S2EmulatorClient {
  const trimmed = url.replace(/\/+$/, '')
  const target: AdminTarget = {
    baseUrl: `${trimmed}/`,
    prefix: '/_emulator',
    headers: options.adminToken === undefined ? {} : { authorization: `Bearer ${options.adminToken}` },
    fetch: send,
  }
  return {
    url: trimmed,
    createNamespace: async (namespaceOptions = {}) => {
      const made = await adminCall<NamespaceInfo & { token: string }>(target, 'POST', '/namespaces', namespaceOptions)
      return namespaceHandle(target, trimmed, made.name, made.token)
    },
    namespace: (token) => namespaceHandle(target, trimmed, namespaceName(token), token),
    namespaces: async () => (await adminCall<{ namespaces: NamespaceInfo[] }>(target, 'GET', '/namespaces')).namespaces,
    faults: faultsClient(target),
    journal: journalClient(target),
    snapshots: snapshotsClient(target),
    clock: clockClient(target),
    accessTokens: accessTokensClient(target),
    timing: timingClient(target),
    reset: (scope) => reset(target, scope),
    init: (spec) => applyInit(target, spec),
    inspectStream: (ref, options) => inspectStream(target, ref, options),
  }
}
