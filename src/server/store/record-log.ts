import { Chunk, CHUNK_SIZE } from './record-chunk.ts'
import type { RecordBatch } from './record-batch.ts'
import type { Header, StoredRecord } from './record.ts'

/**
 * A stream's records in sequence order, packed in chunks of CHUNK_SIZE (see {@link Chunk}). Full
 * chunks are never written again, so a copy shares them and duplicates only the last, partial
 * chunk: copying a log of a million records copies about a thousand references.
 */
export class RecordLog {
  #chunks: Chunk[]
  /** Sequence number of the first slot of the first chunk. */
  #base: number
  /** First sequence number still held (records below it were dropped). */
  #start: number
  #next: number

  constructor(start = 0) {
    this.#chunks = []
    this.#base = start
    this.#start = start
    this.#next = start
  }

  /** First sequence number held. */
  get start(): number {
    return this.#start
  }

  /** The sequence number the next record gets. */
  get next(): number {
    return this.#next
  }

  /** How many records are held, dropped ones excluded. */
  get size(): number {
    return this.#next - this.#start
  }

  /** The chunk holding `seqNum`, which must be held (start <= seqNum < next); its slot is `seqNum - chunk.base`. */
  chunkAt(seqNum: number): Chunk {
    return this.#chunks[Math.floor((seqNum - this.#base) / CHUNK_SIZE)] as Chunk
  }

  /** The record as an object of its own (made on each call: reads walk chunks instead, see RecordList). */
  get(seqNum: number): StoredRecord | undefined {
    if (seqNum < this.#start || seqNum >= this.#next) return undefined
    const chunk = this.chunkAt(seqNum)
    return chunk.record(seqNum - chunk.base)
  }

  /** Timestamp of a held record. */
  timestampOf(seqNum: number): number {
    const chunk = this.chunkAt(seqNum)
    return chunk.timestampOf(seqNum - chunk.base)
  }

  /** Expiry of a held record. */
  expiresAtOf(seqNum: number): number {
    const chunk = this.chunkAt(seqNum)
    return chunk.expiresAtOf(seqNum - chunk.base)
  }

  /** Metered size of a held record. */
  meteredOf(seqNum: number): number {
    const chunk = this.chunkAt(seqNum)
    return chunk.metered(seqNum - chunk.base)
  }

  /** Adds a record with the next sequence number (its `seqNum` is not looked at), copying its bytes. */
  push(record: StoredRecord): void {
    this.add(record.timestamp, record.headers, record.body, record.expiresAt, record.keyId)
  }

  /** Adds a record with the next sequence number, copying its bytes. */
  add(timestamp: number, headers: readonly Header[], body: Uint8Array, expiresAt: number, keyId: string | null): void {
    this.#writable().add(timestamp, headers, body, expiresAt, keyId)
    this.#next++
  }

  /**
   * Adds a batch's records with the next sequence numbers, chunk by chunk (see Chunk.addBatch for
   * the arguments): `timestamps[i]` is record `i`'s.
   */
  addBatch(batch: RecordBatch, timestamps: Float64Array, expiresAt: number, keyId: string | null, keyless: ReadonlyMap<number, unknown> | null, shared: Buffer | null): void {
    for (let from = 0; from < batch.length; ) {
      const chunk = this.#writable()
      const to = Math.min(batch.length, from + CHUNK_SIZE - chunk.length)
      chunk.addBatch(batch, from, to, timestamps, expiresAt, keyId, keyless, shared)
      this.#next += to - from
      from = to
    }
  }

  /** The chunk the next record goes to, started if need be. */
  #writable(): Chunk {
    const index = Math.floor((this.#next - this.#base) / CHUNK_SIZE)
    let chunk = this.#chunks[index]
    if (chunk === undefined) {
      // A stream that filled a chunk will likely fill the next: full size at once, rather than
      // growing from a small one (which suits the many short streams of a test suite).
      chunk = index > 0 ? new Chunk(this.#base + index * CHUNK_SIZE, CHUNK_SIZE) : new Chunk(this.#base + index * CHUNK_SIZE)
      this.#chunks.push(chunk)
    }
    return chunk
  }

  /** Forgets every record below `seqNum`, freeing whole chunks. */
  dropBefore(seqNum: number): void {
    const target = Math.min(seqNum, this.#next)
    if (target <= this.#start) return
    this.#start = target
    const whole = Math.floor((target - this.#base) / CHUNK_SIZE)
    if (whole > 0) {
      this.#chunks = this.#chunks.slice(whole)
      this.#base += whole * CHUNK_SIZE
    }
  }

  /** First sequence number in [from, next) whose timestamp is >= `timestamp` (timestamps never decrease). */
  seekTimestamp(timestamp: number, from = this.#start): number {
    let lo = Math.max(from, this.#start)
    let hi = this.#next
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2)
      if (this.timestampOf(mid) >= timestamp) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** A copy that shares every full chunk with this log. */
  clone(): RecordLog {
    const copy = new RecordLog(this.#start)
    copy.#base = this.#base
    copy.#next = this.#next
    copy.#chunks = this.#chunks.map((chunk) => (chunk.full ? chunk : chunk.copy()))
    return copy
  }
}
