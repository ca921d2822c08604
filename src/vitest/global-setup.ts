import type { TestProject } from 'vitest/node'
import { startRunTarget, type RunnerOptions } from '../runner/run-target.ts'
import { provideTarget } from './provided.ts'

/**
 * A globalSetup of your own with options: `export default createGlobalSetup({ clock: 'virtual' })`
 * in a file that `globalSetup` names.
 */
export function createGlobalSetup(options: RunnerOptions = {}): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const { target, stop } = await startRunTarget(options)
    provideTarget(project, target)
    return stop
  }
}

/**
 * `globalSetup: ['s2-emulator/vitest/global-setup']`: one emulator for the run (or the one
 * `S2_EMULATOR_URL` names, or the real S2 of `S2_EMULATOR_TARGET=real`), stopped at the end.
 */
const setup: (project: TestProject) => Promise<() => Promise<void>> = createGlobalSetup()
export default setup
