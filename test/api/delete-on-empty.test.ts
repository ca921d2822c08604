import { describe, expect, it } from 'vitest'
import {
  appendOk,
  BASE64,
  checkTail,
  expectS2Error,
  readRaw,
  trimRecord,
  type EmulatorContext,
  type WireRecord,
} from '../support/append-helpers.ts'
import { basinName, useEmulator } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'

// Delete-on-empty (s2-lite §9.5) and the asynchronous purge of deleted streams and basins (§9.1,
// §9.2), on a virtual clock that the emulator's background work also runs on. The emulator's model
// of delete-on-empty: a stream is deleted once now >= max(last write, creation) + min_age and it has
// no live records, checked every background interval.
const SEC = 1000
const INTERVAL_MS = 1000
const DELETION_DELAY_MS = 5000

interface StreamInfo {
  readonly name: string
  readonly created_at: string
  readonly deleted_at: string | null
}

interface BasinInfo {
  readonly name: string
  readonly state: string
  readonly deleted_at: string | null
}

async function listStreams(t: EmulatorContext, basin: string): Promise<StreamInfo[]> {
  const res = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
  expect(res.status).toBe(200)
  return (res.json as { streams: StreamInfo[] }).streams
}

async function streamInfo(t: EmulatorContext, basin: string, stream: string): Promise<StreamInfo | undefined> {
  return (await listStreams(t, basin)).find((s) => s.name === stream)
}

async function basinInfo(t: EmulatorContext, basin: string): Promise<BasinInfo | undefined> {
  const res = await t.raw('GET', `/v1/basins?prefix=${basin}`)
  expect(res.status).toBe(200)
  return (res.json as { basins: BasinInfo[] }).basins.find((b) => b.name === basin)
}

const getStream = (t: EmulatorContext, basin: string, stream: string) =>
  t.raw('GET', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })

const createStream = (t: EmulatorContext, basin: string, stream: string, config?: unknown) =>
  t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: config === undefined ? { stream } : { stream, config } })

/** Asserts the stream is live: listed without deleted_at and its config readable. */
async function expectLive(t: EmulatorContext, basin: string, stream: string): Promise<void> {
  const info = await streamInfo(t, basin, stream)
  expect(info).toBeDefined()
  expect(info?.deleted_at).toBeNull()
  expect((await getStream(t, basin, stream)).status).toBe(200)
}

/** Asserts the stream is pending deletion: listed with deleted_at in [notBefore, now], 409 on access. */
async function expectDeleting(t: EmulatorContext, clock: ManualClock, basin: string, stream: string, notBefore: number): Promise<void> {
  const info = await streamInfo(t, basin, stream)
  expect(info?.deleted_at).toEqual(expect.any(String))
  const deletedAt = Date.parse(info?.deleted_at ?? '')
  expect(deletedAt).toBeGreaterThanOrEqual(notBefore)
  expect(deletedAt).toBeLessThanOrEqual(clock.now())
  expectS2Error(await getStream(t, basin, stream), 409, 'stream_deletion_pending')
}

/** Asserts the stream is purged: not listed, 404 stream_not_found. */
async function expectGone(t: EmulatorContext, basin: string, stream: string): Promise<void> {
  expect(await streamInfo(t, basin, stream)).toBeUndefined()
  expectS2Error(await getStream(t, basin, stream), 404, 'stream_not_found')
}

