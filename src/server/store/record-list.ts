import { CHUNK_BITS, CHUNK_SIZE, type Chunk } from './record-chunk.ts'
import type { StoredRecord } from './record.ts'

const SLOT_MASK = CHUNK_SIZE - 1

/**
 * Records read out of a log (a read's batch), without an object per record: each is a slot of a
 * chunk, and its fields and bytes are read from there. Encoders copy the bytes straight into
 * their output; {@link get} and {@link map} make StoredRecords for the users that want objects.
 * It holds the chunks themselves, which never change where it looks, so it stays valid after the
 * log drops them.
 */
export class RecordList {
  static readonly EMPTY: RecordList = new RecordList([], new Int32Array(0))
  readonly #chunks: readonly Chunk[]
  /** Per record: its chunk's index in #chunks, shifted by CHUNK_BITS, and its slot. */
  readonly #refs: Int32Array

  constructor(chunks: readonly Chunk[], refs: Int32Array) {
    this.#chunks = chunks
    this.#refs = refs
  }

  get length(): number {
    return this.#refs.length
  }

  #chunk(i: number): Chunk {
    return this.#chunks[(this.#refs[i] as number) >> CHUNK_BITS] as Chunk
  }

  #slot(i: number): number {
    return (this.#refs[i] as number) & SLOT_MASK
  }

  seqNum(i: number): number {
    return this.#chunk(i).base + this.#slot(i)
  }

  timestamp(i: number): number {
    return this.#chunk(i).timestampOf(this.#slot(i))
  }

  metered(i: number): number {
    return this.#chunk(i).metered(this.#slot(i))
  }

  /** The metered bytes of all the records. */
  meteredBytes(): number {
    let bytes = 0
    for (let i = 0; i < this.#refs.length; i++) bytes += this.metered(i)
    return bytes
  }

  keyId(i: number): string | null {
    return this.#chunk(i).keyId(this.#slot(i))
  }

  bodyLength(i: number): number {
    return this.#chunk(i).bodyLength[this.#slot(i)] as number
  }

  /** A view of the body (for text encodings; {@link copyBody} copies without one). */
  body(i: number): Uint8Array {
    const chunk = this.#chunk(i)
    const slot = this.#slot(i)
    return chunk.view(slot, chunk.bodyStart[slot] as number, chunk.bodyLength[slot] as number)
  }

  /** The buffer the body lies in, from {@link bodyStart} for {@link bodyLength} bytes (no view made). */
  bodyBuffer(i: number): Buffer {
    const chunk = this.#chunk(i)
    return chunk.buffers[chunk.bufferIndex[this.#slot(i)] as number] as Buffer
  }

  bodyStart(i: number): number {
    return this.#chunk(i).bodyStart[this.#slot(i)] as number
  }

  /** The body decoded as UTF-8 (invalid bytes become U+FFFD, as a non-fatal TextDecoder does) or as base64, without a view. */
  bodyText(i: number, encoding: 'utf8' | 'base64'): string {
    const chunk = this.#chunk(i)
    const slot = this.#slot(i)
    const length = chunk.bodyLength[slot] as number
    if (length === 0) return ''
    const start = chunk.bodyStart[slot] as number
    return (chunk.buffers[chunk.bufferIndex[slot] as number] as Buffer).toString(encoding, start, start + length)
  }

  /** Copies the body into `out` at `at`; returns where it ends. */
  copyBody(i: number, out: Uint8Array, at: number): number {
    const chunk = this.#chunk(i)
    const slot = this.#slot(i)
    return copyOut(chunk, slot, chunk.bodyStart[slot] as number, chunk.bodyLength[slot] as number, out, at)
  }

  headerCount(i: number): number {
    const refs = this.#chunk(i).headers?.[this.#slot(i)]
    return refs ? refs.length / 4 : 0
  }

  headerNameLength(i: number, h: number): number {
    return this.#headerRefs(i)[4 * h + 1] as number
  }

  headerValueLength(i: number, h: number): number {
    return this.#headerRefs(i)[4 * h + 3] as number
  }

  headerName(i: number, h: number): Uint8Array {
    const refs = this.#headerRefs(i)
    return this.#chunk(i).view(this.#slot(i), refs[4 * h] as number, refs[4 * h + 1] as number)
  }

  headerValue(i: number, h: number): Uint8Array {
    const refs = this.#headerRefs(i)
    return this.#chunk(i).view(this.#slot(i), refs[4 * h + 2] as number, refs[4 * h + 3] as number)
  }

  copyHeaderName(i: number, h: number, out: Uint8Array, at: number): number {
    const refs = this.#headerRefs(i)
    return copyOut(this.#chunk(i), this.#slot(i), refs[4 * h] as number, refs[4 * h + 1] as number, out, at)
  }

  copyHeaderValue(i: number, h: number, out: Uint8Array, at: number): number {
    const refs = this.#headerRefs(i)
    return copyOut(this.#chunk(i), this.#slot(i), refs[4 * h + 2] as number, refs[4 * h + 3] as number, out, at)
  }

  #headerRefs(i: number): Uint32Array {
    return this.#chunk(i).headers?.[this.#slot(i)] as Uint32Array
  }

  /** Record `i` as an object of its own. */
  get(i: number): StoredRecord {
    return this.#chunk(i).record(this.#slot(i))
  }

  map<T>(fn: (record: StoredRecord, index: number) => T): T[] {
    const out: T[] = new Array(this.#refs.length)
    for (let i = 0; i < this.#refs.length; i++) out[i] = fn(this.get(i), i)
    return out
  }

  /**
   * Whether `other` holds the very same stored records (followers of a stream each collect the
   * batch an append made): slots never change once written, so the same chunk and slot at both ends
   * of a run of the same length is the same run.
   */
  sameRecords(other: RecordList): boolean {
    const n = this.#refs.length
    if (n === 0 || other.#refs.length !== n) return false
    return (
      this.#chunk(0) === other.#chunk(0) &&
      this.#slot(0) === other.#slot(0) &&
      this.#chunk(n - 1) === other.#chunk(n - 1) &&
      this.#slot(n - 1) === other.#slot(n - 1)
    )
  }

  /** Records [start, end), as Array.prototype.slice takes them. */
  slice(start?: number, end?: number): RecordList {
    return new RecordList(this.#chunks, this.#refs.subarray(start, end))
  }
}

function copyOut(chunk: Chunk, slot: number, start: number, length: number, out: Uint8Array, at: number): number {
  if (length === 0) return at
  const buffer = chunk.buffers[chunk.bufferIndex[slot] as number] as Buffer
  buffer.copy(out, at, start, start + length)
  return at + length
}

/** Builds a {@link RecordList} one record at a time. */
export class RecordListBuilder {
  readonly #chunks: Chunk[] = []
  #refs: Int32Array
  #length = 0

  constructor(capacity: number) {
    this.#refs = new Int32Array(Math.max(1, capacity))
  }

  get length(): number {
    return this.#length
  }

  add(chunk: Chunk, slot: number): void {
    if (this.#chunks[this.#chunks.length - 1] !== chunk) this.#chunks.push(chunk)
    if (this.#length === this.#refs.length) {
      const grown = new Int32Array(this.#refs.length * 2)
      grown.set(this.#refs)
      this.#refs = grown
    }
    this.#refs[this.#length++] = ((this.#chunks.length - 1) << CHUNK_BITS) | slot
  }

  finish(): RecordList {
    if (this.#length === 0) return RecordList.EMPTY
    // A batch collected for a follower fills its array exactly: no view of it to make.
    const refs = this.#length === this.#refs.length ? this.#refs : this.#refs.subarray(0, this.#length)
    return new RecordList(this.#chunks, refs)
  }
}
