import { describe, expect, it } from 'vitest'
import { RecordBatch, RecordBatchBuilder } from './record-batch.ts'
import { meteredSize, NO_HEADERS, type AppendRecord } from './record.ts'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString()
const plain = (records: readonly AppendRecord[]): unknown[] =>
  records.map((r) => ({ timestamp: r.timestamp, headers: r.headers.map((h) => [text(h.name), text(h.value)]), body: text(r.body) }))

describe('RecordBatch', () => {
  // Buffers of their own: Buffer.from(text) hands out slices of one shared pool.
  const own = (value: string): Uint8Array => new Uint8Array(Buffer.from(value))
  const request = own('..name..value..first..second..')
  const records: AppendRecord[] = [
    { timestamp: 5, headers: [{ name: request.subarray(2, 6), value: request.subarray(8, 13) }], body: request.subarray(15, 20) },
    { timestamp: undefined, headers: NO_HEADERS, body: request.subarray(22, 28) },
    { timestamp: 0, headers: [{ name: new Uint8Array(0), value: request.subarray(8, 13) }], body: new Uint8Array(0) },
  ]

  it('keeps parts that lie in one buffer where they are, and reads them back as records', () => {
    const batch = RecordBatch.of(records)
    expect(batch.bytes.buffer).toBe(request.buffer)
    expect(batch.record(0).body.buffer).toBe(request.buffer)
    expect(plain(batch.toArray())).toEqual(plain(records))
    expect([batch.timestamp(0), batch.timestamp(1), batch.timestamp(2)]).toEqual([5, undefined, 0])
    expect(batch.headerCount).toBe(2)
    expect(batch.partBytes).toBe(4 + 5 + 5 + 6 + 5)
    expect(batch.meteredBytes).toBe(records.reduce((sum, r) => sum + meteredSize(r), 0))
  })

  it('copies parts from several buffers into one of their own', () => {
    const mixed = [...records, { timestamp: undefined, headers: NO_HEADERS, body: own('elsewhere') }]
    const batch = RecordBatch.of(mixed)
    expect(batch.bytes.byteLength).toBe(batch.partBytes)
    expect(plain(batch.toArray())).toEqual(plain(mixed))
  })

  it('keeps itself for the journal when its buffer holds little else, and copies otherwise', () => {
    const batch = RecordBatch.of(records)
    expect(batch.compact).toBe(true)
    expect(batch.kept(batch.length)).toBe(batch)
    // Some records only, or a buffer much larger than the parts: a copy of what is kept.
    const first = batch.kept(1)
    expect(first.length).toBe(1)
    expect(first.bytes.byteLength).toBe(first.partBytes)
    expect(plain(first.toArray())).toEqual(plain([records[0] as AppendRecord]))
    const large = new Uint8Array(10_000)
    large.set(Buffer.from('body'), 5000)
    const inLarge = RecordBatch.of([{ timestamp: undefined, headers: NO_HEADERS, body: large.subarray(5000, 5004) }])
    expect(inLarge.compact).toBe(false)
    expect(inLarge.shareable).toBeNull()
    const kept = inLarge.kept(1)
    expect(kept.bytes.buffer).not.toBe(large.buffer)
    large.fill(0)
    expect(text(kept.record(0).body)).toBe('body')
  })

  it('refuses more records than its builder was sized for, rather than dropping one', () => {
    const builder = new RecordBatchBuilder(1)
    builder.add(0, 0, undefined, null)
    expect(() => builder.add(0, 0, undefined, null)).toThrow(RangeError)
  })
})
