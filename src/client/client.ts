import { faultsClient, type FaultsClient } from './faults.ts'

/** The controls of a running emulator, wherever it runs: this process, another one, a container. */
export interface S2EmulatorClient {
  /** Base URL of the emulator (S2 API and admin API). */
  readonly url: string
  /** Fault rules. */
  readonly faults: FaultsClient
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
  return { url: url.replace(/\/$/, ''), faults: faultsClient(base) }
}
