import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { ProtobufDecodeError, readAppendInput } from './append-input.ts'
import { s2Descriptor } from './s2-descriptor.ts'

const AppendInput = protobuf.Root.fromJSON(s2Descriptor).lookupType('s2.v1.AppendInput')

/** A deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const bytesOf = (next: () => number, max: number): Uint8Array => Uint8Array.from({ length: Math.floor(next() * max) }, () => Math.floor(next() * 256))

/** What protobufjs decodes, in the decoder's shape (absent and empty bytes both empty). */
function viaProtobufjs(bytes: Uint8Array): unknown {
  const m = AppendInput.toObject(AppendInput.decode(bytes), { longs: Number, bytes: Array, defaults: false }) as {
    records?: { timestamp?: number; headers?: { name?: number[]; value?: number[] }[]; body?: number[] }[]
    match_seq_num?: number
    fencing_token?: string
  }
  return {
    records: (m.records ?? []).map((r) => ({
      timestamp: r.timestamp,
      headers: (r.headers ?? []).map((h) => ({ name: h.name ?? [], value: h.value ?? [] })),
      body: r.body ?? [],
    })),
    matchSeqNum: m.match_seq_num,
    fencingToken: m.fencing_token,
  }
}

function viaHand(bytes: Uint8Array): unknown {
  const m = readAppendInput(bytes)
  return {
    records: m.records.toArray().map((r) => ({
      timestamp: r.timestamp,
      headers: r.headers.map((h) => ({ name: [...h.name], value: [...h.value] })),
      body: [...r.body],
    })),
    matchSeqNum: m.matchSeqNum,
    fencingToken: m.fencingToken,
  }
}

describe('readAppendInput', () => {
  it('reads what protobufjs writes, for 300 random messages', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed)
      const records = Array.from({ length: Math.floor(next() * 6) }, () => ({
        ...(next() < 0.5 ? { timestamp: Math.floor(next() * 2 ** (next() < 0.2 ? 53 : 20)) } : {}),
        headers: Array.from({ length: Math.floor(next() * 3) }, () => ({ name: bytesOf(next, 5), value: bytesOf(next, 5) })),
        body: bytesOf(next, next() < 0.1 ? 3000 : 40),
      }))
      const message = {
        records,
        ...(next() < 0.5 ? { match_seq_num: Math.floor(next() * 2 ** 40) } : {}),
        ...(next() < 0.5 ? { fencing_token: next() < 0.3 ? '' : `token-${seed}-é` } : {}),
      }
      const bytes = AppendInput.encode(AppendInput.fromObject(message)).finish()
      expect(viaHand(bytes), `seed ${seed}`).toEqual(viaProtobufjs(bytes))
    }
  })

  it('keeps an explicitly present zero and empty token, skips unknown fields and groups, and keeps the last of a repeated scalar', () => {
    const w = protobuf.Writer.create()
    w.uint32((9 << 3) | 0).uint64(77) // unknown varint
    w.uint32((10 << 3) | 1).fixed64(1) // unknown 64-bit
    w.uint32((11 << 3) | 5).fixed32(1) // unknown 32-bit
    w.uint32((12 << 3) | 3).uint32((1 << 3) | 0).uint32(5).uint32((12 << 3) | 4) // unknown group
    w.uint32((13 << 3) | 2).bytes(new Uint8Array([1, 2, 3])) // unknown bytes
    w.uint32((2 << 3) | 0).uint64(7)
    w.uint32((2 << 3) | 0).uint64(0)
    w.uint32((3 << 3) | 2).string('')
    w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 0).uint64(0).uint32((3 << 3) | 2).bytes(new Uint8Array([9])).uint32((3 << 3) | 2).bytes(new Uint8Array([8])).ldelim()
    const decoded = readAppendInput(w.finish())
    expect(decoded.matchSeqNum).toBe(0)
    expect(decoded.fencingToken).toBe('')
    expect(decoded.records).toHaveLength(1)
    expect(decoded.records.record(0).timestamp).toBe(0)
    expect([...decoded.records.record(0).body]).toEqual([8])
  })

  it('reads a uint64 above 2^53 as the nearest double, and the largest one', () => {
    const at = (value: string): number | undefined =>
      readAppendInput(protobuf.Writer.create().uint32((2 << 3) | 0).uint64(value).finish()).matchSeqNum
    expect(at('9007199254740993')).toBe(2 ** 53)
    expect(at('18446744073709551615')).toBe(2 ** 64)
    expect(at('4294967296')).toBe(2 ** 32)
  })

  it.each([
    ['a truncated length', [0x0a, 0x05, 0x1a]],
    ['a truncated varint', [0x10, 0xff]],
    ['an eleven-byte varint', [0x10, ...Array(10).fill(0xff), 0x01]],
    ['wire type 7', [0x0f]],
    ['an end group without a start', [0x64]],
    ['field number 0', [0x02, 0x00]],
    ['a known field with the wrong wire type', [0x08, 0x01]],
    ['a body longer than its record', [0x0a, 0x03, 0x1a, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]],
    ['a truncated fixed64', [0x49, 1, 2, 3]],
  ])('rejects %s with a ProtobufDecodeError', (_name, bytes) => {
    expect(() => readAppendInput(new Uint8Array(bytes))).toThrow(ProtobufDecodeError)
  })

  it('hands out bodies as views of the request bytes, not copies', () => {
    const bytes = new Uint8Array([0x0a, 0x04, 0x1a, 0x02, 0x68, 0x69])
    const records = readAppendInput(bytes).records
    expect(records.bytes.buffer).toBe(bytes.buffer)
    const body = records.record(0).body
    expect(body.buffer).toBe(bytes.buffer)
    expect([...body]).toEqual([0x68, 0x69])
  })
})
