import { NO_HEADERS, type AppendRecord, type Header } from './record.ts'
import { isSlab } from './slabs.ts'

/** Bytes worth keeping for `size` bytes of parts: a quarter more, and what a small request's framing takes. */
const maxKeptBytes = (size: number): number => size + (size >> 2) + 64

/** Batches of fewer bytes are copied by the store: a buffer kept for them alone would cost more than their bytes. */
const MIN_SHARED_BYTES = 4096

/**
 * A batch of records to append, packed: every part (header names and values, bodies) lies in one
 * buffer, most often the request's own, and where each lies is in typed arrays. Decoding a request
 * builds no object or view per record, and the store, the journal and the metrics read what they
 * need from the arrays; {@link record} makes a record of its own for the few that want one.
 * Never changed once built, so the store and the journal can keep it, or its buffer, as it is.
 */
export class RecordBatch {
  readonly length: number
  /** The buffer every part lies in; the offsets below are into it. */
  readonly bytes: Buffer
  readonly bodyStart: Uint32Array
  readonly bodyLength: Uint32Array
  /** The client's timestamp per record, NaN where none was given; null when no record has one. */
  readonly timestamps: Float64Array | null
  /**
   * Per record, where its headers lie ([nameStart, nameLength, valueStart, valueLength] per
   * header), or null without headers; null when no record has one.
   */
  readonly headers: readonly (Uint32Array | null)[] | null
  /** Header and body bytes of all records. */
  readonly partBytes: number
  /** Headers of all records. */
  readonly headerCount: number

  /** Use a {@link RecordBatchBuilder}, or {@link RecordBatch.of}. */
  constructor(
    bytes: Buffer,
    bodyStart: Uint32Array,
    bodyLength: Uint32Array,
    timestamps: Float64Array | null,
    headers: readonly (Uint32Array | null)[] | null,
    partBytes: number,
    headerCount: number,
  ) {
    this.length = bodyStart.length
    this.bytes = bytes
    this.bodyStart = bodyStart
    this.bodyLength = bodyLength
    this.timestamps = timestamps
    this.headers = headers
    this.partBytes = partBytes
    this.headerCount = headerCount
  }

  /** S2's metered size of the whole batch: 8 per record, 2 per header, and the header and body bytes. */
  get meteredBytes(): number {
    return 8 * this.length + 2 * this.headerCount + this.partBytes
  }

  /** Headers of record `i` (their refs' length is 4 per header). */
  headerRefs(i: number): Uint32Array | null {
    return this.headers === null ? null : (this.headers[i] ?? null)
  }

  /** Header and body bytes of record `i`. */
  partBytesOf(i: number): number {
    let size = this.bodyLength[i] as number
    const refs = this.headerRefs(i)
    if (refs !== null) for (let r = 0; r < refs.length; r += 4) size += (refs[r + 1] as number) + (refs[r + 3] as number)
    return size
  }

  /** The client's timestamp of record `i`, or undefined. */
  timestamp(i: number): number | undefined {
    const ts = this.timestamps === null ? NaN : (this.timestamps[i] as number)
    return Number.isNaN(ts) ? undefined : ts
  }

  /** Record `i` as an object of its own, its parts views of the batch's bytes. */
  record(i: number): AppendRecord {
    const refs = this.headerRefs(i)
    let headers: readonly Header[] = NO_HEADERS
    if (refs !== null) {
      const list: Header[] = new Array(refs.length / 4)
      for (let h = 0; h < list.length; h++) {
        list[h] = { name: this.#view(refs[4 * h] as number, refs[4 * h + 1] as number), value: this.#view(refs[4 * h + 2] as number, refs[4 * h + 3] as number) }
      }
      headers = list
    }
    return { timestamp: this.timestamp(i), headers, body: this.#view(this.bodyStart[i] as number, this.bodyLength[i] as number) }
  }

  /** Every record as an object of its own (see {@link record}). */
  toArray(): AppendRecord[] {
    return Array.from({ length: this.length }, (_, i) => this.record(i))
  }

  /**
   * Whether keeping the batch's buffer keeps little else: it is not much larger than the parts
   * (see {@link maxKeptBytes}). A request's own buffer mostly is; a view into a larger read
   * (node:http2's DATA chunks, a pool) is not.
   */
  get compact(): boolean {
    return this.bytes.buffer.byteLength <= maxKeptBytes(this.partBytes)
  }

  /**
   * The buffer for the store to keep and point the records into rather than copy them, when it
   * holds at least MIN_SHARED_BYTES: the batch's own when it is {@link compact}, or a view into a
   * session's slab (see FrameSlabs), which the session's stream keeps whole; else null. The
   * journal, which outlives records, keeps only compact buffers (see {@link kept}).
   */
  get shareable(): Buffer | null {
    return this.partBytes >= MIN_SHARED_BYTES && (this.compact || isSlab(this.bytes.buffer)) ? this.bytes : null
  }

  /**
   * The first `count` records as a batch that keeps no more memory than they need: this one when
   * that is all of it and {@link compact}, else a copy of their parts into a buffer of their own.
   */
  kept(count: number): RecordBatch {
    if (count === this.length && this.compact) return this
    const builder = new RecordBatchBuilder(count)
    let size = 0
    for (let i = 0; i < count; i++) size += this.partBytesOf(i)
    const bytes = Buffer.allocUnsafeSlow(size)
    let at = 0
    const copy = (start: number, length: number): number => {
      this.bytes.copy(bytes, at, start, start + length)
      at += length
      return at - length
    }
    for (let i = 0; i < count; i++) {
      const refs = this.headerRefs(i)
      const copied = refs === null ? null : copiedRefs(refs, copy)
      const length = this.bodyLength[i] as number
      builder.add(copy(this.bodyStart[i] as number, length), length, this.timestamp(i), copied)
    }
    return builder.build(bytes)
  }

  #view(start: number, length: number): Uint8Array {
    // A plain view, as decoded records always had: a Buffer's subarray builds a Buffer subclass.
    return length === 0 ? EMPTY : new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + start, length)
  }

