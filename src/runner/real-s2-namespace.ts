import type { S2Environment, S2Namespace } from '../client/namespace.ts'
import type { RealS2Target } from './target.ts'

/** Ends the current test as skipped, with a note saying why (vitest's `context.skip`). */
export type SkipTest = (note: string) => never

/** The `S2_*` variables that point the SDKs and the CLI at a real S2. */
export function realS2Environment(target: RealS2Target): S2Environment {
  return Object.freeze({
    S2_ACCOUNT_ENDPOINT: target.accountEndpoint,
    S2_BASIN_ENDPOINT: target.basinEndpoint,
    S2_ACCESS_TOKEN: target.accessToken,
  })
}

/**
 * What stands for a test's namespace when the run targets a real S2: its token, URL and
 * variables are the real ones; a control only the emulator has (faults, clock, snapshots,
 * journal, accessTokens, timing, reset, init, info, inspectStream) skips the test with a note naming it, so one
 * suite runs on both.
 * `drop` has nothing to forget: the basin fixture deletes what a test made.
 */
export function realS2Namespace(target: RealS2Target, skip: SkipTest): S2Namespace {
  const emulatorOnly = (control: string): never =>
    skip(`s2Emulator.${control} needs the emulator; this run targets a real S2 at ${target.accountEndpoint}`)
  const nothing = async (): Promise<void> => {}
  return {
    name: 'real-s2',
    token: target.accessToken,
    url: target.accountEndpoint,
    env: realS2Environment(target),
    get faults() {
      return emulatorOnly('faults')
    },
    get clock() {
      return emulatorOnly('clock')
    },
    get snapshots() {
      return emulatorOnly('snapshots')
    },
    get journal() {
      return emulatorOnly('journal')
    },
    get accessTokens() {
      return emulatorOnly('accessTokens')
    },
    get timing() {
      return emulatorOnly('timing')
    },
    reset: () => emulatorOnly('reset()'),
    init: () => emulatorOnly('init()'),
    info: () => emulatorOnly('info()'),
    inspectStream: () => emulatorOnly('inspectStream()'),
    drop: nothing,
    [Symbol.asyncDispose]: nothing,
  }
}
