import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../test/support/manual-clock.ts'
import { RecordBatch, type AppendRecord, type StreamState } from '../store/index.ts'
import { Engine } from './engine.ts'
import type { ReadRequest } from './read-params.ts'
import type { ReadSession } from './read-session.ts'

// When a trim takes effect (s2-lite's stream-trim background task), driven through the engine on a
// virtual clock: the trim point is recorded at commit; background work applies it `trimDelayMs`
// later, and only then do new reads stop seeing the records. Sessions already open keep delivering
// records in append order: s2-lite's followers get them from memory, never from the deleted keys.
const DELAY = 100
const address = { namespace: '', basin: 'b', stream: 's' }

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const body = (record: { body: Uint8Array }): string => new TextDecoder().decode(record.body)
const rec = (b: string): AppendRecord => ({ timestamp: undefined, headers: [], body: text(b) })
const command = (name: string, b: Uint8Array): AppendRecord => ({
  timestamp: undefined,
  headers: [{ name: new Uint8Array(0), value: text(name) }],
  body: b,
})
const fence = (token: string): AppendRecord => command('fence', text(token))
function trim(seqNum: number): AppendRecord {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(seqNum))
  return command('trim', b)
}
const TRIM_ALL = 2 ** 53 - 1

function setup(trimDelayMs = DELAY) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const engine = new Engine({ clock, purgeDelayMs: 1000, trimDelayMs, backgroundIntervalMs: 60_000, heartbeat: { minMs: 5000, maxMs: 5000 } })
  engine.start()
  const account = engine.store.account('')
  account.createBasin('b', { defaultStreamConfig: {}, streamCipher: null, createStreamOnAppend: false, createStreamOnRead: false }, null, clock.now())
  const stream = account.createStream('b', 's', {}, null, clock.now()).stream as StreamState
  const append = (...records: AppendRecord[]) => {
    const ack = engine.append(address, { records: RecordBatch.of(records), matchSeqNum: undefined, fencingToken: undefined })
    if (ack instanceof Promise) throw new Error('without a timing profile, appends are acknowledged at once')
    return ack
  }
  const request = (start: ReadRequest['start'], more: Partial<ReadRequest> = {}): ReadRequest => ({
    start,
    clamp: false,
    count: undefined,
    bytes: undefined,
    until: undefined,
    waitMs: undefined,
    ...more,
  })
  /** The bodies a new unary read from `seqNum` returns. */
  const readFrom = async (seqNum: number): Promise<string[]> =>
    (await engine.readOnce(address, request({ kind: 'seqNum', value: seqNum }))).records.map(body)
  return { clock, engine, stream, append, request, readFrom }
}

/** What a session delivers until it has `n` records (heartbeats skipped): seq nums, and bodies of non-command records. */
async function take(session: ReadSession, n: number): Promise<(number | string)[]> {
  const seen: (number | string)[] = []
  while (seen.length < n) {
    const event = await session.next()
    if (event === null) break
    if (event.type === 'batch') seen.push(...event.records.map((r) => (r.headers.length === 0 ? body(r) : r.seqNum)))
  }
  return seen
}

describe('a trim', () => {
  it('is recorded at commit and applied trimDelayMs later, by background work on the clock', async () => {
    const { clock, stream, append, readFrom } = setup()
    append(rec('a'), rec('b'), rec('c'))
    const trimmedAt = clock.now()
    const ack = append(trim(2))
    expect(ack.end.seqNum).toBe(4)
    expect(stream.trimPoint).toBe(0)
    expect(stream.pendingTrims).toEqual([{ point: 2, at: trimmedAt + DELAY }])
    expect(clock.nextTimerAt()).toBe(trimmedAt + DELAY)

    clock.advance(DELAY - 1)
    expect(await readFrom(0)).toEqual(['a', 'b', 'c', '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0002'])
    clock.advance(1)
    expect(stream.trimPoint).toBe(2)
    expect(stream.pendingTrims).toEqual([])
    expect(stream.log.start).toBe(2) // freed from memory by the same run
    expect((await readFrom(0))[0]).toBe('c')
    expect(stream.tail().seqNum).toBe(4)
  })

  it('applies each of several trims trimDelayMs after its own append, and only ever moves forward', async () => {
    const { clock, stream, append, readFrom } = setup()
    append(rec('a'), rec('b'), rec('c'), rec('d'))
    append(trim(1))
    clock.advance(60)
    append(trim(3))
    append(trim(2)) // lower than the one pending: recorded as a record, no effect
    expect(stream.pendingTrims.map((t) => t.point)).toEqual([1, 3])
    clock.advance(40)
    expect((await readFrom(0))[0]).toBe('b')
    clock.advance(59)
    expect((await readFrom(0))[0]).toBe('b')
    clock.advance(1)
    expect((await readFrom(0))[0]).toBe('d')
    expect(stream.trimPoint).toBe(3)
  })

  it('with trimDelayMs 0, moves the trim point with the append: new reads skip the records at once', async () => {
    const { stream, append, readFrom } = setup(0)
    append(rec('a'), rec('b'))
    append(trim(1))
    expect(await readFrom(0)).toEqual(['b', '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001'])
    expect([stream.trimPoint, stream.pendingTrims]).toEqual([1, []]) // moved with the append, no timer needed
  })

  it('moves a read from a timestamp or a tail offset past the trimmed records only once applied', async () => {
    const { clock, engine, append, request } = setup()
    append({ ...rec('a'), timestamp: 1 }, { ...rec('b'), timestamp: 2 }, { ...rec('c'), timestamp: 3 })
    append(trim(2))
    const fromTimestamp = async () => (await engine.readOnce(address, request({ kind: 'timestamp', value: 1 }))).records.map(body)[0]
    const fromOffset = async () => (await engine.readOnce(address, request({ kind: 'tailOffset', value: 4 }))).records.map(body)[0]
    expect([await fromTimestamp(), await fromOffset()]).toEqual(['a', 'a'])
    clock.advance(DELAY)
    expect([await fromTimestamp(), await fromOffset()]).toEqual(['c', 'c'])
  })
})

