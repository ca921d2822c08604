/**
 * Buffers for the frames of one S2S append session, cut from slabs that the store keeps whole.
 *
 * As a profile of the server reads (perf: a copy after each socket read), node:http2 reads a socket
 * into a 64 KiB block, copies what it read into a block of its own, and frees the first. A frame of
 * tens of KiB joined into a buffer of its own then takes that freed block from malloc, and the next
 * read lands on fresh pages: a page fault each, and a slower copy. Frames cut from a slab of 256 KiB
 * or more leave the read block free for the next read. On the bench's VM this took server CPU per
 * S2S frame of 500 x 100 B from 366-382 to 334-368 us (4 interleaved pairs).
 *
 * Every frame of a session goes to the session's one stream, so a slab holds one stream's records
 * (and inputs a fault dropped): it is freed with them. A session joins its first SLABS_AFTER bytes
 * of frames exactly, so a short one wastes nothing; then each slab is twice the last, up to
 * MAX_SLAB, so the unused end of the last one is at most what the session joined before it.
 */

/** Bytes a session joins, frame by frame, before its frames go to slabs. */
export const SLABS_AFTER = 256 * 1024
const FIRST_SLAB = 256 * 1024
const MAX_SLAB = 1024 * 1024

/** Slabs, so that a batch's bytes cut from one may be kept although its buffer is larger (see RecordBatch.shareable). */
const slabs = new WeakSet<ArrayBufferLike>()

/** Whether `buffer` is a slab: a view into it may be kept for its own bytes. */
export const isSlab = (buffer: ArrayBufferLike): boolean => slabs.has(buffer)

/** Joins byte chunks into one array: exactly at first, then cut from slabs (see the module's comment). */
export class FrameSlabs {
  #joined = 0
  #slab: Uint8Array | null = null
  #used = 0
  #nextSize = FIRST_SLAB

  /** Parts joined: the only part itself when there is one. */
  join(parts: readonly Uint8Array[]): Uint8Array {
    if (parts.length === 1) return parts[0] as Uint8Array
    let size = 0
    for (const part of parts) size += part.length
    const out = this.#room(size)
    let at = 0
    for (const part of parts) {
      out.set(part, at)
      at += part.length
    }
    this.#joined += size
    return out
  }

  /** Where `size` joined bytes go. Every byte is written: no need to zero them first. */
  #room(size: number): Uint8Array {
    // A frame that would fill much of a slab gains nothing from one, and is joined alone.
    if (this.#joined < SLABS_AFTER || size > this.#nextSize / 4) return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size)
    if (this.#slab === null || this.#used + size > this.#slab.length) {
      // Its own array buffer (not one of Node's pool), exactly this size.
      const slab = new Uint8Array(Buffer.allocUnsafeSlow(this.#nextSize).buffer)
      slabs.add(slab.buffer)
      this.#slab = slab
      this.#used = 0
      this.#nextSize = Math.min(MAX_SLAB, this.#nextSize * 2)
    }
    const out = this.#slab.subarray(this.#used, this.#used + size)
    this.#used += size
    return out
  }
}
