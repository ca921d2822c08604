import type { RunningTarget } from '../runner/run-target.ts'

/**
 * What jest's globalSetup leaves for its globalTeardown (jest runs both in its main process; a
 * global is the documented way between them). Keyed by a registered symbol, so the ESM and the
 * CommonJS builds of this package find the same one.
 */
export interface JestRunState {
  readonly running: RunningTarget
  /** `S2_EMULATOR_URL` before setup set it, to put back. */
  readonly previousUrl: string | undefined
  /** In watch mode the emulator outlives each run, and the process ends it. */
  readonly watch: boolean
}

const KEY = Symbol.for('s2-emulator.jest.run')

type WithState = typeof globalThis & { [KEY]?: JestRunState }

export const runState = {
  get: (): JestRunState | undefined => (globalThis as WithState)[KEY],
  set: (state: JestRunState | undefined): void => {
    ;(globalThis as WithState)[KEY] = state
  },
}