describe('a read session open when a trim takes effect', () => {
  it('that follows the tail gets every record in append order: the chunks, then the trim and the fence', async () => {
    for (const delay of [0, DELAY]) {
      const { clock, engine, append, request, readFrom } = setup(delay)
      append(rec('start'))
      const follower = engine.openSession(address, request({ kind: 'seqNum', value: 1 }))
      expect((await follower.next())?.type).toBe('heartbeat')
      // The resumable-stream pattern: a generation's chunks, then [trim(2^53-1), fence("end-...")].
      for (let i = 0; i < 6; i++) append(rec(`chunk-${i}`))
      append(trim(TRIM_ALL), fence('end-1'))
      clock.advance(delay)
      expect(await readFrom(0)).toEqual(['end-1'])
      expect(await take(follower, 8)).toEqual(['chunk-0', 'chunk-1', 'chunk-2', 'chunk-3', 'chunk-4', 'chunk-5', 7, 8])
      follower.close()
    }
  })

  it('that was still catching up delivers the records it had not reached, though they are trimmed and freed for everyone else', async () => {
    const { clock, engine, stream, append, request, readFrom } = setup(0)
    append(...Array.from({ length: 5 }, (_, i) => rec(`r${i}`)))
    const reader = engine.openSession(address, request({ kind: 'seqNum', value: 0 }))
    append(trim(TRIM_ALL), fence('end-1'))
    clock.advance(DELAY)
    expect(stream.trimPoint).toBe(6)
    expect(await readFrom(0)).toEqual(['end-1'])
    expect(stream.log.start).toBe(0) // kept in memory for the open session

    expect(await take(reader, 7)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 5, 6])
    reader.close()
    engine.space('').background.run()
    expect(stream.log.start).toBe(6) // freed once nobody needs them
  })

  it('opened after the trim was appended but before it applied, reads the records; one opened after, does not', async () => {
    const { clock, engine, append, request } = setup()
    append(rec('a'), rec('b'))
    append(trim(2))
    const early = engine.openSession(address, request({ kind: 'seqNum', value: 0 }, { count: 3 }))
    clock.advance(DELAY)
    const late = engine.openSession(address, request({ kind: 'seqNum', value: 0 }, { count: 3 }))
    expect(await take(early, 3)).toEqual(['a', 'b', 2])
    expect(await take(late, 3)).toEqual([2])
  })
})

describe('a snapshot', () => {
  it('keeps a pending trim: restored before it is due, the records read until it falls due', async () => {
    const { clock, engine, append, readFrom } = setup()
    append(rec('a'), rec('b'))
    append(trim(2))
    engine.snapshots.take('pending', clock.now())
    engine.reset()
    engine.restore('pending')
    expect((await readFrom(0)).slice(0, 2)).toEqual(['a', 'b'])
    clock.advance(DELAY)
    expect((await readFrom(0)).length).toBe(1)
  })

  it('keeps its own copy: the live stream applying the trim leaves the snapshot pending; restored late, it applies at once', async () => {
    const { clock, engine, append, readFrom } = setup()
    append(rec('a'), rec('b'))
    append(trim(2))
    engine.snapshots.take('pending', clock.now())
    clock.advance(DELAY)
    expect((await readFrom(0)).length).toBe(1)
    engine.reset()
    engine.restore('pending')
    const restored = engine.store.account('').basins.get('b')?.streams.get('s')
    expect(restored?.trimPoint).toBe(2)
    expect(restored?.pendingTrims).toEqual([])
    expect((await readFrom(0)).length).toBe(1)
  })
})
