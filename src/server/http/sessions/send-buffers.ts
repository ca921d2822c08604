/**
 * Buffers for large events of read sessions (S2S frames, SSE events), used again once sent. A
 * catch-up read writes its records into events of up to a few MiB, one after another. A fresh
 * buffer for each is memory the process has not touched yet (or gave back to the system since),
 * and touching memory first costs more than writing the event into it: page faults, ~1.5 ms per
 * 512 KiB on a 2-vCPU VM against ~15 us to copy the same bytes into memory in use. V8 frees a
 * buffer only at a later collection, so the allocator does not hand the same memory back in time.
 */

/** Smaller events get buffers from Node's allocator as before: they are cheap, and kept apart from the pool. */
const MIN_POOLED_BYTES = 64 * 1024
/** Free bytes kept at most: a session in flight uses two buffers (one being sent, one encoded ahead). */
const MAX_FREE_BYTES = 8 * 1024 * 1024

/** Free buffers by size class: the power of two a buffer's capacity is. */
const free = new Map<number, ArrayBuffer[]>()
let freeBytes = 0
/** The buffers the pool made, so that no other buffer is taken in. */
const made = new WeakSet<ArrayBuffer>()

const classOf = (size: number): number => 2 ** Math.ceil(Math.log2(size))

/** A buffer of `size` bytes, not cleared: from the pool for a large one, else newly made. */
export function takeSendBuffer(size: number): Buffer {
  if (size < MIN_POOLED_BYTES) return Buffer.allocUnsafe(size)
  const capacity = classOf(size)
  let backing = free.get(capacity)?.pop()
  if (backing !== undefined) freeBytes -= capacity
  else made.add((backing = new ArrayBuffer(capacity)))
  return Buffer.from(backing, 0, size)
}

/**
 * Gives back a buffer from {@link takeSendBuffer} once nothing reads it any more (its write
 * completed); anything else is left to the garbage collector.
 */
export function giveSendBuffer(bytes: Uint8Array): void {
  const backing = bytes.buffer
  if (!(backing instanceof ArrayBuffer) || !made.has(backing)) return
  const capacity = backing.byteLength
  let list = free.get(capacity)
  if (list === undefined) free.set(capacity, (list = []))
  if (freeBytes + capacity > MAX_FREE_BYTES || list.includes(backing)) return
  list.push(backing)
  freeBytes += capacity
}
