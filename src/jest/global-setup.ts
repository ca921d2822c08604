import type { Config } from '@jest/types'
import { startRunTarget, type RunnerOptions } from '../runner/run-target.ts'
import { TARGET_ENV } from '../runner/target.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { runState } from './run-state.ts'

/** Options of {@link createGlobalSetup}: the emulator's options (isolation is always by token). */
export type S2JestSetupOptions = Omit<RunnerOptions, 'target'>

type GlobalSetup = (globalConfig: Config.GlobalConfig, projectConfig: Config.ProjectConfig) => Promise<void>

/**
 * A jest globalSetup with options, for a setup file of your own:
 * `module.exports = require('s2-emulator/jest/global-setup').createGlobalSetup({ clock: 'virtual' })`.
 */
export function createGlobalSetup(options: S2JestSetupOptions = {}): GlobalSetup {
  return async (globalConfig) => {
    // Watch-mode reruns and further projects keep the run's emulator.
    if (runState.get() !== undefined) return
    const running = await startRunTarget({ ...options, target: 'emulator' })
    if (running.target.kind !== 'emulator') throw new S2EmulatorError('S2EMU_BAD_OPTIONS', 'the jest integration runs on the emulator only')
    const previousUrl = process.env[TARGET_ENV.url]
    // Workers start after globalSetup and inherit this process's environment: that is how they find the emulator.
    process.env[TARGET_ENV.url] = running.target.url
    runState.set({ running, previousUrl, watch: globalConfig.watch || globalConfig.watchAll })
  }
}

/**
 * `globalSetup: 's2-emulator/jest/global-setup'`: one emulator for the run (or the one
 * `S2_EMULATOR_URL` names), which the test environment gives each test a namespace of.
 */
const globalSetup: GlobalSetup = createGlobalSetup()
export default globalSetup
