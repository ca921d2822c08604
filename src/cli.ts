#!/usr/bin/env node
import * as nodeModule from 'node:module'
import { resolve as resolvePath } from 'node:path'
import { parseCli, USAGE, UsageError } from './cli/args.ts'
import { tuneV8 } from './cli/v8-tuning.ts'
import { nodeVersionProblem } from './node-version.ts'
import { S2EmulatorError } from './server/errors/emulator-error.ts'
import { randomSeed } from './server/faults/random.ts'
import { startS2Emulator } from './start.ts'
import { packageVersion } from './version.ts'

const RECORD_REPLAY_VERBS = new Set(['record', 'replay', 'verify'])

/**
 * SIGINT and SIGTERM stop the emulator gracefully. The handlers are installed before anything
 * starts and stay installed: `npm start` forwards the terminal's Ctrl-C to the emulator, which has
 * already received it from the terminal, and a second signal with no handler would kill the process
 * in the middle of saving its state. Later signals are acknowledged and otherwise ignored.
 */
function stopSignals(): { readonly received: Promise<NodeJS.Signals>; dispose(): void } {
  let first: NodeJS.Signals | null = null
  let resolve: (signal: NodeJS.Signals) => void = () => {}
  const received = new Promise<NodeJS.Signals>((r) => {
    resolve = r
  })
  let repeats = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first === null) {
      first = signal
      resolve(signal)
    } else if (repeats++ === 0) {
      console.log(`s2-emulator: ${signal} received again; already stopping (SIGKILL stops at once)`)
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    received,
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

async function main(): Promise<number> {
  const tooOld = nodeVersionProblem()
  if (tooOld !== null) {
    console.error(`s2-emulator: ${tooOld}`)
    return 1
  }
  // Node keeps the compiled code of the server's modules on disk (in the OS temp directory), which
  // makes the next start noticeably faster; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  nodeModule.enableCompileCache()
  // This process is the emulator's alone: see v8-tuning.ts.
  tuneV8()
  const [verb, ...rest] = process.argv.slice(2)
  if (verb !== undefined && RECORD_REPLAY_VERBS.has(verb)) {
    // Loaded only for these commands, so serving starts no slower.
    const { runRecordReplay } = await import('./cli/record-replay.ts')
    return runRecordReplay(verb as 'record' | 'replay' | 'verify', rest)
  }
  let command
  try {
    command = parseCli(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`s2-emulator: ${error.message}\nRun 's2-emulator --help' for the options.`)
    return 2
  }
  if (command.kind === 'help') {
    console.log(USAGE)
    return 0
  }
  if (command.kind === 'version') {
    console.log(packageVersion())
    return 0
  }

  // The CLI picks the fault seed (when not given) so that it can print it without asking the server.
  const options = { ...command.options, faultSeed: command.options.faultSeed ?? randomSeed() }
  // Installed before the port opens, so no signal can find the process without them.
  const signals = stopSignals()
  let emulator
  try {
    emulator = await startS2Emulator(options)
  } catch (error) {
    signals.dispose()
    if (!(error instanceof S2EmulatorError)) throw error
    console.error(error.message)
    const fromEnv = Object.entries(command.fromEnv)
    // In a container the options often come from variables: say which, since the message names only values.
    if (fromEnv.length > 0) console.error(`s2-emulator: options set by the environment: ${fromEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`)
    return 1
  }
  console.log(`s2-emulator ${packageVersion()} listening on ${emulator.url}`)
  if (emulator.profile === 'cloud') console.log('profile: cloud (access tokens are enforced; the root token is S2_ACCESS_TOKEN below)')
  const { init, records, snapshotFile, persistDir } = options
  if (init !== undefined || records !== undefined) {
    console.log(`seeded from: ${[init, records].flat().filter((f) => typeof f === 'string').join(', ')}`)
  }
  if (persistDir !== undefined) {
    const { persistFlushIntervalMs: interval = 5, persistFsync: fsync = true } = options
    console.log(`persisting state in ${resolvePath(persistDir, 'state.s2snap')} and a log of changes beside it (${fsync ? 'fsynced' : 'written'} every ${interval} ms before acknowledging)`)
  } else if (snapshotFile !== undefined) console.log(`started from snapshot file ${resolvePath(snapshotFile)}`)
  const rules = options.faults?.length ?? 0
  console.log(`fault seed: ${options.faultSeed}${rules > 0 ? ` (${rules} fault rule(s) armed)` : ''}`)
  const timing = await emulator.timing.get()
  if (timing.seed !== null) {
    const flush = timing.flushIntervalMs === null ? '' : `, flush every ${timing.flushIntervalMs} ms`
    const jitter = timing.jitterMs === 0 ? '' : `, jitter up to ${timing.jitterMs} ms`
    console.log(`timing: ${timing.profile}${flush}${jitter} (seed ${timing.seed}; replay with --timing ...,seed=${timing.seed})`)
  }
  console.log('')
  console.log('Point the S2 SDKs and the s2 CLI at it:')
  for (const [name, value] of Object.entries(emulator.env)) console.log(`  export ${name}=${value}`)

  const signal = await signals.received
  console.log(`s2-emulator: ${signal} received, stopping`)
  try {
    await emulator.stop()
  } catch (error) {
    console.error(`s2-emulator: ${(error as Error).message}`)
    return 1
  }
  if (persistDir !== undefined) console.log(`s2-emulator: state saved to ${resolvePath(persistDir, 'state.s2snap')}`)
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error('s2-emulator: unexpected failure:', error)
    process.exitCode = 1
  },
)
