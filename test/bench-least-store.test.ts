import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { encodeAppendAck, FrameJoiner, LeastStore, locateBodies, NotAnAppendInput } from '../bench/servers/least-store.ts'
import { decodeAck, frame, protoAppend, randomProtoAppend } from '../bench/lib/wire.ts'

const root = protobuf.parse(readFileSync(new URL('../proto/s2.proto', import.meta.url), 'utf8'), { keepCase: true }).root
const AppendInput = root.lookupType('s2.v1.AppendInput')

/** The bodies `locateBodies` finds, as strings. */
function bodies(bytes: Uint8Array): string[] {
  const places = locateBodies(bytes)
  const count = places.length / 2
  return Array.from({ length: count }, (_, i) => Buffer.from(bytes.subarray(places[i], (places[i] as number) + (places[count + i] as number))).toString())
}

describe("the bench's store reference (bench/servers/least-store.ts)", () => {
  it('finds every body of an AppendInput, stepping over timestamps, headers and the fields after the records', () => {
    const message = AppendInput.fromObject({
      records: [
        { body: Buffer.from('first'), timestamp: 2 ** 40 },
        { headers: [{ name: Buffer.from('h'), value: Buffer.from('v'.repeat(300)) }], body: Buffer.from('second') },
        {},
        { body: Buffer.from('x'.repeat(200)) },
      ],
      match_seq_num: 7,
      fencing_token: 'token',
    })
    const bytes = AppendInput.encode(message).finish()
    expect(bodies(bytes)).toEqual(['first', 'second', '', 'x'.repeat(200)])
    expect(bodies(protoAppend(500, 100))).toEqual(Array.from({ length: 500 }, () => 'a'.repeat(100)))
    const random = randomProtoAppend(3, 1024)
    expect(locateBodies(random).subarray(3)).toEqual(new Uint32Array([1024, 1024, 1024]))
  })

  it('refuses bytes that run past their end rather than reading beyond them', () => {
    const bytes = protoAppend(2, 100)
    expect(() => locateBodies(bytes.subarray(0, bytes.length - 1))).toThrow(NotAnAppendInput)
    expect(() => locateBodies(Buffer.from([0x0a, 0xff]))).toThrow(NotAnAppendInput)
    // A record whose body claims more bytes than the record holds, and a fixed64 field cut short.
    expect(() => locateBodies(Buffer.from([0x0a, 0x03, 0x1a, 0x05, 0x61]))).toThrow('body runs past its record')
    expect(() => locateBodies(Buffer.from([0x21, 1, 2, 3]))).toThrow('field runs past its message')
    expect(() => locateBodies(Buffer.from([0x0b]))).toThrow('wire type 3')
  })

  it('answers each input with the AppendAck of its records, sequence numbers going on across inputs and drops', () => {
    const store = new LeastStore()
    const input = protoAppend(500, 100)
    const before = Date.now()
    const first = decodeAck(store.append(input))
    expect(first.start.seq_num ?? 0).toBe(0)
    expect(first.end.seq_num).toBe(500)
    expect(first.tail.seq_num).toBe(500)
    expect(first.start.timestamp).toBeGreaterThanOrEqual(before)
    expect(first.end.timestamp).toBe(first.start.timestamp)
    const framed = frame(input)
    const ack = store.append(framed, 4, framed.length, 4)
    expect(decodeAck(ack.subarray(4))).toMatchObject({ start: { seq_num: 500 }, end: { seq_num: 1000 }, tail: { seq_num: 1000 } })
    expect(store.drop()).toEqual({ bytes: input.length + framed.length, records: 1000 })
    expect(store.drop()).toEqual({ bytes: 0, records: 0 })
    expect(decodeAck(store.append(input)).start.seq_num).toBe(1000)
  })

  it('writes acks for sequence numbers and timestamps past 2^32 as protobufjs reads them', () => {
    const ack = decodeAck(encodeAppendAck(2 ** 40 + 3, 2 ** 40 + 503, 1_800_000_000_123))
    expect(ack).toEqual({
      start: { seq_num: 2 ** 40 + 3, timestamp: 1_800_000_000_123 },
      end: { seq_num: 2 ** 40 + 503, timestamp: 1_800_000_000_123 },
      tail: { seq_num: 2 ** 40 + 503, timestamp: 1_800_000_000_123 },
    })
  })

  it('splits an S2S byte stream into whole frames however it is cut, joining a frame only when it spans chunks', () => {
    const frames = [frame(protoAppend(3, 10)), frame(protoAppend(1, 5000)), frame(protoAppend(2, 1))]
    const stream = Buffer.concat(frames)
    for (const cuts of [[], [1], [2, 3, 4], [50, 51, 5100], Array.from({ length: stream.length - 1 }, (_, i) => i + 1)]) {
      const seen: Uint8Array[] = []
      const joiner = new FrameJoiner((f) => seen.push(f))
      let at = 0
      for (const cut of [...cuts, stream.length]) {
        joiner.push(stream.subarray(at, cut))
        at = cut
      }
      expect(seen.map((f) => Buffer.from(f).toString('hex'))).toEqual(frames.map((f) => f.toString('hex')))
    }
    // A frame within one chunk is a view of it, not a copy.
    const views: Uint8Array[] = []
    new FrameJoiner((f) => views.push(f)).push(stream)
    expect(views.every((f) => f.buffer === stream.buffer)).toBe(true)
  })
})
