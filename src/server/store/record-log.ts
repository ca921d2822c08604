import type { StoredRecord } from './record.ts'

const CHUNK_SIZE = 1024

/**
 * A stream's records in sequence order, stored in fixed-size chunks. Full chunks are never written
 * again, so a copy shares them and duplicates only the last, partial chunk: copying a log of a
 * million records copies about a thousand references.
 */
export class RecordLog {
  #chunks: StoredRecord[][]
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

  get(seqNum: number): StoredRecord | undefined {
    if (seqNum < this.#start || seqNum >= this.#next) return undefined
    const offset = seqNum - this.#base
    return this.#chunks[Math.floor(offset / CHUNK_SIZE)]?.[offset % CHUNK_SIZE]
  }

  push(record: StoredRecord): void {
    const offset = this.#next - this.#base
    const index = Math.floor(offset / CHUNK_SIZE)
    let chunk = this.#chunks[index]
    if (chunk === undefined) {
      chunk = []
      this.#chunks.push(chunk)
    }
    chunk.push(record)
    this.#next++
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
      if ((this.get(mid) as StoredRecord).timestamp >= timestamp) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** A copy that shares every full chunk with this log. */
  clone(): RecordLog {
    const copy = new RecordLog(this.#start)
    copy.#base = this.#base
    copy.#next = this.#next
    copy.#chunks = this.#chunks.map((chunk) => (chunk.length === CHUNK_SIZE ? chunk : chunk.slice()))
    return copy
  }
}
