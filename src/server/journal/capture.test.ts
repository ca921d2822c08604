import { describe, expect, it } from 'vitest'
import { RecordBatch, type AppendRecord } from '../store/index.ts'
import { RecordCapture } from './capture.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('RecordCapture', () => {
  it('shows the records of a batch, kept from the buffer they were decoded from', () => {
    const request = bytes('namevaluebody-1body-2')
    const records: AppendRecord[] = [
      { timestamp: 7, headers: [{ name: request.subarray(0, 4), value: request.subarray(4, 9) }], body: request.subarray(9, 15) },
      { timestamp: undefined, headers: [], body: request.subarray(15) },
    ]
    const capture = new RecordCapture(1024)
    expect(capture.add(RecordBatch.of(records))).toBe(21)
    expect(capture.toJSON()).toEqual({
      count: 2,
      items: [
        { headers: [['name', 'value']], body: 'body-1', encoding: 'utf-8', timestamp: 7, bodyBytes: 6, truncated: false },
        { headers: [], body: 'body-2', encoding: 'utf-8', timestamp: null, bodyBytes: 6, truncated: false },
      ],
      truncated: false,
      evicted: false,
    })
  })

  it('copies records that are views of a much larger buffer, so as not to keep it', () => {
    const pool = new Uint8Array(8192)
    pool.set(bytes('keyvalueBODY'), 100)
    const capture = new RecordCapture(1024)
    capture.add(RecordBatch.of([{ timestamp: undefined, headers: [{ name: pool.subarray(100, 103), value: pool.subarray(103, 108) }], body: pool.subarray(108, 112) }]))
    pool.fill(0x21)
    expect(capture.toJSON().items.map((r) => [r.headers, r.body])).toEqual([[[['key', 'value']], 'BODY']])
  })

  it('copies the record it cuts short, headers included, and keeps batches apart', () => {
    const first = bytes('h1v1aaaa')
    const request = bytes('h2v2bbbbbbbb')
    const capture = new RecordCapture(14)
    expect(capture.add(RecordBatch.of([{ timestamp: undefined, headers: [{ name: first.subarray(0, 2), value: first.subarray(2, 4) }], body: first.subarray(4, 8) }]))).toBe(8)
    expect(capture.add(RecordBatch.of([{ timestamp: 3, headers: [{ name: request.subarray(0, 2), value: request.subarray(2, 4) }], body: request.subarray(4) }]))).toBe(6)
    request.fill(0x21)
    const shown = capture.toJSON()
    expect(shown.truncated).toBe(true)
    expect(shown.items).toEqual([
      { headers: [['h1', 'v1']], body: 'aaaa', encoding: 'utf-8', timestamp: null, bodyBytes: 4, truncated: false },
      { headers: [['h2', 'v2']], body: 'bb', encoding: 'utf-8', timestamp: 3, bodyBytes: 8, truncated: true },
    ])
  })

  it('copies records from several buffers, out of order or far apart, part by part', () => {
    const request = bytes('BODYhead' + '.'.repeat(100) + 'tail')
    const other = bytes('elsewhere')
    const records: AppendRecord[] = [
      // a header after its body in the same buffer, then a body in another buffer
      { timestamp: undefined, headers: [{ name: request.subarray(4, 8), value: new Uint8Array(0) }], body: request.subarray(0, 4) },
      { timestamp: 1, headers: [], body: other },
    ]
    // parts of one buffer in order, but far apart
    const sparse: AppendRecord[] = [
      { timestamp: undefined, headers: [], body: request.subarray(0, 4) },
      { timestamp: undefined, headers: [], body: request.subarray(108) },
    ]
    const capture = new RecordCapture(1024)
    capture.add(RecordBatch.of(records))
    capture.add(RecordBatch.of(sparse))
    request.fill(0x21)
    other.fill(0x21)
    expect(capture.toJSON().items.map((r) => [r.headers, r.body, r.timestamp])).toEqual([
      [[['head', '']], 'BODY', null],
      [[], 'elsewhere', 1],
      [[], 'BODY', null],
      [[], 'tail', null],
    ])
  })
})
