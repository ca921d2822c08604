import { resolve as resolvePath } from 'node:path'
import { S2EmulatorError } from '../server/errors/index.ts'
import { startCassette } from '../record-replay/server/cassette-server.ts'
import { formatCassetteReport } from '../record-replay/server/report.ts'
import { formatVerifyReport, verifyCassette } from '../record-replay/verify/verify.ts'
import { UsageError } from './args.ts'
import { parseRecordReplayCli, RECORD_REPLAY_USAGE } from './record-replay-args.ts'

/** `s2-emulator record|replay|verify ...`; resolves to the exit code. */
export async function runRecordReplay(verb: 'record' | 'replay' | 'verify', argv: readonly string[]): Promise<number> {
  let command
  try {
    command = parseRecordReplayCli(verb, argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`s2-emulator ${verb}: ${error.message}\nRun 's2-emulator ${verb} --help' for the options.`)
    return 2
  }
  if (command.kind === 'help') {
    console.log(RECORD_REPLAY_USAGE)
    return 0
  }

  if (command.kind === 'verify') {
    try {
      const report = await verifyCassette(command.options)
      console.log(command.json ? JSON.stringify(report.exchanges.map(({ actual: _actual, ...rest }) => rest), null, 2) : formatVerifyReport(report))
      return report.ok ? 0 : 1
    } catch (error) {
      if (!(error instanceof S2EmulatorError)) throw error
      console.error(error.message)
      return 2
    }
  }

  let server
  try {
    server = await startCassette(command.options)
  } catch (error) {
    if (!(error instanceof S2EmulatorError)) throw error
    console.error(error.message)
    return 1
  }
  const what =
    server.mode === 'replay'
      ? `replaying ${resolvePath(server.path as string)}`
      : server.mode === 'passthrough'
        ? `passing through to ${command.options.upstream}`
        : `${server.mode === 'record' ? 'recording' : 'replaying, and recording what is missing,'} ${command.options.upstream} into ${resolvePath(server.path as string)}`
  console.log(`s2-emulator ${verb} (mode ${server.mode}): ${what}; listening on ${server.url}`)
  console.log('')
  console.log('Point the S2 SDKs and the s2 CLI at it:')
  for (const [name, value] of Object.entries(server.env)) console.log(`  export ${name}=${value}`)

  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', shutdown)
      process.off('SIGTERM', shutdown)
      console.log(`s2-emulator ${verb}: ${signal} received, stopping`)
      void server.stop().then(
        (report) => {
          console.log(formatCassetteReport(report))
          resolve(report.misses.length > 0 ? 1 : 0)
        },
        (error: unknown) => {
          console.error(`s2-emulator ${verb}: ${(error as Error).message}`)
          resolve(1)
        },
      )
    }
    process.on('SIGINT', shutdown)
    process.on('SIGTERM', shutdown)
  })
}
