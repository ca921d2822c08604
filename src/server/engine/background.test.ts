import { describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../../test/support/manual-clock.ts'
import { resolveStreamConfig, type StreamConfigLayer } from '../store/config.ts'
import { RecordBatch, type AppendRecord } from '../store/index.ts'
import { Engine } from './engine.ts'

// The background work (s2-lite §9, and the bgtasks unit tests of §11.9) driven directly through
// the engine on a virtual clock: no sockets, no wall time.
const INTERVAL = 1000
const DELAY = 5000
const SEC = 1000

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const rec = (body: string): AppendRecord => ({ timestamp: undefined, headers: [], body: text(body) })
function trim(seqNum: number): AppendRecord {
  const body = new Uint8Array(8)
  new DataView(body.buffer).setBigUint64(0, BigInt(seqNum))
  return { timestamp: undefined, headers: [{ name: new Uint8Array(0), value: text('trim') }], body }
}

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const engine = new Engine({ clock, purgeDelayMs: DELAY, backgroundIntervalMs: INTERVAL, heartbeat: { minMs: 5000, maxMs: 5000 } })
  engine.start()
  const account = engine.store.account('')
  account.createBasin('b', { defaultStreamConfig: {}, streamCipher: null, createStreamOnAppend: false, createStreamOnRead: false }, null, clock.now())
  const stream = (name: string, layer: StreamConfigLayer = {}) => {
    const created = account.createStream('b', name, layer, null, clock.now()).stream
    expect(created.config).toEqual(resolveStreamConfig(layer, {}))
    return created
  }
  const append = (name: string, records: AppendRecord[]) => {
    const ack = engine.append({ namespace: '', basin: 'b', stream: name }, { records: RecordBatch.of(records), matchSeqNum: undefined, fencingToken: undefined })
    if (ack instanceof Promise) throw new Error('without a timing profile, appends are acknowledged at once')
    return ack
  }
  const streamNamed = (name: string) => account.basins.get('b')?.streams.get(name)
  return { clock, engine, account, stream, append, streamNamed }
}

