import type { S2Environment, S2Namespace } from '../client/namespace.ts'

declare global {
  /**
   * This test's namespace of the run's emulator (s2-emulator/jest/environment): its token, URL,
   * `env`, and its controls (faults, clock, snapshots, journal). Dropped after the test.
   */
  var s2Emulator: S2Namespace
  /** `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN` of this test's namespace (also in `process.env`). */
  var s2Env: S2Environment
}

export type { S2JestEnvironmentOptions } from './environment-options.ts'
export type { S2JestSetupOptions } from './global-setup.ts'
export type { S2Environment, S2Namespace } from '../client/namespace.ts'
