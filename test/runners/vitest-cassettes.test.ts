import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startVitest } from 'vitest/node'
import { s2Emulator, type S2EmulatorPluginOptions } from 's2-emulator/vitest/plugin'

/**
 * Per-test cassettes of s2-emulator/vitest, in a vitest of its own (the programmatic API) with the
 * plugin: record, replay with the recording's emulator gone, and misses.
 */

const root = new URL('./fixtures/cassettes', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 's2-emulator-cassettes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Outcome {
  readonly name: string
  readonly state: string | undefined
  readonly errors: readonly string[]
}

/** Runs a file of the fixture project once with these variables; the outcome of each test, by full name. */
async function runSpec(env: Record<string, string>, file = 'orders.spec.ts', plugin: S2EmulatorPluginOptions = {}): Promise<Outcome[]> {
  const vitest = await startVitest(
    'test',
    [file],
    { watch: false, root, reporters: [], config: false, env: { S2_TEST_CASSETTES: dir, ...env } },
    { plugins: [s2Emulator(plugin)] },
  )
  await vitest.close()
  const outcomes: Outcome[] = []
  const visit = (tasks: readonly { type: string; name: string; tasks?: unknown; result?: { state?: string; errors?: { message: string }[] } }[], prefix: string): void => {
    for (const task of tasks) {
      const name = `${prefix}${task.name}`
      if (task.type === 'suite') visit(task.tasks as typeof tasks, `${name} > `)
      else outcomes.push({ name, state: task.result?.state, errors: (task.result?.errors ?? []).map((e) => e.message) })
    }
  }
  for (const file of vitest.state.getFiles()) {
    if (file.result?.errors?.length) throw new Error(`the file failed: ${file.result.errors.map((e) => e.message).join('; ')}`)
    visit(file.tasks, '')
  }
  return outcomes
}

const files = (): string[] =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).map((f) => relative(dir, join(dir, f))).sort()

const NAMES = ['appends an order and reads it back', 'in a describe block > code that reads S2_* from process.env goes through the cassette']

it('records a cassette per test, named after its file and name, then replays it with the emulator that recorded it gone', async () => {
  const recorded = await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'record' })
  expect(recorded).toEqual(NAMES.map((name) => ({ name, state: 'pass', errors: [] })))
  expect(files()).toEqual([
    expect.stringMatching(/^orders\.spec\.ts\/appends-an-order-and-reads-it-back-[0-9a-f]{8}\.json$/),
    // Slugs stop at 80 characters; the digest of the exact name keeps them apart.
    expect.stringMatching(/^orders\.spec\.ts\/in-a-describe-block-code-that-reads-s2_-from-process\.env-goes-through-the-casset-[0-9a-f]{8}\.json$/),
  ])
  const cassette = JSON.parse(readFileSync(join(dir, files()[0] as string), 'utf8')) as { entries: { request: { method: string; path: string } }[] }
  // The basin fixture's basin: made, used, and deleted, whatever the upstream (so a recording from s2.dev replays the same way).
  expect(cassette.entries.map((e) => `${e.request.method} ${e.request.path}`)).toEqual([
    'POST /v1/basins',
    'POST /v1/streams',
    'POST /v1/streams/orders/records',
    'GET /v1/streams/orders/records',
    expect.stringMatching(/^DELETE \/v1\/basins\/test-appends-an-order-and-reads-it-[0-9a-f]{12}$/), // the same name every run
  ])

  // A fresh emulator (the plugin starts one per run): nothing of the recording's is there; the spec
  // checks that its namespace sees no request at all.
  const replayed = await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'replay' })
  expect(replayed).toEqual(NAMES.map((name) => ({ name, state: 'pass', errors: [] })))
})

it('fails a test whose request the cassette has no answer for, naming the nearest recorded one, also when the test caught the error', async () => {
  const outcomes = await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'replay', S2_TEST_BODY: 'order-2', S2_TEST_PREFIX: 'orders-' })
  expect(outcomes.map((o) => [o.name, o.state])).toEqual(NAMES.map((name) => [name, 'fail']))
  const [append, list] = outcomes as [Outcome, Outcome]
  // The SDK's error (status 599, which it does not retry), then the cassette's report of the test.
  const miss = /^- no recorded exchange matches POST \/v1\/streams\/orders\/records \[basin test-appends-an-order-and-reads-it-[0-9a-f]{12}, stream orders\]; the nearest is #3, which differs in body at records\[0\]\.body: recorded "order-1", got "order-2"$/m
  expect(append.errors).toEqual([expect.stringContaining('[s2-emulator replay] no recorded exchange matches'), expect.stringMatching(miss)])
  expect(list.errors).toEqual([
    expect.stringMatching(
      /^\[s2-emulator\] the cassette of test "in a describe block > code that reads S2_\* from process.env goes through the cassette" \(.+\.json\) had no answer for 1 request\(s\):\n- no recorded exchange matches GET \/v1\/basins\?prefix=orders-; the nearest is #1, which differs in query: recorded "prefix=none-", got "prefix=orders-"\nrecord it again with S2_EMULATOR_CASSETTE_MODE=record \(or record-missing to add what is missing\)$/,
    ),
  ])
})

it("gives the default test cassettes with the plugin's option, whose mode the variable overrides", async () => {
  const plugin = { cassettes: { dir: join(dir, 'plugin'), mode: 'record' as const } }
  const passed = [{ name: "creates a basin through the plugin's cassettes", state: 'pass', errors: [] }]
  expect(await runSpec({}, 'default-test.spec.ts', plugin)).toEqual(passed)
  expect(files().filter((f) => f.startsWith('plugin/'))).toEqual([expect.stringMatching(/^plugin\/default-test\.spec\.ts\//)])
  // Replayed: the listing answers with the basin the recording made, in an emulator that never had it.
  expect(await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'replay' }, 'default-test.spec.ts', plugin)).toEqual(passed)
})

it('refuses two tests of one name in a file, whose cassettes would be one file', async () => {
  const outcomes = await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'record' }, 'same-name.spec.ts')
  expect(outcomes).toEqual([
    { name: 'lists basins', state: 'pass', errors: [] },
    {
      name: 'lists basins',
      state: 'fail',
      errors: [expect.stringMatching(/^\[s2-emulator\] two tests of same-name\.spec\.ts are named "lists basins": their cassettes would be one file \(.+\.json\); rename one$/)],
    },
  ])
})

it('says how to record a cassette that does not exist', async () => {
  rmSync(dir, { recursive: true, force: true })
  const outcomes = await runSpec({ S2_EMULATOR_CASSETTE_MODE: 'replay' })
  for (const outcome of outcomes) {
    expect(outcome.state).toBe('fail')
    expect(outcome.errors).toEqual([expect.stringMatching(/^\[s2-emulator\] no cassette for test ".+" of orders\.spec\.ts \(.+\): record it once with S2_EMULATOR_CASSETTE_MODE=record \(or record-missing\)$/)])
  }
  expect(existsSync(dir)).toBe(false) // replay writes nothing
})