describe('delete-on-empty', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const t = useEmulator({ clock, backgroundIntervalMs: INTERVAL_MS, deletionDelayMs: DELETION_DELAY_MS })

  it('deletes a never-written stream once min_age has passed since its creation, then purges it', async () => {
    const { basin, stream } = await t.stream({ delete_on_empty: { min_age_secs: 30 } })
    const created = clock.now()

    clock.set(created + 30 * SEC - 1)
    await expectLive(t, basin, stream)

    // The next background run after min_age deletes it, exactly as a DELETE would.
    clock.set(created + 30 * SEC + INTERVAL_MS)
    await expectDeleting(t, clock, basin, stream, created + 30 * SEC)
    expectS2Error(await readRaw(t, basin, stream, 'seq_num=0'), 409, 'stream_deletion_pending')
    expectS2Error(await createStream(t, basin, stream), 409, 'stream_deletion_pending')

    clock.advance(DELETION_DELAY_MS)
    await expectGone(t, basin, stream)
    expect((await createStream(t, basin, stream)).status).toBe(201)
  })

  it('does not delete a stream that has live records, however old it is', async () => {
    const { basin, stream } = await t.stream({ delete_on_empty: { min_age_secs: 10 }, retention_policy: { age: 3600 } })
    await appendOk(t, basin, stream, { records: [{ body: 'still here' }] })
    clock.advance(3600 * SEC - 1)
    await expectLive(t, basin, stream)
    const res = await readRaw(t, basin, stream, 'seq_num=0')
    expect((res.json as { records: WireRecord[] }).records.map((r) => r.body)).toEqual(['still here'])
  })

  it('deletes a stream whose records have all expired once its last write is min_age old, and not before', async () => {
    const { basin, stream } = await t.stream({ delete_on_empty: { min_age_secs: 30 }, retention_policy: { age: 10 } })
    const created = clock.now()
    clock.advance(15 * SEC)
    const lastWrite = clock.now()
    await appendOk(t, basin, stream, { records: [{ body: 'short-lived' }] })

    // Past creation + min_age and past the records' expiry, but the last write is too recent.
    clock.set(lastWrite + 30 * SEC - 1)
    expect(clock.now()).toBeGreaterThan(created + 30 * SEC)
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 1, timestamp: lastWrite })
    await expectLive(t, basin, stream)

    clock.set(lastWrite + 30 * SEC + INTERVAL_MS)
    await expectDeleting(t, clock, basin, stream, lastWrite + 30 * SEC)
    clock.advance(DELETION_DELAY_MS)
    await expectGone(t, basin, stream)
  })

  it('treats min_age_secs 0 as disabled, also when it explicitly overrides a basin default', async () => {
    const basin = await t.basin({ default_stream_config: { delete_on_empty: { min_age_secs: 5 } } })
    expect((await createStream(t, basin, 'explicit-zero', { delete_on_empty: { min_age_secs: 0 } })).status).toBe(201)
    expect((await createStream(t, basin, 'inherits')).status).toBe(201)
    const plain = await t.stream({ delete_on_empty: { min_age_secs: 0 } })
    const unset = await t.stream()

    clock.advance(3600 * SEC)
    await expectLive(t, basin, 'explicit-zero')
    await expectLive(t, plain.basin, plain.stream)
    await expectLive(t, unset.basin, unset.stream)
    // The stream that inherited the basin's min_age of 5 s is the only one deleted.
    await expectGone(t, basin, 'inherits')
  })

  it('deletes a stream emptied by a trim command once min_age has passed since the trim', async () => {
    const { basin, stream } = await t.stream({ delete_on_empty: { min_age_secs: 30 }, retention_policy: { infinite: {} } })
    await appendOk(t, basin, stream, { records: [{ body: 'a' }, { body: 'b' }, { body: 'c' }] })
    clock.advance(120 * SEC)
    await expectLive(t, basin, stream)

    const trimmedAt = clock.now()
    // Trimming far past the tail removes every record, the trim record itself included.
    const ack = await appendOk(t, basin, stream, { records: [trimRecord(1_000_000)] }, BASE64)
    expect(ack.end.seq_num).toBe(4)
    // Background work deletes the trimmed records trimDelayMs (100 ms by default) later.
    expect((await readRaw(t, basin, stream, 'seq_num=0')).json).toMatchObject({ records: [{ seq_num: 0 }, {}, {}, { seq_num: 3 }] })
    clock.advance(100)
    expect((await readRaw(t, basin, stream, 'seq_num=0')).json).toEqual({ records: [] })

    clock.set(trimmedAt + 30 * SEC - 1)
    await expectLive(t, basin, stream)
    clock.set(trimmedAt + 30 * SEC + INTERVAL_MS)
    await expectDeleting(t, clock, basin, stream, trimmedAt + 30 * SEC)
    clock.advance(DELETION_DELAY_MS)
    await expectGone(t, basin, stream)
  })

  it('deletes an empty stream whose delete_on_empty was enabled later by a reconfigure', async () => {
    const { basin, stream } = await t.stream({ retention_policy: { infinite: {} } })
    clock.advance(600 * SEC)
    await expectLive(t, basin, stream)
    const patched = await t.raw('PATCH', `/v1/streams/${stream}`, {
      headers: { 's2-basin': basin },
      body: { delete_on_empty: { min_age_secs: 60 } },
    })
    expect(patched.status).toBe(200)
    // s2-lite's timing here is loose: enabling arms a deadline of now + min_age + 600 s (infinite
    // retention counts 0), checked on a 60 s tick. Past all of that, the stream must be gone.
    clock.advance((60 + 600 + 60) * SEC + DELETION_DELAY_MS)
    await expectGone(t, basin, stream)
  })
})

