import type { Config } from '@jest/types'
import { TARGET_ENV } from '../runner/target.ts'
import { runState } from './run-state.ts'

/** `globalTeardown: 's2-emulator/jest/global-teardown'`: stops the emulator the globalSetup started (not in watch mode, where it serves every rerun). */
export default async function globalTeardown(_globalConfig: Config.GlobalConfig): Promise<void> {
  const state = runState.get()
  if (state === undefined || state.watch) return
  runState.set(undefined)
  if (state.previousUrl === undefined) delete process.env[TARGET_ENV.url]
  else process.env[TARGET_ENV.url] = state.previousUrl
  await state.running.stop()
}
