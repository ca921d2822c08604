import { inject } from 'vitest'
import { connectS2Emulator, type S2EmulatorClient } from '../client/client.ts'
import { emulatorTargetFromEnv, type EmulatorTarget, type RunTarget } from '../runner/target.ts'
import type { S2TestCassettesOptions } from '../runner/test-cassettes.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import './provided.ts'

/** In a worker: where this run's tests go, as the plugin or globalSetup provided it (else `S2_EMULATOR_URL`). */
export function workerTarget(): RunTarget {
  const provided = inject('s2EmulatorTarget') as RunTarget | undefined
  if (provided !== undefined) return provided
  const fromEnv = emulatorTargetFromEnv(process.env)
  if (fromEnv !== undefined) return fromEnv
  throw new S2EmulatorError(
    'S2EMU_NOT_PROVIDED',
    "no emulator for this run: add `plugins: [s2Emulator()]` (import { s2Emulator } from 's2-emulator/vitest/plugin') or `globalSetup: ['s2-emulator/vitest/global-setup']` to the vitest config, or set S2_EMULATOR_URL",
  )
}

/** In a worker: the plugin's `cassettes` option, if it has one. */
export function providedCassettes(): S2TestCassettesOptions | undefined {
  return inject('s2EmulatorCassettes') as S2TestCassettesOptions | undefined
}

const clients = new Map<string, S2EmulatorClient>()

/** The control client of the run's emulator, one per worker (its connections are kept alive). */
export function emulatorClient(target: EmulatorTarget): S2EmulatorClient {
  const key = `${target.url} ${target.adminToken ?? ''}`
  let client = clients.get(key)
  if (client === undefined) {
    client = connectS2Emulator(target.url, { adminToken: target.adminToken })
    clients.set(key, client)
  }
  return client
}
