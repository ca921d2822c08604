import { describe, expect, it } from 'vitest'
import type { StoreChange } from '../store/index.ts'
import { DEFAULT_BASIN_CONFIG, DEFAULT_STREAM_CONFIG } from '../store/index.ts'
import { decodeSegment, encodeEntry, preambleProblem, segmentFirstSeq, segmentName, segmentPreamble } from './log-format.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** One change of every kind, with the awkward values: binary bodies, key ids, Infinity expiry, null namespaces. */
const CHANGES: [string | null, StoreChange][] = [
  ['', { kind: 'basin_created', basin: 'b', config: { ...DEFAULT_BASIN_CONFIG, defaultStreamConfig: { retention: { kind: 'age', ageSecs: 60 } } }, idempotencyKey: 'tok\nconfig', at: 1 }],
  ['tenant', { kind: 'basin_config', basin: 'b', config: { ...DEFAULT_BASIN_CONFIG, streamCipher: 'aegis-256', createStreamOnAppend: true } }],
  ['', { kind: 'stream_created', basin: 'b', stream: 's/1', config: { ...DEFAULT_STREAM_CONFIG, retention: { kind: 'infinite' } }, cipher: 'aes-256-gcm', idempotencyKey: null, at: 2 }],
  ['', { kind: 'stream_config', basin: 'b', stream: 's/1', config: DEFAULT_STREAM_CONFIG }],
  [
    '',
    {
      kind: 'appended',
      basin: 'b',
      stream: 's/1',
      at: 3,
      records: [
        { seqNum: 0, timestamp: 3, headers: [{ name: bytes('k'), value: Uint8Array.from([0, 255]) }], body: Uint8Array.from([0xff, 0xfe, 0]), metered: 16, expiresAt: Infinity, keyId: 'key-1' },
        { seqNum: 1, timestamp: 4, headers: [], body: bytes(''), metered: 8, expiresAt: 60_003, keyId: null },
      ],
    },
  ],
  ['', { kind: 'stream_deleted', basin: 'b', stream: 's/1', at: 5 }],
  ['', { kind: 'purged', basin: 'b', stream: 's/1' }],
  ['', { kind: 'basin_deleted', basin: 'b', at: 6 }],
  ['', { kind: 'purged', basin: 'b', stream: null }],
  ['', { kind: 'reset', basin: 'b', stream: null }],
  ['x', { kind: 'reset', basin: 'b', stream: 's' }],
  [null, { kind: 'reset_all' }],
  ['x', { kind: 'restored' }],
]

const segment = (): Buffer => Buffer.concat([segmentPreamble(), ...CHANGES.map(([ns, change], i) => encodeEntry(i + 1, ns, change))])

describe('the persist log format', () => {
  it('reads back every kind of change as it was written', () => {
    const { entries, tornBytes } = decodeSegment(segment())
    expect(tornBytes).toBe(0)
    expect(entries).toEqual(CHANGES.map(([namespace, change], i) => ({ seq: i + 1, namespace, change })))
  })

  it('stops at a write torn anywhere in the last entry, keeping the whole ones', () => {
    const whole = segment()
    const lastLength = encodeEntry(CHANGES.length, ...(CHANGES.at(-1) as [string, StoreChange])).length
    for (let cut = 1; cut < lastLength; cut++) {
      const { entries, tornBytes } = decodeSegment(whole.subarray(0, whole.length - cut))
      expect(entries).toHaveLength(CHANGES.length - 1)
      expect(tornBytes).toBe(lastLength - cut)
    }
  })

  it('stops at an entry whose bytes do not match its CRC', () => {
    const damaged = segment()
    damaged.writeUInt8((damaged.at(-3) as number) ^ 0x40, damaged.length - 3)
    expect(decodeSegment(damaged).entries).toHaveLength(CHANGES.length - 1)
  })

  it('names segments by their first change, and knows its own preamble', () => {
    expect(segmentName(42)).toBe('log-00000000000000000042.s2log')
    expect(segmentFirstSeq(segmentName(42))).toBe(42)
    expect(segmentFirstSeq('state.s2snap')).toBeNull()
    expect(preambleProblem(segmentPreamble())).toBeNull()
    expect(preambleProblem(Buffer.from('S2EMSNAP........'))).toMatch(/not an s2-emulator persist log segment/)
  })
})
