import type { Plugin } from 'vitest/config'
import type { Vitest } from 'vitest/node'
import { startRunTarget, type RunnerOptions, type RunningTarget } from '../runner/run-target.ts'
import { testCassettes, type S2TestCassettesOptions } from '../runner/test-cassettes.ts'
import { provideTarget } from './provided.ts'

/** Options of the {@link s2Emulator} plugin: the emulator's options (isolation is always by token), the run's target, and per-test cassettes. */
export interface S2EmulatorPluginOptions extends RunnerOptions {
  /**
   * A cassette per test for the test-scoped fixtures of every file (`createS2Fixtures`'s option of
   * the same name, which a file's own fixtures may set instead). [default none]
   */
  cassettes?: S2TestCassettesOptions
}

/** One target per vitest instance, shared by its projects and kept across watch-mode reruns. */
const runs = new WeakMap<Vitest, Promise<RunningTarget>>()

/**
 * A vitest plugin that starts one emulator for the run (isolation by token, so each test gets a
 * namespace of its own) and stops it when vitest closes. With `S2_EMULATOR_URL` set it uses that
 * emulator instead; with `target: 'real'` (or `S2_EMULATOR_TARGET=real`) the S2 that the `S2_*`
 * variables name.
 *
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { s2Emulator } from 's2-emulator/vitest/plugin'
 * export default defineConfig({ plugins: [s2Emulator()] })
 * ```
 */
export function s2Emulator(options: S2EmulatorPluginOptions = {}): Plugin {
  const { cassettes, ...runner } = options
  if (cassettes !== undefined) testCassettes(cassettes, {}, 's2Emulator plugin') // bad options fail here, at once
  return {
    name: 's2-emulator',
    async configureVitest({ vitest, project }) {
      const { target } = await runOf(vitest, runner)
      // Every project of the run, also those whose config does not repeat the plugin.
      for (const each of new Set([project, ...vitest.projects])) provideTarget(each, target, cassettes)
    },
  }
}

/** The run's target: started once per vitest instance, stopped when vitest closes. */
function runOf(vitest: Vitest, options: RunnerOptions): Promise<RunningTarget> {
  const existing = runs.get(vitest)
  if (existing !== undefined) return existing
  const run = startRunTarget(options).then((running) => {
    if (running.target.kind === 'real') {
      vitest.logger.log(
        `[s2-emulator] tests run against the real S2 at ${running.target.accountEndpoint}: each basin fixture is a new basin, deleted after its test; tests that use emulator controls are skipped`,
      )
    }
    return running
  })
  runs.set(vitest, run)
  // A restart (the config changed) closes vitest and configures it again: start afresh then.
  vitest.onClose(async () => {
    if (runs.get(vitest) === run) runs.delete(vitest)
    const running = await run.catch(() => undefined) // a failed start was reported already
    await running?.stop()
  })
  return run
}
