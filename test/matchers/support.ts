import { stripVTControlCharacters } from 'node:util'
import { AppendInput, AppendRecord, S2, type S2Stream } from '@s2-dev/streamstore'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { bindS2Namespace } from '../../src/matchers/index.ts'
import '../../src/matchers/vitest.ts'
import { startS2Emulator, type S2Emulator, type S2Namespace } from '../../src/index.ts'

/**
 * One emulator per file (isolation on, a frozen clock so timestamps are the same every run) and
 * a namespace per test with a token of its own, bound for the matchers as the s2Emulator fixture
 * binds it. Names (tokens, basins) are fixed so failure messages are too.
 */
export function useMatcherEmulator(label: string) {
  const ctx = {} as { emulator: S2Emulator; ns: S2Namespace; s2: S2; basin: string; stream(name: string): S2Stream }
  const handles: S2Stream[] = []
  let n = 0
  beforeAll(async () => {
    // trimDelayMs 0: on a frozen clock, trims would otherwise wait for it to move.
    ctx.emulator = await startS2Emulator({ isolation: 'token', clock: 'virtual', startTime: '2026-01-01T00:00:00.000Z', faultSeed: 7, trimDelayMs: 0 })
  })
  afterAll(() => ctx.emulator?.stop())
  beforeEach(async (test) => {
    ctx.ns = await ctx.emulator.createNamespace({ token: `${label}-${++n}` })
    bindS2Namespace(ctx.ns, test.task)
    ctx.s2 = new S2({ accessToken: ctx.ns.token, endpoints: { account: ctx.ns.url, basin: ctx.ns.url }, retry: { maxAttempts: 1 } })
    ctx.basin = 'matchers-basin'
    await ctx.ns.init({ basins: [{ name: ctx.basin, streams: [{ name: 'orders' }, { name: 'refunds' }] }] })
    ctx.stream = (name) => {
      const handle = ctx.s2.basin(ctx.basin).stream(name)
      handles.push(handle)
      return handle
    }
  })
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()))
    await ctx.ns.drop()
  })
  return ctx
}

/** Appends records with string bodies (or full SDK records) in one batch. */
export async function append(stream: S2Stream, ...records: (string | AppendRecord)[]): Promise<void> {
  await stream.append(AppendInput.create(records.map((r) => (typeof r === 'string' ? AppendRecord.string({ body: r }) : r))))
}

/** The message an assertion fails with, without colours; fails if it passed. */
export async function failure(assertion: Promise<unknown>): Promise<string> {
  const error = await assertion.then(
    () => new Error('expected the assertion to fail, but it passed'),
    (e: unknown) => e,
  )
  if ((error as Error).message === 'expected the assertion to fail, but it passed') throw error
  return stripVTControlCharacters((error as Error).message)
}
