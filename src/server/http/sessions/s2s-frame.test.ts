import { describe, expect, it } from 'vitest'
import { rng } from '../../../../test/support/random.ts'
import { exactFrame, FrameDecoder } from './s2s-frame.ts'

const payload = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill)

/** Frames of assorted sizes, one after another, as a client sends them. */
function stream(sizes: readonly number[]): { bytes: Uint8Array; payloads: Uint8Array[] } {
  const payloads = sizes.map((size, i) => payload(size, i + 1))
  const frames = payloads.map((p) => exactFrame(p, 'none'))
  const bytes = new Uint8Array(frames.reduce((sum, f) => sum + f.length, 0))
  let at = 0
  for (const f of frames) {
    bytes.set(f, at)
    at += f.length
  }
  return { bytes, payloads }
}

describe('FrameDecoder', () => {
  it('returns the same frames however the bytes are cut into chunks', () => {
    const { bytes, payloads } = stream([1, 0, 5, 70_000, 2, 16_384, 300])
    const random = rng(7)
    for (let trial = 0; trial < 200; trial++) {
      const decoder = new FrameDecoder()
      const got: Uint8Array[] = []
      let at = 0
      while (at < bytes.length) {
        // Cuts of every size, from one byte (inside a length) to many frames at once.
        const size = trial < 10 ? trial + 1 : Math.ceil(random() ** 3 * 90_000)
        for (const frame of decoder.push(bytes.subarray(at, at + size))) got.push(frame.payload)
        at += size
      }
      expect(decoder.failure).toBeNull()
      expect(decoder.pending).toBe(0)
      expect(got).toEqual(payloads)
    }
  })

  it('gives a frame that ends in a later chunk a buffer of its own, without the next frame\'s bytes', () => {
    const { bytes } = stream([40_000, 40_000, 10])
    const decoder = new FrameDecoder()
    const first = decoder.push(bytes.subarray(0, 30_000))
    const second = decoder.push(bytes.subarray(30_000, 70_000))
    expect(first).toEqual([])
    expect(second).toHaveLength(1)
    const frame = second[0]?.payload as Uint8Array
    expect(frame.buffer.byteLength).toBe(4 + 40_000)
    // The rest of the chunk is read as it came: a frame inside it is a view of the chunk's buffer.
    const rest = decoder.push(bytes.subarray(70_000))
    expect(rest.map((f) => f.payload.length)).toEqual([40_000, 10])
    expect(rest[1]?.payload.buffer).toBe(bytes.buffer)
  })

  it('stops at a malformed frame after the good frames before it, in the same chunk as a completed one', () => {
    const { bytes } = stream([50_000, 3])
    const bad = new Uint8Array([...bytes.subarray(50_004), 0, 0, 0])
    const decoder = new FrameDecoder()
    expect(decoder.push(bytes.subarray(0, 20_000))).toEqual([])
    const frames = decoder.push(new Uint8Array([...bytes.subarray(20_000, 50_004), ...bad]))
    expect(frames.map((f) => f.payload.length)).toEqual([50_000, 3])
    expect(decoder.failure?.message).toBe('frame length must be at least 1 (the flag byte)')
    expect(decoder.push(bytes)).toEqual([])
  })
})
