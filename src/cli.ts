#!/usr/bin/env node
import * as nodeModule from 'node:module'
import { resolve as resolvePath } from 'node:path'
import { parseCli, USAGE, UsageError } from './cli/args.ts'
import { nodeVersionProblem } from './node-version.ts'
import { S2EmulatorError } from './server/errors/emulator-error.ts'
import { randomSeed } from './server/faults/random.ts'
import { startS2Emulator } from './start.ts'
import { packageVersion } from './version.ts'

async function main(): Promise<number> {
  const tooOld = nodeVersionProblem()
  if (tooOld !== null) {
    console.error(`s2-emulator: ${tooOld}`)
    return 1
  }
  // Node keeps the compiled code of the server's modules on disk (in the OS temp directory), which
  // makes the next start noticeably faster; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  nodeModule.enableCompileCache()
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
  let emulator
  try {
    emulator = await startS2Emulator(options)
  } catch (error) {
    if (!(error instanceof S2EmulatorError)) throw error
    console.error(error.message)
    return 1
  }
  console.log(`s2-emulator ${packageVersion()} listening on ${emulator.url}`)
  const { init, records } = options
  if (init !== undefined || records !== undefined) {
    console.log(`seeded from: ${[init, records].flat().filter((f) => typeof f === 'string').join(', ')}`)
  }
  const { snapshotFile, persistDir } = options
  if (persistDir !== undefined) console.log(`persisting state in ${resolvePath(persistDir, 'state.s2snap')} (written on exit)`)
  else if (snapshotFile !== undefined) console.log(`started from snapshot file ${resolvePath(snapshotFile)}`)
  const rules = options.faults?.length ?? 0
  console.log(`fault seed: ${options.faultSeed}${rules > 0 ? ` (${rules} fault rule(s) armed)` : ''}`)
  console.log('')
  console.log('Point the S2 SDKs and the s2 CLI at it:')
  for (const [name, value] of Object.entries(emulator.env)) console.log(`  export ${name}=${value}`)

  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', shutdown)
      process.off('SIGTERM', shutdown)
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
    process.on('SIGINT', shutdown)
    process.on('SIGTERM', shutdown)
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
