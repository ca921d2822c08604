#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { parseCli, USAGE, UsageError } from './cli/args.ts'
import { startS2Emulator } from './server/emulator.ts'
import { S2EmulatorError } from './server/errors/index.ts'

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

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
    console.log(version())
    return 0
  }

  // Installed before the port opens, so no signal can find the process without them.
  const signals = stopSignals()
  let emulator
  try {
    emulator = await startS2Emulator(command.options)
  } catch (error) {
    signals.dispose()
    if (!(error instanceof S2EmulatorError)) throw error
    console.error(error.message)
    const fromEnv = Object.entries(command.fromEnv)
    // In a container the options often come from variables: say which, since the message names only values.
    if (fromEnv.length > 0) console.error(`s2-emulator: options set by the environment: ${fromEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`)
    return 1
  }
  try {
    console.log(`s2-emulator ${version()} listening on ${emulator.url}`)
    const { init, records } = command.options
    if (init !== undefined || records !== undefined) {
      console.log(`seeded from: ${[init, records].flat().filter((f) => typeof f === 'string').join(', ')}`)
    }
    const { snapshotFile, persistDir } = command.options
    if (persistDir !== undefined) {
      const { persistFlushIntervalMs: interval = 5, persistFsync: fsync = true } = command.options
      console.log(`persisting state in ${resolvePath(persistDir, 'state.s2snap')} and a log of changes beside it (${fsync ? 'fsynced' : 'written'} every ${interval} ms before acknowledging)`)
    }
    else if (snapshotFile !== undefined) console.log(`started from snapshot file ${resolvePath(snapshotFile)}`)
    const rules = await emulator.faults.list()
    console.log(`fault seed: ${await emulator.faults.seed()}${rules.length > 0 ? ` (${rules.length} fault rule(s) armed)` : ''}`)
    console.log('')
    console.log('Point the S2 SDKs and the s2 CLI at it:')
    for (const [name, value] of Object.entries(emulator.env)) console.log(`  export ${name}=${value}`)
  } catch (error) {
    // The banner's own requests failed (the emulator is stopping?): stop below all the same.
    console.error(`s2-emulator: ${(error as Error).message}`)
  }

  const signal = await signals.received
  console.log(`s2-emulator: ${signal} received, stopping`)
  try {
    await emulator.stop()
  } catch (error) {
    console.error(`s2-emulator: ${(error as Error).message}`)
    return 1
  }
  const { persistDir } = command.options
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