  /**
   * A batch of records given as objects: their parts are used where they lie when they are all in
   * one buffer (a decoder's views of the request), else copied into one buffer of their own.
   */
  static of(records: readonly AppendRecord[]): RecordBatch {
    let source: ArrayBufferLike | null = null
    let size = 0
    let oneBuffer = true
    const visit = (part: Uint8Array): void => {
      size += part.length
      if (part.length === 0 || !oneBuffer) return
      if (source === null) source = part.buffer
      else if (part.buffer !== source) oneBuffer = false
    }
    // Indexed loops: this runs per record of every JSON append.
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as AppendRecord
      for (let h = 0; h < record.headers.length; h++) {
        visit((record.headers[h] as Header).name)
        visit((record.headers[h] as Header).value)
      }
      visit(record.body)
    }
    const whole: ArrayBufferLike | null = oneBuffer ? source : null
    const bytes = whole !== null ? Buffer.from(whole) : Buffer.allocUnsafeSlow(size)
    let at = 0
    // Where a part lies in `bytes`: its own offset in the one buffer, or where it is copied to.
    const place = (part: Uint8Array): number => {
      if (part.length === 0) return 0
      if (whole !== null) return part.byteOffset
      bytes.set(part, at)
      at += part.length
      return at - part.length
    }
    const builder = new RecordBatchBuilder(records.length)
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as AppendRecord
      const headers = record.headers
      let refs: Uint32Array | null = null
      if (headers.length > 0) {
        refs = new Uint32Array(4 * headers.length)
        for (let h = 0; h < headers.length; h++) {
          const { name, value } = headers[h] as Header
          refs[4 * h] = place(name)
          refs[4 * h + 1] = name.length
          refs[4 * h + 2] = place(value)
          refs[4 * h + 3] = value.length
        }
      }
      builder.add(place(record.body), record.body.length, record.timestamp, refs)
    }
    return builder.build(bytes)
  }
}

const EMPTY: Uint8Array = new Uint8Array(0)

/**
 * Header refs (see RecordBatch.headers) for parts copied elsewhere: `copy(start, length)` copies a
 * part and returns where it now starts.
 */
export function copiedRefs(refs: Uint32Array, copy: (start: number, length: number) => number): Uint32Array {
  const copied = new Uint32Array(refs.length)
  for (let r = 0; r < refs.length; r += 2) {
    copied[r] = copy(refs[r] as number, refs[r + 1] as number)
    copied[r + 1] = refs[r + 1] as number
  }
  return copied
}

/** Builds a {@link RecordBatch} record by record, for a count known beforehand. */
export class RecordBatchBuilder {
  #count = 0
  readonly #bodyStart: Uint32Array
  readonly #bodyLength: Uint32Array
  #timestamps: Float64Array | null = null
  #headers: (Uint32Array | null)[] | null = null
  #partBytes = 0
  #headerCount = 0

  constructor(capacity: number) {
    // One array buffer for both: each one allocated costs more than filling it.
    const places = new Uint32Array(2 * capacity)
    this.#bodyStart = places.subarray(0, capacity)
    this.#bodyLength = places.subarray(capacity)
  }

  get count(): number {
    return this.#count
  }

  /** Adds a record: where its body lies, its timestamp, and its header refs (see RecordBatch.headers). */
  add(bodyStart: number, bodyLength: number, timestamp: number | undefined, headers: Uint32Array | null): void {
    const i = this.#count++
    if (i >= this.#bodyStart.length) throw new RangeError(`a batch built for ${this.#bodyStart.length} records was given more`)
    this.#bodyStart[i] = bodyStart
    this.#bodyLength[i] = bodyLength
    if (timestamp !== undefined) (this.#timestamps ??= new Float64Array(this.#bodyStart.length).fill(NaN))[i] = timestamp
    this.#partBytes += bodyLength
    if (headers !== null) {
      ;(this.#headers ??= new Array<Uint32Array | null>(this.#bodyStart.length).fill(null))[i] = headers
      this.#headerCount += headers.length / 4
      for (let r = 0; r < headers.length; r += 4) this.#partBytes += (headers[r + 1] as number) + (headers[r + 3] as number)
    }
  }

  /** The batch of the records added, which lie in `bytes`. */
  build(bytes: Uint8Array): RecordBatch {
    const n = this.#count
    const whole = n === this.#bodyStart.length
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return new RecordBatch(
      buffer,
      whole ? this.#bodyStart : this.#bodyStart.slice(0, n),
      whole ? this.#bodyLength : this.#bodyLength.slice(0, n),
      this.#timestamps === null ? null : whole ? this.#timestamps : this.#timestamps.slice(0, n),
      this.#headers === null ? null : whole ? this.#headers : this.#headers.slice(0, n),
      this.#partBytes,
      this.#headerCount,
    )
  }
}
