#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { parseCli, USAGE, UsageError } from './cli/args.ts'
import { startS2Emulator } from './server/emulator.ts'
import { S2EmulatorError } from './server/errors/index.ts'

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

const RECORD_REPLAY_VERBS = new Set(['record', 'replay', 'verify'])

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

  // Listen for signals before serving: /health can answer before the banner is printed, and a
  // SIGTERM then must still stop it cleanly (as PID 1 in a container, an unhandled one is ignored).
  let signalled: NodeJS.Signals | null = null
  let onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal
  }
  const listener = (signal: NodeJS.Signals): void => onSignal(signal)
  process.on('SIGINT', listener)
  process.on('SIGTERM', listener)

  let emulator
  try {
    emulator = await startS2Emulator(command.options)
  } catch (error) {
    process.off('SIGINT', listener)
    process.off('SIGTERM', listener)
    if (!(error instanceof S2EmulatorError)) throw error
    console.error(error.message)
    const fromEnv = Object.entries(command.fromEnv)
    // In a container the options often come from variables: say which, since the message names only values.
    if (fromEnv.length > 0) console.error(`s2-emulator: options set by the environment: ${fromEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`)
    return 1
  }
  console.log(`s2-emulator ${version()} listening on ${emulator.url}`)
  const { init, records } = command.options
  if (init !== undefined || records !== undefined) {
    console.log(`seeded from: ${[init, records].flat().filter((f) => typeof f === 'string').join(', ')}`)
  }
  const { snapshotFile, persistDir } = command.options
  if (persistDir !== undefined) console.log(`persisting state in ${resolvePath(persistDir, 'state.s2snap')} (written on exit)`)
  else if (snapshotFile !== undefined) console.log(`started from snapshot file ${resolvePath(snapshotFile)}`)
  const rules = await emulator.faults.list()
  console.log(`fault seed: ${await emulator.faults.seed()}${rules.length > 0 ? ` (${rules.length} fault rule(s) armed)` : ''}`)
  console.log('')
  console.log('Point the S2 SDKs and the s2 CLI at it:')
  for (const [name, value] of Object.entries(emulator.env)) console.log(`  export ${name}=${value}`)

  return new Promise<number>((resolve) => {
    onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', listener)
      process.off('SIGTERM', listener)
      console.log(`s2-emulator: ${signal} received, stopping`)
      void emulator.stop().then(
        () => {
          if (persistDir !== undefined) console.log(`s2-emulator: state saved to ${resolvePath(persistDir, 'state.s2snap')}`)
          resolve(0)
        },
        (error: unknown) => {
          console.error(`s2-emulator: ${(error as Error).message}`)
          resolve(1)
        },
      )
    }
    if (signalled !== null) onSignal(signalled)
  })
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