describe('deletion purge', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const t = useEmulator({ clock, backgroundIntervalMs: INTERVAL_MS, deletionDelayMs: DELETION_DELAY_MS })

  it('keeps a deleted stream listed with deleted_at for deletionDelayMs of clock time, then frees its name', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: 'before' }] })
    const deletedAt = clock.now()
    expect((await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })).status).toBe(202)

    const info = await streamInfo(t, basin, stream)
    expect(Date.parse(info?.deleted_at ?? '')).toBe(deletedAt)
    expectS2Error(await createStream(t, basin, stream), 409, 'stream_deletion_pending')
    expectS2Error(await appendRawBody(t, basin, stream), 409, 'stream_deletion_pending')

    clock.set(deletedAt + DELETION_DELAY_MS - 1)
    await expectDeleting(t, clock, basin, stream, deletedAt)
    // Deleting again while pending is accepted and does not restart the delay.
    expect((await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })).status).toBe(202)

    clock.set(deletedAt + DELETION_DELAY_MS)
    await expectGone(t, basin, stream)

    const recreated = await createStream(t, basin, stream)
    expect(recreated.status).toBe(201)
    expect(Date.parse((recreated.json as StreamInfo).created_at)).toBe(clock.now())
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 0, timestamp: 0 })
  })

  it('lists a deleted basin as deleting with its streams tombstoned until the delay passes, then frees the basin name', async () => {
    const basin = await t.basin()
    expect((await createStream(t, basin, 'one')).status).toBe(201)
    expect((await createStream(t, basin, 'two')).status).toBe(201)
    const deletedAt = clock.now()
    expect((await t.raw('DELETE', `/v1/basins/${basin}`)).status).toBe(202)

    const check = async (): Promise<void> => {
      const info = await basinInfo(t, basin)
      expect(info?.state).toBe('deleting')
      expect(Date.parse(info?.deleted_at ?? '')).toBe(deletedAt)
      const streams = await listStreams(t, basin)
      expect(streams.map((s) => [s.name, Date.parse(s.deleted_at ?? '')])).toEqual([
        ['one', deletedAt],
        ['two', deletedAt],
      ])
      expect((await t.raw('GET', `/v1/basins/${basin}`)).status).toBe(200)
      expectS2Error(await t.raw('POST', '/v1/basins', { body: { basin } }), 409, 'basin_deletion_pending')
      expectS2Error(await createStream(t, basin, 'three'), 409, 'basin_deletion_pending')
    }
    await check()
    clock.set(deletedAt + DELETION_DELAY_MS - 1)
    await check()

    clock.set(deletedAt + DELETION_DELAY_MS)
    expect(await basinInfo(t, basin)).toBeUndefined()
    expectS2Error(await t.raw('GET', `/v1/basins/${basin}`), 404, 'basin_not_found')
    expect(await listStreams(t, basin)).toEqual([])

    const recreated = await t.raw('POST', '/v1/basins', { body: { basin } })
    expect(recreated.status).toBe(201)
    expect((recreated.json as BasinInfo).state).toBe('active')
    expect(await listStreams(t, basin)).toEqual([])
    expect((await createStream(t, basin, 'one')).status).toBe(201)
  })

  it('purges a deleted empty basin after the delay', async () => {
    const basin = basinName('empty')
    expect((await t.raw('POST', '/v1/basins', { body: { basin } })).status).toBe(201)
    const deletedAt = clock.now()
    expect((await t.raw('DELETE', `/v1/basins/${basin}`)).status).toBe(202)
    expect((await basinInfo(t, basin))?.state).toBe('deleting')
    clock.set(deletedAt + DELETION_DELAY_MS)
    expect(await basinInfo(t, basin)).toBeUndefined()
  })
})

describe('background work on the injected clock', () => {
  // A purge falls due long before the next regular background run: the work must wake for it.
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const t = useEmulator({ clock, backgroundIntervalMs: 3600 * SEC, deletionDelayMs: 100 })

  it('purges a deleted stream when its delay has passed, without waiting for the next background interval', async () => {
    const { basin, stream } = await t.stream()
    const deletedAt = clock.now()
    expect((await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })).status).toBe(202)
    clock.set(deletedAt + 99)
    expect((await streamInfo(t, basin, stream))?.deleted_at).not.toBeNull()
    clock.set(deletedAt + 100)
    await expectGone(t, basin, stream)
  })

  it('wakes for a delete-on-empty deadline on the injected clock, whatever the interval', async () => {
    const { basin, stream } = await t.stream({ delete_on_empty: { min_age_secs: 1 } })
    // The background interval is an hour, but the deadline (creation + 1 s) is a timer of its own.
    const deadline = clock.nextTimerAt()
    expect(deadline).toBe(clock.now() + 1000)
    clock.set((deadline ?? 0) - 1)
    await expectLive(t, basin, stream)
    clock.set(deadline ?? 0)
    const info = await streamInfo(t, basin, stream)
    expect(info?.deleted_at).not.toBeNull()
  })
})

function appendRawBody(t: EmulatorContext, basin: string, stream: string) {
  return t.raw('POST', `/v1/streams/${stream}/records`, { headers: { 's2-basin': basin }, body: { records: [{ body: 'x' }] } })
}
