import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { S2EmulatorOptions } from '../../src/index.ts'
import { raw, startError, useStartedEmulators } from '../support/emulator.ts'
import { killAll, spawnProcess, started as cliStarted, until, type Spawned } from '../support/process.ts'
import { richNamespace, T0 } from '../support/rich-state.ts'
import { makeClient } from '../support/sessions.ts'
import { appendInputFrame, expectAck, H2Client, s2sAppendInit, terminalOf, type WireFrame } from '../support/wire.ts'
import { appendBodies, bodiesOf, capture, createBasin, createStream, expectStatus, streamNames, tailOf, type RawFn } from '../support/state.ts'

/**
 * `--persist DIR` keeps every acknowledged change through a crash (docs/persist-log.md): each
 * change is logged and fsynced before its answer or ack leaves, the log is replayed on top of the
 * state file at start, and a write torn by a crash is dropped, never loaded. Here the emulator is
 * killed with SIGKILL (no chance to save anything) and started again on the same directory.
 */

let base = ''
const startEmulator = useStartedEmulators()
afterEach(async () => {
  await killAll()
})
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true })
})

async function newDir(): Promise<string> {
  base ||= await mkdtemp(join(tmpdir(), 's2emu-persistlog-'))
  return mkdtemp(join(base, 'case-'))
}

/** The CLI on a free port, on a virtual clock at T0, keeping deleted basins and streams listed for 10 minutes. */
const cli = (dir: string, ...args: string[]): Spawned =>
  spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--persist', dir, '--clock', 'virtual', '--start-time', String(T0), '--deletion-delay', '600000', ...args])

async function started(p: Spawned): Promise<{ url: string; raw: RawFn }> {
  const { url } = await cliStarted(p)
  return { url, raw: (method, path, init) => raw(url, method, path, init) }
}

async function kill(p: Spawned): Promise<void> {
  p.child.kill('SIGKILL')
  expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' })
}

const segmentsOf = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.s2log')).sort()

