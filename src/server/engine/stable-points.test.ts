import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../test/support/manual-clock.ts'
import { S2Error } from '../errors/index.ts'
import { RecordBatch, type AppendAck, type AppendRecord, type StreamState } from '../store/index.ts'
import { resolveTiming, type TimingInput } from '../timing/index.ts'
import { Engine } from './engine.ts'

// Held appends and the stable point, through the engine on a virtual clock: what becomes stable
// when, what fails, and what a change of timing does to what is held.
const START = Date.UTC(2030, 0, 1) + 1 // one ms after a flush boundary
const address = { namespace: '', basin: 'b', stream: 's' }
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const rec = (b: string): AppendRecord => ({ timestamp: undefined, headers: [], body: text(b) })
function trim(seqNum: number): AppendRecord {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(seqNum))
  return { timestamp: undefined, headers: [{ name: new Uint8Array(0), value: text('trim') }], body: b }
}

function setup(timing: TimingInput = 'lite', trimDelayMs = 0) {
  const clock = new ManualClock(START)
  const engine = new Engine({ clock, purgeDelayMs: 1000, trimDelayMs, backgroundIntervalMs: 60_000, heartbeat: { minMs: 5000, maxMs: 5000 } })
  engine.start()
  engine.timing.set(null, resolveTiming(timing, 1))
  const account = engine.store.account('')
  account.createBasin('b', { defaultStreamConfig: {}, streamCipher: null, createStreamOnAppend: false, createStreamOnRead: false }, null, clock.now())
  const stream = account.createStream('b', 's', {}, null, clock.now()).stream as StreamState
  const outcomes: (AppendAck | S2Error | 'pending')[] = []
  const append = (records: AppendRecord[], matchSeqNum?: number): number => {
    const i = outcomes.length
    outcomes.push('pending')
    const result = engine.append(address, { records: RecordBatch.of(records), matchSeqNum, fencingToken: undefined })
    if (result instanceof Promise) {
      result.then(
        (ack) => (outcomes[i] = ack),
        (error: S2Error) => (outcomes[i] = error),
      )
    } else outcomes[i] = result
    return i
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve))
  return { clock, engine, stream, append, outcomes, settle }
}

describe('the stable point under lite timing', () => {
  it('holds appends until the boundary, then answers them all with the tail after the flush', async () => {
    const { clock, stream, append, outcomes, settle } = setup()
    append([rec('a')])
    clock.advance(2)
    append([rec('b'), rec('c')])
    expect(stream.tail()).toEqual({ seqNum: 0, timestamp: 0 })
    expect(stream.log.next).toBe(3) // sequenced
    clock.advance(1)
    await settle()
    expect(outcomes).toEqual(['pending', 'pending'])
    clock.advance(1) // START + 4: the boundary
    await settle()
    const tail = { seqNum: 3, timestamp: START + 2 }
    expect(outcomes).toEqual([
      { start: { seqNum: 0, timestamp: START }, end: { seqNum: 1, timestamp: START }, tail },
      { start: { seqNum: 1, timestamp: START + 2 }, end: { seqNum: 3, timestamp: START + 2 }, tail },
    ])
    expect(stream.held).toBeNull()
  })

  it('never makes a later append stable before an earlier one, even when the clock is set back', async () => {
    const { clock, stream, append, outcomes, settle } = setup()
    append([rec('a')]) // stable at START + 4
    clock.set(START - 20)
    append([rec('b')]) // its own boundary is earlier, but it waits for the first
    clock.set(START + 3)
    await settle()
    expect(outcomes).toEqual(['pending', 'pending'])
    expect(stream.tail().seqNum).toBe(0)
    clock.advance(1)
    await settle()
    expect(outcomes.map((o) => (o as AppendAck).end.seqNum)).toEqual([1, 2])
  })

  it('applies a trim trimDelayMs after the flush that makes it stable', async () => {
    const { clock, stream, append, settle } = setup('lite', 10)
    append([rec('a'), rec('b')])
    append([trim(2)])
    expect(stream.pendingTrims).toEqual([{ point: 2, at: START + 4 + 10 }])
    clock.advance(4 + 9)
    expect(stream.trimPoint).toBe(0)
    clock.advance(1)
    await settle()
    expect(stream.trimPoint).toBe(2)
  })

  it('fails what it holds when a reset removes the stream', async () => {
    const { engine, append, outcomes, settle } = setup()
    append([rec('a')])
    engine.reset({ namespace: '', basin: 'b', stream: 's' })
    await settle()
    expect(outcomes[0]).toBeInstanceOf(S2Error)
    expect((outcomes[0] as S2Error).message).toMatch(/reset/)
  })

  it('makes what it holds stable at once when the timing changes', async () => {
    const { engine, stream, append, outcomes, settle } = setup()
    append([rec('a')])
    append([rec('b')], 0) // a mismatch against the held append: answered once it is stable
    engine.timing.set(null, null)
    await settle()
    expect((outcomes[0] as AppendAck).tail.seqNum).toBe(1)
    expect((outcomes[1] as S2Error).body).toEqual({ seq_num_mismatch: 1 })
    expect(stream.tail().seqNum).toBe(1)
    expect(engine.timing.active).toBe(false)
    // Instant again: acknowledged synchronously.
    expect(append([rec('c')])).toBe(2)
    expect((outcomes[2] as AppendAck).end.seqNum).toBe(2)
  })

  it('refuses, unapplied, the inputs an append session sends after one that failed against held records', async () => {
    const { engine, stream, append, settle } = setup()
    append([rec('a')])
    const session = engine.openAppendSession(address)
    const failed = session.append({ records: RecordBatch.of([rec('x')]), matchSeqNum: 0, fencingToken: undefined })
    expect(failed).toBeInstanceOf(Promise)
    ;(failed as Promise<AppendAck>).catch(() => {})
    expect(() => session.append({ records: RecordBatch.of([rec('y')]), matchSeqNum: undefined, fencingToken: undefined })).toThrow(S2Error)
    expect(stream.log.next).toBe(1)
    await settle()
  })
})

describe('jittered commits', () => {
  it('are drawn per append from the seed, and keep sequence order', async () => {
    const run = async (seed: number) => {
      const { clock, stream, append, settle } = setup({ commitMs: [0, 9], seed })
      for (let i = 0; i < 8; i++) append([rec(`r${i}`)])
      const trace: number[] = []
      for (let ms = 0; ms <= 10; ms++) {
        await settle()
        trace.push(stream.tail().seqNum)
        clock.advance(1)
      }
      return trace
    }
    const trace = await run(5)
    expect(await run(5)).toEqual(trace)
    expect(trace.at(-1)).toBe(8)
    for (let i = 1; i < trace.length; i++) expect(trace[i]).toBeGreaterThanOrEqual(trace[i - 1] as number)
  })
})
