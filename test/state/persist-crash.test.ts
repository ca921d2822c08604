import { AppendInput, AppendRecord, type AppendAck } from '@s2-dev/streamstore'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, afterEach, expect, it } from 'vitest'
import { raw } from '../support/emulator.ts'
import { killAll, spawnProcess, started as cliStarted, type Spawned } from '../support/process.ts'
import { rng } from '../support/random.ts'
import { makeClient } from '../support/sessions.ts'
import { createBasin, createStream, records, type RawFn } from '../support/state.ts'

/**
 * The crash test of `--persist` (fsync on): writers append to two streams as fast as they can,
 * with unary requests and S2S sessions, and the emulator is killed with SIGKILL at a random moment;
 * started again on the same directory, it must hold every record it acknowledged, where it said,
 * and load whatever the kill left on disk. Several cycles run on one directory, so recovery also
 * follows recoveries. `S2EMU_CRASH_CYCLES` (default 2) and `S2EMU_CRASH_SEED` make longer or
 * repeated runs; the seed is in the test's name.
 */

const CYCLES = Number(process.env.S2EMU_CRASH_CYCLES ?? 2)
const SEED = Number(process.env.S2EMU_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const BASIN = 'persist-crash'
const STREAMS = ['left', 'right'] as const

let base = ''
afterEach(async () => {
  await killAll()
})
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true })
})

const cli = (dir: string): Spawned => spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--persist', dir])

async function started(p: Spawned): Promise<{ url: string; raw: RawFn }> {
  const { url } = await cliStarted(p)
  return { url, raw: (method, path, init) => raw(url, method, path, init) }
}

/** A batch the emulator acknowledged: its records must be at `start` onwards, in order. */
interface Acked {
  readonly stream: string
  readonly start: number
  readonly bodies: readonly string[]
}

/** Everything the writers sent and what was acknowledged of it. */
interface Outcome {
  readonly acked: Acked[]
  /** Every body sent, acknowledged or not (an unacknowledged one may or may not be there). */
  readonly sent: Set<string>
}

/** Unary appends of 1 to 5 records, one after another, until a request fails (the kill). */
async function unaryWriter(r: RawFn, stream: string, label: string, outcome: Outcome, random: () => number): Promise<void> {
  for (let n = 0; ; n++) {
    const bodies = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => `${label}-${n}-${i}`)
    for (const body of bodies) outcome.sent.add(body)
    let res
    try {
      res = await r('POST', records(stream), { headers: { 's2-basin': BASIN }, body: { records: bodies.map((body) => ({ body })) } })
    } catch {
      return
    }
    if (res.status !== 200) throw new Error(`append answered ${res.status}: ${res.text}`)
    outcome.acked.push({ stream, start: (res.json as { start: { seq_num: number } }).start.seq_num, bodies })
  }
}

/** An S2S append session with up to 8 batches in flight, until the session fails (the kill). */
async function sessionWriter(url: string, stream: string, label: string, outcome: Outcome): Promise<void> {
  const handle = makeClient(url).basin(BASIN).stream(stream, { forceTransport: 's2s' })
  try {
    const session = await handle.appendSession()
    const inFlight = new Set<Promise<unknown>>()
    for (let n = 0; ; n++) {
      const bodies = [`${label}-${n}-0`, `${label}-${n}-1`]
      for (const body of bodies) outcome.sent.add(body)
      const ticket = await session.submit(AppendInput.create(bodies.map((body) => AppendRecord.string({ body }))))
      const acked = ticket.ack().then((ack: AppendAck) => outcome.acked.push({ stream, start: ack.start.seqNum, bodies }))
      inFlight.add(acked)
      void acked.finally(() => inFlight.delete(acked)).catch(() => {})
      if (inFlight.size >= 8) await Promise.race(inFlight)
    }
  } catch {
    // The emulator is gone.
  } finally {
    await handle.close().catch(() => {})
  }
}

/** Every record body of a stream, by sequence number. */
async function readStream(r: RawFn, stream: string): Promise<string[]> {
  const bodies: string[] = []
  for (;;) {
    const res = await r('GET', records(stream, `seq_num=${bodies.length}&count=1000&wait=0`), { headers: { 's2-basin': BASIN } })
    if (res.status === 416) return bodies
    if (res.status !== 200) throw new Error(`read answered ${res.status}: ${res.text}`)
    const batch = (res.json as { records: { seq_num: number; body?: string }[] }).records
    if (batch.length === 0) return bodies
    for (const record of batch) {
      expect(record.seq_num).toBe(bodies.length)
      bodies.push(record.body ?? '')
    }
  }
}

/** Checks that every acknowledged record is where its ack said, and that nothing else crept in. */
async function verify(r: RawFn, outcome: Outcome): Promise<number> {
  let checked = 0
  for (const stream of STREAMS) {
    const bodies = await readStream(r, stream)
    expect(new Set(bodies).size).toBe(bodies.length) // no record twice
    for (const body of bodies) expect(outcome.sent.has(body)).toBe(true)
    for (const batch of outcome.acked.filter((a) => a.stream === stream)) {
      expect(bodies.slice(batch.start, batch.start + batch.bodies.length)).toEqual(batch.bodies)
      checked += batch.bodies.length
    }
  }
  return checked
}

it(`every acknowledged record survives SIGKILL at random moments under load (seed ${SEED}, ${CYCLES} cycles)`, { timeout: 60_000 + CYCLES * 30_000 }, async () => {
  base = await mkdtemp(join(tmpdir(), 's2emu-crash-'))
  const dir = join(base, 'data')
  const random = rng(SEED)
  const outcome: Outcome = { acked: [], sent: new Set() }

  const setup = cli(dir)
  const first = await started(setup)
  await createBasin(first.raw, BASIN)
  for (const stream of STREAMS) await createStream(first.raw, BASIN, stream)
  setup.child.kill('SIGKILL')
  await setup.exited

  let acknowledged = 0
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const p = cli(dir)
    const { url, raw: r } = await started(p)
    // What the last kill left must load, and hold everything acknowledged before it.
    expect(await verify(r, outcome)).toBe(acknowledged)
    const writers = STREAMS.flatMap((stream) => [
      unaryWriter(r, stream, `c${cycle}-${stream}-u0`, outcome, random),
      unaryWriter(r, stream, `c${cycle}-${stream}-u1`, outcome, random),
      sessionWriter(url, stream, `c${cycle}-${stream}-s`, outcome),
    ])
    await delay(150 + random() * 450)
    p.child.kill('SIGKILL')
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' })
    await Promise.all(writers)
    acknowledged = outcome.acked.reduce((n, a) => n + a.bodies.length, 0)
  }
  expect(acknowledged).toBeGreaterThan(0)

  // A last start after the last kill, then a clean stop folds everything into state.s2snap.
  const last = cli(dir)
  const after = await started(last)
  expect(await verify(after.raw, outcome)).toBe(acknowledged)
  last.child.kill('SIGTERM')
  expect(await last.exited).toEqual({ code: 0, signal: null })
  expect(await readdir(dir)).toEqual(['state.s2snap'])
  const again = cli(dir)
  expect(await verify((await started(again)).raw, outcome)).toBe(acknowledged)
})
