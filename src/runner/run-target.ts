import { connectS2Emulator } from '../client/client.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { S2EmulatorOptions } from '../server/options.ts'
import { emulatorTargetFromEnv, realTargetFromEnv, targetKind, TARGET_ENV, type EmulatorTarget, type RunTarget, type TargetKind } from './target.ts'

/**
 * Options of the runner integrations: the emulator's own options (isolation is always `'token'`,
 * so each test gets a namespace), and where the run goes.
 */
export interface RunnerOptions extends Omit<S2EmulatorOptions, 'isolation'> {
  /**
   * `'emulator'`: one emulator for the run (started here, or the one `S2_EMULATOR_URL` names);
   * `'real'`: the S2 that `S2_ACCESS_TOKEN`, `S2_ACCOUNT_ENDPOINT` and `S2_BASIN_ENDPOINT` name.
   * [default `S2_EMULATOR_TARGET`, else 'emulator']
   */
  target?: TargetKind
}

/** The target of a run and how to end it. */
export interface RunningTarget {
  readonly target: RunTarget
  /** Stops the emulator if this run started it; resolves once its port is free. */
  stop(): Promise<void>
}

const nothingToStop = async (): Promise<void> => {}

/**
 * In a runner's main process: starts the run's emulator, or takes the one `S2_EMULATOR_URL` names
 * (after checking that it answers and isolates tokens), or the real S2 the environment names.
 */
export async function startRunTarget(options: RunnerOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningTarget> {
  const { target: kind, ...emulatorOptions } = options
  if (targetKind(kind, env) === 'real') return { target: realTargetFromEnv(env), stop: nothingToStop }
  const existing = emulatorTargetFromEnv(env)
  if (existing !== undefined) {
    await checkEmulator(existing)
    return { target: existing, stop: nothingToStop }
  }
  // Loaded here, not at the top: only the process that starts the emulator loads the server.
  const { startS2Emulator } = await import('../server/emulator.ts')
  const emulator = await startS2Emulator({ ...emulatorOptions, isolation: 'token' })
  return { target: { kind: 'emulator', url: emulator.url }, stop: () => emulator.stop() }
}

/** Fails at once, with the reason, if an emulator the run did not start cannot give each test a namespace. */
async function checkEmulator(target: EmulatorTarget): Promise<void> {
  try {
    const emulator = connectS2Emulator(target.url, { adminToken: target.adminToken })
    await (await emulator.createNamespace({ label: 'startup check' })).drop()
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^\[s2-emulator\] /, '') : String(error)
    throw new S2EmulatorError('S2EMU_UNREACHABLE', `${TARGET_ENV.url} is ${target.url}, but it cannot serve this run: ${reason}`, {
      cause: error,
    })
  }
}