describe('background work', () => {
  it('schedules nothing while nothing can fall due, and never runs while the clock stands still', () => {
    const { clock, engine } = setup()
    const run = vi.spyOn(engine.space("").background, 'run')
    expect(clock.pendingTimers).toBe(0)
    clock.advance(365 * 24 * 3600 * SEC)
    expect(run).toHaveBeenCalledTimes(0)
  })

  it('frees expiring records when they expire, at most once an interval', () => {
    const { clock, engine, stream, append } = setup()
    const run = vi.spyOn(engine.space("").background, 'run')
    stream('short', { retention: { kind: 'age', ageSecs: 10 } })
    append('short', [rec('a')])
    expect(clock.nextTimerAt()).toBe(clock.now() + 10 * SEC)
    clock.advance(10 * SEC - 1)
    expect(run).toHaveBeenCalledTimes(0)
    clock.advance(1)
    expect(run).toHaveBeenCalledTimes(1)
    expect(clock.pendingTimers).toBe(0)
    // Records expiring every 100 ms are freed in runs an interval apart, not one run per record.
    for (let i = 0; i < 30; i++) {
      append('short', [rec(`r${i}`)])
      clock.advance(100)
    }
    run.mockClear()
    clock.advance(20 * SEC)
    expect(run.mock.calls.length).toBeLessThanOrEqual(4)
    expect(clock.pendingTimers).toBe(0)
  })

  it('purges a deleted basin once its streams are purged, without looking again every purge delay until then', () => {
    // The fuzz suite found this: with a stream's purge far ahead of its basin's (the clock was set
    // back between the two deletes), the basin looked again every purge delay, so advancing the
    // clock to the stream's purge ran the work (duration / delay) times and hung the emulator.
    const { clock, engine, account, stream } = setup()
    stream('s')
    account.deleteStream('b', 's', clock.now())
    const streamPurge = clock.now() + DELAY
    clock.set(clock.now() - 24 * 3600 * SEC)
    account.deleteBasin('b', clock.now())
    const run = vi.spyOn(engine.space('').background, 'run')
    clock.advance(DELAY)
    expect(account.basins.get('b')?.streams.has('s')).toBe(true)
    clock.set(streamPurge - 1)
    expect(account.basins.has('b')).toBe(true)
    clock.advance(1 + DELAY)
    expect(account.basins.has('b')).toBe(false)
    expect(run.mock.calls.length).toBeLessThanOrEqual(4)
  })

  it('wakes up early for a purge that falls due before the next interval', () => {
    const clock = new ManualClock(0)
    const engine = new Engine({ clock, purgeDelayMs: 100, backgroundIntervalMs: 3600 * SEC, heartbeat: { minMs: 1, maxMs: 1 } })
    engine.start()
    const account = engine.store.account('')
    account.createBasin('b', { defaultStreamConfig: {}, streamCipher: null, createStreamOnAppend: false, createStreamOnRead: false }, null, 0)
    account.createStream('b', 's', {}, null, 0)
    clock.advance(10)
    account.deleteStream('b', 's', clock.now())
    expect(clock.nextTimerAt()).toBe(110)
    clock.advance(99)
    expect(account.basins.get('b')?.streams.has('s')).toBe(true)
    clock.advance(1)
    expect(account.basins.get('b')?.streams.has('s')).toBe(false)
  })

  it('schedules nothing more once stopped', () => {
    const { clock, engine, account } = setup()
    engine.stop()
    expect(clock.pendingTimers).toBe(0)
    account.deleteBasin('b', clock.now())
    clock.advance(10 * DELAY)
    expect(account.basins.get('b')?.deleting).toBe(true)
  })

  describe('trimmed and expired records', () => {
    it('frees records below the trim point, and only those: a trim to 1 frees record 0', () => {
      const { clock, stream, append, streamNamed } = setup()
      stream('trimmed')
      stream('other')
      append('trimmed', [rec('a'), rec('b'), rec('c')])
      append('other', [rec('x'), rec('y')])
      append('trimmed', [trim(1)])
      clock.advance(INTERVAL)
      expect(streamNamed('trimmed')?.log.start).toBe(1)
      expect(streamNamed('trimmed')?.log.get(1)?.body).toEqual(text('b'))
      expect(streamNamed('other')?.log.start).toBe(0)
      expect(streamNamed('other')?.log.size).toBe(2)
    })

    it('frees records whose retention has run out, keeping the tail', () => {
      const { clock, stream, append, streamNamed } = setup()
      stream('aged', { retention: { kind: 'age', ageSecs: 10 } })
      append('aged', [rec('old')])
      clock.advance(5 * SEC)
      const ack = append('aged', [rec('new')])
      clock.advance(5 * SEC)
      expect(streamNamed('aged')?.log.start).toBe(1)
      clock.advance(5 * SEC)
      expect(streamNamed('aged')?.log.size).toBe(0)
      expect(streamNamed('aged')?.tail()).toEqual(ack.tail)
    })
  })

  describe('delete-on-empty', () => {
    it('deletes an empty, never-written stream once min_age has passed since its creation', () => {
      const { clock, stream, streamNamed } = setup()
      const created = clock.now()
      stream('empty', { deleteOnEmptyMinAgeSecs: 10 })
      clock.set(created + 10 * SEC - 1)
      expect(streamNamed('empty')?.deleting).toBe(false)
      clock.set(created + 10 * SEC + INTERVAL)
      expect(streamNamed('empty')?.deletedAt).toBeGreaterThanOrEqual(created + 10 * SEC)
      clock.advance(DELAY)
      expect(streamNamed('empty')).toBeUndefined()
    })

    it('skips a stream with live records and one written to recently', () => {
      const { clock, stream, append, streamNamed } = setup()
      stream('live', { deleteOnEmptyMinAgeSecs: 10, retention: { kind: 'infinite' } })
      stream('recent', { deleteOnEmptyMinAgeSecs: 10, retention: { kind: 'age', ageSecs: 1 } })
      append('live', [rec('kept')])
      clock.advance(9 * SEC)
      append('recent', [rec('soon gone')])
      // 'recent' has no live records from here on, and is past creation + min_age from 10 s on.
      clock.advance(9 * SEC)
      expect(streamNamed('recent')?.hasLiveRecords(clock.now())).toBe(false)
      expect(streamNamed('recent')?.deleting).toBe(false)
      clock.advance(100 * SEC)
      expect(streamNamed('live')?.deleting).toBe(false)
      expect(streamNamed('recent')).toBeUndefined()
    })

    it('leaves streams alone while delete-on-empty is disabled', () => {
      const { clock, stream, streamNamed } = setup()
      stream('off')
      clock.advance(3600 * SEC)
      expect(streamNamed('off')?.deleting).toBe(false)
    })
  })

  describe('basin deletion', () => {
    it('purges an empty basin after the delay', () => {
      const { clock, account } = setup()
      const deletedAt = clock.now()
      account.deleteBasin('b', deletedAt)
      expect(account.basins.get('b')?.deletedAt).toBe(deletedAt)
      clock.set(deletedAt + DELAY - 1)
      expect(account.basins.has('b')).toBe(true)
      clock.set(deletedAt + DELAY)
      expect(account.basins.has('b')).toBe(false)
    })

    it('tombstones live streams at once and keeps the basin until they are purged, then both go', () => {
      const { clock, account, stream, streamNamed } = setup()
      stream('one')
      stream('two')
      const deletedAt = clock.now()
      account.deleteBasin('b', deletedAt)
      expect(streamNamed('one')?.deletedAt).toBe(deletedAt)
      expect(streamNamed('two')?.deletedAt).toBe(deletedAt)
      clock.set(deletedAt + DELAY - 1)
      expect(account.basins.get('b')?.streams.size).toBe(2)
      clock.set(deletedAt + DELAY)
      expect(account.basins.has('b')).toBe(false)
      // The name is free again.
      expect(account.createBasin('b', { defaultStreamConfig: {}, streamCipher: null, createStreamOnAppend: false, createStreamOnRead: false }, null, clock.now()).result).toBe('created')
    })

    it('does not purge a re-created stream of the same name when the old one is purged', () => {
      const { clock, account, stream, streamNamed } = setup()
      stream('s')
      const first = clock.now()
      account.deleteStream('b', 's', first)
      clock.set(first + DELAY)
      expect(streamNamed('s')).toBeUndefined()
      const again = stream('s')
      clock.advance(10 * DELAY)
      expect(streamNamed('s')).toBe(again)
      expect(again.deleting).toBe(false)
    })
  })
})
