import { AppendInput, AppendRecord, S2Error } from '@s2-dev/streamstore'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Clock, Timer } from '../../src/index.ts'
import { appendOk, appendRaw, checkTail, expectS2Error, readAll } from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'

/** A clock that stands still until a test moves it; timers still run on real time. */
class ManualClock implements Clock {
  current = 0
  now(): number {
    return this.current
  }
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms))
    handle.unref()
    return { cancel: () => clearTimeout(handle) }
  }
}

const NOW = 1_700_000_000_000
const clock = new ManualClock()
const t = useEmulator({ clock })

beforeEach(() => {
  clock.current = NOW
})

const MISSING = 'record timestamp was required but was missing'

type TimestampConfig = { mode?: string; uncapped?: boolean }

/** A fresh stream with this timestamping config; returns basin and stream. */
const streamWith = (timestamping: TimestampConfig) => t.stream({ timestamping })

/** Appends records with these client timestamps (undefined = none) and returns the stored timestamps. */
async function stored(basin: string, stream: string, timestamps: readonly (number | undefined)[]): Promise<number[]> {
  const before = (await checkTail(t, basin, stream)).seq_num
  await appendOk(t, basin, stream, { records: timestamps.map((timestamp) => (timestamp === undefined ? {} : { timestamp })) })
  return (await readAll(t, basin, stream, {}, before)).map((r) => r.timestamp)
}

describe('timestamping: client-prefer (the default)', () => {
  it('keeps client timestamps', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [900, 950])).toEqual([900, 950])
  })

  it('uses the arrival time for records without one, read once per batch', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [undefined, undefined])).toEqual([NOW, NOW])
    clock.current = NOW + 250
    expect(await stored(basin, stream, [undefined])).toEqual([NOW + 250])
  })

  it('caps a future client timestamp at the arrival time', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [NOW + 60_000, NOW + 1])).toEqual([NOW, NOW])
  })
})

describe('timestamping: client-require', () => {
  it('rejects a batch with any record lacking a timestamp with 422, appending none of it', async () => {
    const { basin, stream } = await streamWith({ mode: 'client-require' })
    for (const records of [[{}], [{ timestamp: 1 }, {}], [{ timestamp: null }]]) {
      expectS2Error(await appendRaw(t, basin, stream, { records }), 422, 'invalid', MISSING)
    }
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 0, timestamp: 0 })
    const ack = await appendOk(t, basin, stream, { records: [{ timestamp: 123 }] })
    expect(ack.start).toEqual({ seq_num: 0, timestamp: 123 })
    expect(ack.end.seq_num).toBe(1)
  })

  it('through the SDK: a record without a timestamp fails with S2Error 422 invalid', async () => {
    const { basin, stream } = await streamWith({ mode: 'client-require' })
    const s = t.s2.basin(basin).stream(stream)
    const error = await s.append(AppendInput.create([AppendRecord.string({ body: 'x' })])).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(422)
    expect((error as S2Error).code).toBe('invalid')
    const ack = await s.append(AppendInput.create([AppendRecord.string({ body: 'x', timestamp: new Date(4321) })]))
    expect(ack.start.timestamp).toEqual(new Date(4321))
    const batch = await s.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1 } } })
    expect(batch.records[0]?.timestamp).toEqual(new Date(4321))
  })
})

describe('timestamping: arrival', () => {
  it('ignores client timestamps', async () => {
    const { basin, stream } = await streamWith({ mode: 'arrival' })
    expect(await stored(basin, stream, [5, NOW + 1000, undefined])).toEqual([NOW, NOW, NOW])
    const uncapped = await streamWith({ mode: 'arrival', uncapped: true })
    expect(await stored(uncapped.basin, uncapped.stream, [NOW + 1000])).toEqual([NOW])
  })

  it('never goes backwards when the clock does', async () => {
    const { basin, stream } = await streamWith({ mode: 'arrival' })
    expect(await stored(basin, stream, [undefined])).toEqual([NOW])
    clock.current = NOW - 10_000
    expect(await stored(basin, stream, [undefined])).toEqual([NOW])
    clock.current = NOW + 1
    expect(await stored(basin, stream, [undefined])).toEqual([NOW + 1])
  })
})

