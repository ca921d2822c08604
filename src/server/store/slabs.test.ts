import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { RecordBatchBuilder } from './record-batch.ts'
import { FrameSlabs, isSlab, SLABS_AFTER } from './slabs.ts'

/** A frame of `size` random bytes, cut in `pieces` chunks as they might come off the socket. */
function chunked(size: number, pieces: number): { whole: Buffer; parts: Uint8Array[] } {
  const whole = randomBytes(size)
  const step = Math.ceil(size / pieces)
  const parts: Uint8Array[] = []
  for (let at = 0; at < size; at += step) parts.push(new Uint8Array(whole.subarray(at, Math.min(size, at + step))))
  return { whole, parts }
}

describe('FrameSlabs', () => {
  it('joins the first SLABS_AFTER bytes of a session frame by frame, each in a buffer of its own', () => {
    const slabs = new FrameSlabs()
    let joined = 0
    while (joined < SLABS_AFTER) {
      const { whole, parts } = chunked(50_000, 4)
      const out = slabs.join(parts)
      expect(Buffer.from(out).equals(whole)).toBe(true)
      expect(out.buffer.byteLength).toBe(50_000)
      expect(isSlab(out.buffer)).toBe(false)
      joined += 50_000
    }
  })

  it('then cuts frames from slabs of growing size, up to 1 MiB, each byte where it belongs', () => {
    const slabs = new FrameSlabs()
    slabs.join(chunked(SLABS_AFTER, 2).parts)
    const frames = Array.from({ length: 70 }, () => chunked(50_000, 4))
    const outs = frames.map((f) => slabs.join(f.parts))
    // Later frames overwrite nothing of earlier ones in the same slab.
    outs.forEach((out, i) => expect(Buffer.from(out).equals((frames[i] as { whole: Buffer }).whole)).toBe(true))
    const buffers = [...new Set(outs.map((o) => o.buffer))]
    expect(buffers.every(isSlab)).toBe(true)
    expect(buffers.map((b) => b.byteLength)).toEqual([256, 512, 1024, 1024, 1024].map((k) => k * 1024))
    // The unused end of a slab is less than one frame.
    for (const buffer of buffers.slice(0, -1)) {
      const used = outs.filter((o) => o.buffer === buffer).reduce((sum, o) => sum + o.length, 0)
      expect(buffer.byteLength - used).toBeLessThan(50_000)
    }
  })

  it('joins a frame larger than a quarter of the next slab alone, and returns a single chunk as it is', () => {
    const slabs = new FrameSlabs()
    slabs.join(chunked(SLABS_AFTER, 2).parts)
    const { whole, parts } = chunked(300_000, 3)
    const out = slabs.join(parts)
    expect(out.buffer.byteLength).toBe(300_000)
    expect(isSlab(out.buffer)).toBe(false)
    expect(Buffer.from(out).equals(whole)).toBe(true)
    const one = new Uint8Array(10)
    expect(slabs.join([one])).toBe(one)
  })

  it('lets the store keep a batch cut from a slab, and the journal only a copy of it', () => {
    const slabs = new FrameSlabs()
    slabs.join(chunked(SLABS_AFTER, 2).parts)
    const { whole, parts } = chunked(8192, 2)
    const bytes = slabs.join(parts)
    const builder = new RecordBatchBuilder(2)
    builder.add(0, 4096, undefined, null)
    builder.add(4096, 4096, undefined, null)
    const batch = builder.build(bytes)
    expect(batch.compact).toBe(false)
    expect(batch.shareable?.buffer).toBe(bytes.buffer)
    const kept = batch.kept(2)
    expect(kept.bytes.buffer).not.toBe(bytes.buffer)
    expect(Buffer.concat([kept.record(0).body, kept.record(1).body]).equals(whole)).toBe(true)
  })
})
