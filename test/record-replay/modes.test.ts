import { AppendInput, AppendRecord, S2Error } from '@s2-dev/streamstore'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'
import { CASSETTE_MODE_ENV, MISS_CODE, MISS_STATUS, startCassette } from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'

const tempDir = useTempDirs()
const upstreams: S2Emulator[] = []
afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((u) => u.stop()))
})
async function upstream(): Promise<S2Emulator> {
  const emulator = await startS2Emulator({ port: 0 })
  upstreams.push(emulator)
  return emulator
}

/** Records: create a basin and a stream, append `a`, check the tail twice. */
async function recordBasics(path: string, from: S2Emulator): Promise<void> {
  const recorder = await startCassette({ path, mode: 'record', upstream: from.url, env: {} })
  const s2 = sdkAt(recorder.url)
  await s2.basins.create({ basin: 'modes-basin' })
  await s2.basin('modes-basin').streams.create({ stream: 'orders' })
  const orders = s2.basin('modes-basin').stream('orders')
  await orders.checkTail()
  await orders.append(AppendInput.create([AppendRecord.string({ body: 'a' })]))
  await orders.checkTail()
  await recorder.stop()
}

describe('replay', () => {
  it('answers a request it has no recording for with 599 cassette_miss, naming the nearest recorded one and what differs', async () => {
    const path = join(tempDir(), 'basics.json')
    await recordBasics(path, await upstream())
    const replayer = await startCassette({ path, mode: 'replay', env: {} })
    const orders = sdkAt(replayer.url).basin('modes-basin').stream('orders')

    const error = await orders.append(AppendInput.create([AppendRecord.string({ body: 'b' })])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(S2Error)
    expect(error).toMatchObject({ status: MISS_STATUS, code: MISS_CODE })
    expect((error as S2Error).message).toContain('the nearest is #4, which differs in body at records[0].body: recorded "a", got "b"')

    const raw = await fetch(`${replayer.url}/v1/streams/payments/records/tail`, { headers: { 's2-basin': 'modes-basin' } })
    expect(raw.status).toBe(599)
    const body = (await raw.json()) as { code: string; message: string; nearest: { id: number; differences: string[] } }
    expect(body.code).toBe('cassette_miss')
    expect(body.nearest).toEqual({ id: 3, differences: ['path: recorded "/v1/streams/orders/records/tail", got "/v1/streams/payments/records/tail"', 'stream: recorded "orders", got "payments"'] })

    const report = await replayer.stop()
    expect(report.misses.map((m) => [m.reason, m.method, m.path, m.nearest?.id])).toEqual([
      ['no_match', 'POST', '/v1/streams/orders/records', 4],
      ['no_match', 'GET', '/v1/streams/payments/records/tail', 3],
    ])
    expect(report.unused.map((u) => u.id)).toEqual([1, 2, 3, 4, 5])
  })

  it('gives repeated identical requests their recorded answers in order, then a miss (or the last answer again, if allowed)', async () => {
    const path = join(tempDir(), 'basics.json')
    await recordBasics(path, await upstream())
    for (const allowRepeats of [false, true]) {
      const replayer = await startCassette({ path, mode: 'replay', allowRepeats, env: {} })
      const orders = sdkAt(replayer.url).basin('modes-basin').stream('orders')
      expect((await orders.checkTail()).tail.seqNum).toBe(0)
      expect((await orders.checkTail()).tail.seqNum).toBe(1)
      const third = await orders.checkTail().then((t) => t.tail.seqNum, (e: unknown) => (e as S2Error).code)
      const report = await replayer.stop()
      if (allowRepeats) {
        expect(third).toBe(1)
        expect(report.misses).toEqual([])
      } else {
        expect(third).toBe(MISS_CODE)
        expect(report.misses).toMatchObject([{ reason: 'exhausted', nearest: { id: 5 } }])
        expect(report.misses[0]?.message).toContain('was recorded 2 time(s) (#3, #5) and every one was replayed already')
      }
    }
  })

  it('fails to start when the cassette does not exist', async () => {
    await expect(startCassette({ path: join(tempDir(), 'none.json'), mode: 'replay', env: {} })).rejects.toMatchObject({
      code: 'S2EMU_CASSETTE_NOT_FOUND',
    })
  })
})

describe('record-missing', () => {
  it('replays what the cassette has without asking the upstream, records the rest and adds it to the cassette', async () => {
    const path = join(tempDir(), 'grows.json')
    const from = await upstream()
    await recordBasics(path, from)
    const before = JSON.parse(readFileSync(path, 'utf8')) as { entries: { id: number }[] }
    const seen = (await from.journal.list()).length

    const server = await startCassette({ path, mode: 'record-missing', upstream: from.url, env: {} })
    const orders = sdkAt(server.url).basin('modes-basin').stream('orders')
    expect((await orders.checkTail()).tail.seqNum).toBe(0) // replayed: the recorded answer, not the upstream's 1
    await orders.append(AppendInput.create([AppendRecord.string({ body: 'b' })])) // new: recorded
    const report = await server.stop()
    expect(report).toMatchObject({ mode: 'record-missing', replayed: 1, recorded: 1, saved: true, misses: [] })
    expect((await from.journal.list()).slice(seen).map((e) => e.operation)).toEqual(['append'])

    const after = JSON.parse(readFileSync(path, 'utf8')) as { entries: { id: number; request: { body?: unknown } }[] }
    expect(after.entries.slice(0, before.entries.length)).toEqual(before.entries)
    expect(after.entries.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6])
    expect(after.entries[5]?.request.body).toEqual({ json: { records: [{ body: 'b' }] } })
  })
})

describe(`the mode variable ${CASSETTE_MODE_ENV}`, () => {
  it('set to replay, refuses to record whatever the code asks: nothing reaches the upstream and the cassette is unchanged', async () => {
    const path = join(tempDir(), 'locked.json')
    const from = await upstream()
    await recordBasics(path, from)
    const bytes = readFileSync(path)
    const seen = (await from.journal.list()).length
    for (const mode of ['record', 'record-missing', 'passthrough'] as const) {
      const server = await startCassette({ path, mode, upstream: from.url, env: { [CASSETTE_MODE_ENV]: 'replay' } })
      expect(server.mode).toBe('replay')
      const s2 = sdkAt(server.url)
      const error = await s2.basins.create({ basin: 'never-recorded' }).catch((e: unknown) => e)
      expect(error).toMatchObject({ status: 599, code: 'cassette_miss' })
      expect(await server.stop()).toMatchObject({ saved: false, recorded: 0 })
    }
    expect((await from.journal.list()).length).toBe(seen)
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('must name a mode', async () => {
    await expect(startCassette({ path: 'x.json', env: { [CASSETTE_MODE_ENV]: 'lockdown' } })).rejects.toMatchObject({
      code: 'S2EMU_BAD_OPTIONS',
      message: expect.stringContaining(`${CASSETTE_MODE_ENV} must be one of record, replay, record-missing, passthrough; got 'lockdown'`),
    })
  })
})

describe('passthrough', () => {
  it('forwards everything and records nothing', async () => {
    const path = join(tempDir(), 'never.json')
    const from = await upstream()
    const server = await startCassette({ path, mode: 'passthrough', upstream: from.url, env: {} })
    await sdkAt(server.url).basins.create({ basin: 'passed-through' })
    expect(await server.stop()).toMatchObject({ recorded: 0, saved: false })
    expect(existsSync(path)).toBe(false)
    expect((await from.journal.list()).map((e) => e.operation)).toEqual(['create_basin'])
  })
})