describe('an acknowledged change survives SIGKILL', () => {
  it('every kind of state, written by unary requests, comes back exactly after a kill and a restart', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir)
    const one = await started(first)
    await richNamespace(one.raw, 'crash')
    const before = await capture(one.raw)
    await kill(first)
    // Nothing was saved on the way out: only the log holds the state.
    expect((await readdir(dir)).includes('state.s2snap')).toBe(false)

    const second = cli(dir)
    const two = await started(second)
    expect(await capture(two.raw)).toEqual(before)
  })

  it('records acked in an S2S append session come back after a kill', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir)
    const one = await started(first)
    await createBasin(one.raw, 'persist-session')
    await createStream(one.raw, 'persist-session', 'pipelined')
    const s2 = makeClient(one.url)
    const stream = s2.basin('persist-session').stream('pipelined', { forceTransport: 's2s' })
    const session = await stream.appendSession()
    const tickets = []
    for (let i = 0; i < 50; i++) tickets.push(await session.submit(AppendInput.create([AppendRecord.string({ body: `p${i}` })])))
    const acks = await Promise.all(tickets.map((t) => t.ack()))
    expect(acks.at(-1)?.end.seqNum).toBe(50)
    await kill(first)
    await stream.close().catch(() => {})

    const second = cli(dir)
    const two = await started(second)
    expect(await bodiesOf(two.raw, 'persist-session', 'pipelined')).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`))
  })

  it('a restored snapshot, and what came after it, survive a kill', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir)
    const one = await started(first)
    await createBasin(one.raw, 'persist-restore')
    await createStream(one.raw, 'persist-restore', 's')
    await appendBodies(one.raw, 'persist-restore', 's', ['kept'])
    expectStatus(await one.raw('POST', '/_emulator/snapshots', { body: { name: 'clean' } }), 201)
    await appendBodies(one.raw, 'persist-restore', 's', ['undone by the restore'])
    expectStatus(await one.raw('POST', '/_emulator/snapshots/clean/restore'), 200)
    await appendBodies(one.raw, 'persist-restore', 's', ['after the restore'])
    await kill(first)

    const second = cli(dir)
    const two = await started(second)
    expect(await bodiesOf(two.raw, 'persist-restore', 's')).toEqual(['kept', 'after the restore'])
  })

  it('resets, deletions, purges and a stream made again under the same name replay in order', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--persist', dir, '--deletion-delay', '50'])
    const one = await started(first)
    await createBasin(one.raw, 'persist-reset')
    await createStream(one.raw, 'persist-reset', 'again')
    await appendBodies(one.raw, 'persist-reset', 'again', ['old'])
    expect((await one.raw('DELETE', '/v1/streams/again', { headers: { 's2-basin': 'persist-reset' } })).status).toBe(202)
    await until(async () => !(await streamNames(one.raw, 'persist-reset')).includes('again'))
    await createStream(one.raw, 'persist-reset', 'again')
    await appendBodies(one.raw, 'persist-reset', 'again', ['new'])
    await createBasin(one.raw, 'persist-reset-gone')
    expectStatus(await one.raw('POST', '/_emulator/reset', { body: { basin: 'persist-reset-gone' } }), 200)
    await kill(first)

    const second = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--persist', dir])
    const two = await started(second)
    expect(await bodiesOf(two.raw, 'persist-reset', 'again')).toEqual(['new'])
    expectStatus(await two.raw('GET', '/v1/basins/persist-reset-gone'), 404)
  })

  it('with --no-persist-fsync, acknowledged changes still survive a kill of the process', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir, '--no-persist-fsync')
    const one = await started(first)
    expect(first.stdout()).toContain('written every 5 ms before acknowledging')
    await createBasin(one.raw, 'persist-nofsync')
    await createStream(one.raw, 'persist-nofsync', 's')
    await appendBodies(one.raw, 'persist-nofsync', 's', ['a', 'b'])
    await kill(first)

    const second = cli(dir)
    const two = await started(second)
    expect(await bodiesOf(two.raw, 'persist-nofsync', 's')).toEqual(['a', 'b'])
  })
})

describe('the log on disk', () => {
  it('a write torn by a crash at the end of the log is dropped, never loaded, and the start says so', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir)
    const one = await started(first)
    await createBasin(one.raw, 'persist-torn')
    await createStream(one.raw, 'persist-torn', 's')
    await appendBodies(one.raw, 'persist-torn', 's', ['whole'])
    await kill(first)
    const [segment] = await segmentsOf(dir)
    if (segment === undefined) throw new Error('no log segment')
    // The first 40 bytes of another entry (an append of 1 record): a write the crash cut short.
    const bytes = await readFile(join(dir, segment))
    await appendFile(join(dir, segment), bytes.subarray(bytes.length - 40))

    const second = cli(dir)
    const two = await started(second)
    expect(second.stderr()).toMatch(/dropped 40 bytes of a persist log write cut short by a crash/)
    expect(await bodiesOf(two.raw, 'persist-torn', 's')).toEqual(['whole'])
    // The log goes on after the torn bytes: more changes, another kill, and everything is there.
    await appendBodies(two.raw, 'persist-torn', 's', ['after'])
    await kill(second)
    const third = cli(dir)
    const three = await started(third)
    expect(await bodiesOf(three.raw, 'persist-torn', 's')).toEqual(['whole', 'after'])
  })

  it('a damaged entry in the middle of the log is an error naming the file, not a silent loss', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = cli(dir)
    const one = await started(first)
    await createBasin(one.raw, 'persist-damaged')
    await kill(first)
    const second = cli(dir)
    const two = await started(second)
    await createStream(two.raw, 'persist-damaged', 's')
    await kill(second)
    // Two segments now (one per run); damage the end of the first: the second cannot follow it.
    const [older] = await segmentsOf(dir)
    if (older === undefined) throw new Error('no log segment')
    const path = join(dir, older)
    const bytes = await readFile(path)
    await writeFile(path, bytes.subarray(0, bytes.length - 1))
    const third = cli(dir)
    expect(await third.exited).toEqual({ code: 1, signal: null })
    expect(third.stderr()).toContain(`cannot replay the persist log: ${join(dir)}`)
    expect(third.stderr()).toMatch(/change \d+ follows change \d+: changes .* are missing/)
  })

  it('a clean stop folds the log into state.s2snap and leaves no segment behind', async () => {
    const dir = await newDir()
    const first = await startEmulator({ persistDir: dir })
    const r: RawFn = (method, path, init) => raw(first.url, method, path, init)
    await createBasin(r, 'persist-fold')
    expect(await segmentsOf(dir)).toHaveLength(1)
    await first.stop()
    expect(await readdir(dir)).toEqual(['state.s2snap'])
    const second = await startEmulator({ persistDir: dir })
    expect((await raw(second.url, 'GET', '/v1/basins/persist-fold')).status).toBe(200)
  })

  it('once the log outgrows 16 MiB, a checkpoint writes state.s2snap and deletes the segments it covers', { timeout: 60_000 }, async () => {
    const dir = await newDir()
    const first = await startEmulator({ persistDir: dir })
    const r: RawFn = (method, path, init) => raw(first.url, method, path, init)
    await createBasin(r, 'persist-checkpoint')
    await createStream(r, 'persist-checkpoint', 'big')
    const body = 'x'.repeat(1_000_000)
    for (let i = 0; i < 17; i++) await appendBodies(r, 'persist-checkpoint', 'big', [body])
    await until(async () => (await readdir(dir)).includes('state.s2snap') && (await segmentsOf(dir)).length === 1)
    expect((await stat(join(dir, 'state.s2snap'))).size).toBeGreaterThan(0)
    const tail = await tailOf(r, 'persist-checkpoint', 'big')
    await appendBodies(r, 'persist-checkpoint', 'big', ['after the checkpoint'])
    // Loading the state file and then the rest of the log gives everything.
    const second = await startEmulator({ persistDir: await copyOf(dir) })
    const r2: RawFn = (method, path, init) => raw(second.url, method, path, init)
    expect(await tailOf(r2, 'persist-checkpoint', 'big')).toEqual({ ...tail, seq_num: tail.seq_num + 1, timestamp: expect.any(Number) })
  })
})

/** A copy of a directory's files as they are now (a running emulator's, read as a crash would leave them). */
async function copyOf(dir: string): Promise<string> {
  const copy = await newDir()
  for (const name of await readdir(dir)) if (!name.startsWith('.')) await writeFile(join(copy, name), await readFile(join(dir, name)))
  return copy
}

describe('S2S append sessions under --persist', () => {
  it('pipelined inputs are acked in order once durable, and a failing input\'s terminal frame comes after the acks before it', async () => {
    const emulator = await startEmulator({ persistDir: await newDir(), persistFlushIntervalMs: 100 })
    const r: RawFn = (method, path, init) => raw(emulator.url, method, path, init)
    await createBasin(r, 'persist-pipeline')
    await createStream(r, 'persist-pipeline', 's')
    const client = await H2Client.connect(emulator.url)
    try {
      const x = client.exchange(s2sAppendInit('persist-pipeline', 's'))
      const started = performance.now()
      // Three inputs at once; the third expects seq 0 and fails, after the first two committed.
      await x.write(Buffer.concat([appendInputFrame(['a']), appendInputFrame(['b', 'c']), appendInputFrame(['x'], { match_seq_num: 0 })]))
      const first = await expectAck(x)
      expect(performance.now() - started).toBeGreaterThanOrEqual(95)
      expect([first.start.seq_num, (await expectAck(x)).start.seq_num]).toEqual([0, 1])
      const terminal = terminalOf((await x.nextFrame()) as WireFrame)
      expect(terminal).toMatchObject({ status: 412, body: { seq_num_mismatch: 3 } })
      expect(await x.nextFrame()).toBeNull()
    } finally {
      client.destroy()
    }
    expect(await bodiesOf(r, 'persist-pipeline', 's')).toEqual(['a', 'b', 'c'])
  })
})

describe('options', () => {
  it('acks wait for the group commit: with a 300 ms flush interval an append is answered no sooner', async () => {
    const emulator = await startEmulator({ persistDir: await newDir(), persistFlushIntervalMs: 300 })
    const r: RawFn = (method, path, init) => raw(emulator.url, method, path, init)
    await createBasin(r, 'persist-interval')
    await createStream(r, 'persist-interval', 's')
    const started = performance.now()
    await appendBodies(r, 'persist-interval', 's', ['waited'])
    expect(performance.now() - started).toBeGreaterThanOrEqual(295)
  })

  it.each<[S2EmulatorOptions, RegExp]>([
    [{ persistFlushIntervalMs: -1 }, /persistFlushIntervalMs must be a number of milliseconds from 0 to 60000/],
    [{ persistFlushIntervalMs: Number.NaN }, /persistFlushIntervalMs/],
    [{ persistFsync: 'yes' as unknown as boolean }, /persistFsync must be true or false/],
  ])('%j is refused', async (options, message) => {
    expect(String(await startError(options))).toMatch(message)
  })

  it('--persist-flush-interval and --no-persist-fsync without --persist are a usage error', async () => {
    const p = spawnProcess(process.execPath, ['src/cli.ts', '--no-persist-fsync'])
    expect(await p.exited).toEqual({ code: 2, signal: null })
    expect(p.stderr()).toContain('apply to --persist <dir>')
  })
})
