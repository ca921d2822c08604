import { describe, expect, it } from 'vitest'
import type { AppendRecord } from '../store/index.ts'
import { RecordCapture } from './capture.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('RecordCapture', () => {
  it('keeps copies: records whose buffers change later still show what was sent', () => {
    const request = bytes('namevaluebody-1body-2')
    const records: AppendRecord[] = [
      { timestamp: 7, headers: [{ name: request.subarray(0, 4), value: request.subarray(4, 9) }], body: request.subarray(9, 15) },
      { timestamp: undefined, headers: [], body: request.subarray(15) },
    ]
    const capture = new RecordCapture(1024)
    expect(capture.add(records)).toBe(21)
    request.fill(0x21)
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

  it('copies the record it cuts short, headers included, and keeps batches apart', () => {
    const request = bytes('h1v1aaaah2v2bbbbbbbb')
    const capture = new RecordCapture(14)
    expect(capture.add([{ timestamp: undefined, headers: [{ name: request.subarray(0, 2), value: request.subarray(2, 4) }], body: request.subarray(4, 8) }])).toBe(8)
    expect(capture.add([{ timestamp: 3, headers: [{ name: request.subarray(8, 10), value: request.subarray(10, 12) }], body: request.subarray(12) }])).toBe(6)
    request.fill(0x21)
    const shown = capture.toJSON()
    expect(shown.truncated).toBe(true)
    expect(shown.items).toEqual([
      { headers: [['h1', 'v1']], body: 'aaaa', encoding: 'utf-8', timestamp: null, bodyBytes: 4, truncated: false },
      { headers: [['h2', 'v2']], body: 'bb', encoding: 'utf-8', timestamp: 3, bodyBytes: 8, truncated: true },
    ])
  })
})