describe('timestamping: uncapped', () => {
  it('keeps a future client timestamp, and later records are lifted to it', async () => {
    const { basin, stream } = await streamWith({ uncapped: true })
    const future = NOW + 60_000
    expect(await stored(basin, stream, [future])).toEqual([future])
    expect(await stored(basin, stream, [undefined, 1000])).toEqual([future, future])
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 3, timestamp: future })
  })
})

describe('timestamping: never decreasing', () => {
  it('lifts [1000, 900, 1100] to [1000, 1000, 1100]; the ack ends with the last timestamp', async () => {
    const { basin, stream } = await t.stream()
    const ack = await appendOk(t, basin, stream, { records: [{ timestamp: 1000 }, { timestamp: 900 }, { timestamp: 1100 }] })
    expect(ack).toEqual({
      start: { seq_num: 0, timestamp: 1000 },
      end: { seq_num: 3, timestamp: 1100 },
      tail: { seq_num: 3, timestamp: 1100 },
    })
    expect((await readAll(t, basin, stream)).map((r) => r.timestamp)).toEqual([1000, 1000, 1100])
  })

  it('lifts a later batch [500, 600] to the previous maximum 1000', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ timestamp: 1000 }] })
    const ack = await appendOk(t, basin, stream, { records: [{ timestamp: 500 }, { timestamp: 600 }] })
    expect(ack).toEqual({
      start: { seq_num: 1, timestamp: 1000 },
      end: { seq_num: 3, timestamp: 1000 },
      tail: { seq_num: 3, timestamp: 1000 },
    })
    expect((await readAll(t, basin, stream)).map((r) => r.timestamp)).toEqual([1000, 1000, 1000])
  })

  it('allows equal timestamps', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [2000, 2000])).toEqual([2000, 2000])
    expect(await stored(basin, stream, [2000])).toEqual([2000])
  })

  it('applies the cap before the monotonic rule', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [NOW + 5, NOW - 5])).toEqual([NOW, NOW])
  })
})

describe('timestamping: reconfiguration applies to the next append', () => {
  it('PATCH mode client-require makes the next append without a timestamp fail', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: 'before' }] })
    const patch = await t.raw('PATCH', `/v1/streams/${stream}`, {
      headers: { 's2-basin': basin },
      body: { timestamping: { mode: 'client-require' } },
    })
    expect(patch.status).toBe(200)
    expectS2Error(await appendRaw(t, basin, stream, { records: [{ body: 'after' }] }), 422, 'invalid', MISSING)
    expect((await appendOk(t, basin, stream, { records: [{ timestamp: 7 }] })).start.seq_num).toBe(1)
  })

  it('PATCH mode arrival and uncapped change how the next timestamps are assigned', async () => {
    const { basin, stream } = await t.stream()
    expect(await stored(basin, stream, [1000])).toEqual([1000])
    const patch = (timestamping: TimestampConfig) =>
      t.raw('PATCH', `/v1/streams/${stream}`, { headers: { 's2-basin': basin }, body: { timestamping } })
    expect((await patch({ mode: 'arrival' })).status).toBe(200)
    expect(await stored(basin, stream, [2000])).toEqual([NOW])
    expect((await patch({ mode: 'client-prefer', uncapped: true })).status).toBe(200)
    expect(await stored(basin, stream, [NOW + 5000])).toEqual([NOW + 5000])
  })

  it('PUT ensure with mode client-require makes the next append fail; PUT without it restores client-prefer', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: 'before' }] })
    const ensure = (body?: unknown) => t.raw('PUT', `/v1/streams/${stream}`, { headers: { 's2-basin': basin }, body })
    const updated = await ensure({ timestamping: { mode: 'client-require' } })
    expect(updated.status).toBe(200)
    expect(updated.headers['s2-provision-result']).toBe('updated')
    expectS2Error(await appendRaw(t, basin, stream, { records: [{ body: 'after' }] }), 422, 'invalid', MISSING)
    expect((await ensure({})).headers['s2-provision-result']).toBe('updated')
    expect(await stored(basin, stream, [undefined])).toEqual([NOW])
  })

  it('a stream created in a basin whose default is client-require requires timestamps', async () => {
    const { basin, stream } = await t.stream(undefined, { default_stream_config: { timestamping: { mode: 'client-require' } } })
    expectS2Error(await appendRaw(t, basin, stream, { records: [{}] }), 422, 'invalid', MISSING)
  })
})
