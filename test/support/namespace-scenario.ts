import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import type { S2EmulatorClient } from '../../src/index.ts'

/**
 * One test's life in a namespace of a shared emulator, as a test suite would live it: the same
 * basin, stream and snapshot names as every other test, its own fault rules, its own clock. Run
 * by several tests at once (in one process, or in child processes) to show nothing leaks.
 */
export interface ScenarioOptions {
  readonly label: string
  /** Move the clock past the 7-day default retention (else by one day only). */
  readonly expire: boolean
  /** Arm a rule that cuts this namespace's read sessions after one record. */
  readonly truncate: boolean
  /** Where this namespace's frozen clock starts. */
  readonly startTime: string
}

export interface ScenarioResult {
  readonly name: string
  /** Status of each check_tail, in order (its own rule answers the first with 503). */
  readonly tailStatuses: number[]
  /** Records a read session delivered (1 when cut by its own rule, 2 otherwise). */
  readonly sessionRecords: string[]
  /** Records readable after the clock moved. */
  readonly afterClock: string[]
  /** The clock's time after the move. */
  readonly clockNow: number
  /** The tail after restoring the snapshot taken before a third append. */
  readonly tailAfterRestore: number
  readonly allFired: boolean
  /** Rules this namespace lists (its own only). */
  readonly rules: string[]
  /** Namespaces of its journal entries (its own only), and its journal's operations. */
  readonly journalNamespaces: string[]
  readonly journalOperations: string[]
  /** Snapshots it lists. */
  readonly snapshots: string[]
}

const DAY = 24 * 3600 * 1000

export async function namespaceScenario(emulator: S2EmulatorClient, options: ScenarioOptions): Promise<ScenarioResult> {
  const ns = await emulator.createNamespace({ label: options.label })
  const s2 = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url }, retry: { maxAttempts: 1 } })
  try {
    await ns.clock.freeze(options.startTime)
    await s2.basins.create({ basin: 'same-basin-everywhere' })
    const basin = s2.basin('same-basin-everywhere')
    await basin.streams.create({ stream: 'events' })
    const events = basin.stream('events')
    await events.append(AppendInput.create([AppendRecord.string({ body: `${options.label}-1` }), AppendRecord.string({ body: `${options.label}-2` })]))

    await ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
    if (options.truncate) {
      await ns.faults.add({ id: 'cut-session', match: { operation: 'read', transport: 's2s' }, action: { type: 'truncate', after: { records: 1 } } })
    }
    const tailStatuses: number[] = []
    for (let i = 0; i < 2; i++) {
      try {
        await events.checkTail()
        tailStatuses.push(200)
      } catch (error) {
        tailStatuses.push((error as { status: number }).status)
      }
    }

    const session = await events.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 2 } } })
    const sessionRecords: string[] = []
    for await (const record of session) sessionRecords.push(record.body)

    const moved = await ns.clock.advance(options.expire ? 7 * DAY + 1000 : DAY)
    const afterClock = (await events.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })).records.map((r) => r.body)

    await ns.snapshots.take('before-third')
    await events.append(AppendInput.create([AppendRecord.string({ body: `${options.label}-3` })]))
    await ns.snapshots.restore('before-third')
    const tailAfterRestore = (await events.checkTail()).tail.seqNum

    let allFired = true
    await ns.faults.assertAllFired().catch(() => {
      allFired = false
    })
    const journal = await ns.journal.list()
    await events.close()
    return {
      name: ns.name,
      tailStatuses,
      sessionRecords,
      afterClock,
      clockNow: moved.now,
      tailAfterRestore,
      allFired,
      rules: (await ns.faults.list()).map((r) => r.id),
      journalNamespaces: [...new Set(journal.map((e) => e.namespace))],
      journalOperations: journal.map((e) => e.operation),
      snapshots: (await ns.snapshots.list()).map((s) => s.name),
    }
  } finally {
    await ns.drop()
  }
}

/** What the scenario must give for these options (the name aside). */
export function expectedScenario(options: ScenarioOptions): Omit<ScenarioResult, 'name'> {
  const { label } = options
  return {
    tailStatuses: [503, 200],
    sessionRecords: options.truncate ? [`${label}-1`] : [`${label}-1`, `${label}-2`],
    afterClock: options.expire ? [] : [`${label}-1`, `${label}-2`],
    clockNow: Date.parse(options.startTime) + (options.expire ? 7 * DAY + 1000 : DAY),
    tailAfterRestore: 2,
    allFired: true,
    rules: options.truncate ? ['flaky-tail', 'cut-session'] : ['flaky-tail'],
    journalNamespaces: [],
    journalOperations: ['create_basin', 'create_stream', 'append', 'check_tail', 'check_tail', 'read', 'read', 'append', 'check_tail'],
    snapshots: ['before-third'],
  }
}
