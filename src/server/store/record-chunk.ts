import { copiedRefs, type RecordBatch } from './record-batch.ts'
import { NO_HEADERS, type Header, type StoredRecord } from './record.ts'
import { ValueRuns } from './value-runs.ts'

/** Records per chunk. A power of two, so a record's place is a shift and a mask. */
export const CHUNK_SIZE = 1024
export const CHUNK_BITS = 10

/** Slots a new chunk has room for; its arrays double from there up to CHUNK_SIZE. */
const FIRST_CAPACITY = 16
/** Bytes of the first shared buffer of a chunk; later ones grow with the chunk, up to MAX_ARENA. */
const MIN_ARENA = 1024
const MAX_ARENA = 64 * 1024

const EMPTY = new Uint8Array(0)

/**
 * Runs of timestamps a chunk keeps before it keeps one timestamp per slot: records appended
 * together without timestamps of their own share one, so a chunk mostly needs a few runs.
 */
const MAX_TIMESTAMP_RUNS = 64

/**
 * A chunk's per-slot arrays, in one array buffer (10 bytes a slot): one allocation where there were
 * three, as an array buffer allocated cost 2-6 us on the VM the bench ran on.
 */
function slotArrays(capacity: number): { bodyStart: Uint32Array; bodyLength: Uint32Array; bufferIndex: Uint16Array } {
  const buffer = new ArrayBuffer(10 * capacity)
  return {
    bodyStart: new Uint32Array(buffer, 0, capacity),
    bodyLength: new Uint32Array(buffer, 4 * capacity, capacity),
    bufferIndex: new Uint16Array(buffer, 8 * capacity, capacity),
  }
}

/**
 * Up to CHUNK_SIZE consecutive records, packed: numbers in typed arrays, and body and header bytes
 * in a few shared buffers: large batches in the request buffers they arrived in, the rest copied
 * into "arenas". A record costs its bytes plus about 10 bytes, rather than an object, a view and
 * often a buffer of its own; timestamps and expiry times are kept as runs of equal values.
 *
 * Slots are only ever added, never changed, so a full chunk is shared between a log and its copies;
 * a copy of a partial one (see {@link copy}) shares the bytes written so far and writes its own.
 */
export class Chunk {
  /** Sequence number of slot 0. */
  readonly base: number
  length = 0
  /**
   * Timestamps (which never decrease in a stream), as runs while there are at most
   * MAX_TIMESTAMP_RUNS of them; past that, one per slot in #timestampEach. #timestampHint is the
   * run last looked up, as reads go slot by slot.
   */
  #timestamps: ValueRuns
  #timestampEach: Float64Array | null = null
  #timestampHint = 0
  /** When retention expires the records (ms since epoch, or Infinity), as runs. */
  #expiry: ValueRuns
  /** Which of `buffers` holds the record's body and header bytes. */
  bufferIndex: Uint16Array
  bodyStart: Uint32Array
  bodyLength: Uint32Array
  /**
   * Where the bytes are: the arenas, all but the writable one exactly as long as their contents;
   * and the buffers of requests whose records point into them (framing between the records).
   */
  readonly buffers: Buffer[]
  /**
   * Per slot, where its header names and values lie in its buffer ([nameStart, nameLength,
   * valueStart, valueLength] per header), or null without headers. Null until a record has one.
   */
  headers: (Uint32Array | null)[] | null = null
  /** Per slot, the key an encrypted record was written with. Null until a record has one. */
  keyIds: (string | null)[] | null = null
  /** The arena still being filled, its index in `buffers`, and how much of it is used. */
  #arena: Buffer | null = null
  #arenaIndex = 0
  #arenaUsed = 0
  /** The shared buffer records were last pointed into, and its index in `buffers`. */
  #shared: Buffer | null = null
  #sharedIndex = 0
  /** Body and header bytes held so far, to size the next arena. */
  #bytes = 0

  constructor(base: number, capacity = FIRST_CAPACITY) {
    this.base = base
    this.#expiry = new ValueRuns()
    this.#timestamps = new ValueRuns()
    this.buffers = []
    const slots = slotArrays(capacity)
    this.bufferIndex = slots.bufferIndex
    this.bodyStart = slots.bodyStart
    this.bodyLength = slots.bodyLength
  }

  get full(): boolean {
    return this.length === CHUNK_SIZE
  }

  /** Adds a record, copying its bytes into an arena. */
  add(timestamp: number, headers: readonly Header[], body: Uint8Array, expiresAt: number, keyId: string | null): void {
    const slot = this.length
    if (slot === this.bodyStart.length) this.#grow(slot + 1)
    this.#addTimestamp(slot, timestamp)
    this.#expiry.add(slot, expiresAt)
    let size = body.length
    for (let h = 0; h < headers.length; h++) size += (headers[h] as Header).name.length + (headers[h] as Header).value.length
    const arena = size === 0 ? null : this.#room(size)
    let at = arena === null ? 0 : this.#arenaUsed
    this.bufferIndex[slot] = arena === null ? 0 : this.#arenaIndex
    if (headers.length > 0) {
      const refs = new Uint32Array(4 * headers.length)
      for (let h = 0; h < headers.length; h++) {
        const { name, value } = headers[h] as Header
        refs[4 * h] = at
        refs[4 * h + 1] = name.length
        if (name.length > 0) (arena as Buffer).set(name, at)
        at += name.length
        refs[4 * h + 2] = at
        refs[4 * h + 3] = value.length
        if (value.length > 0) (arena as Buffer).set(value, at)
        at += value.length
      }
      this.#headerSlots()[slot] = refs
    } else if (this.headers !== null) {
      this.headers[slot] = null
    }
    this.bodyStart[slot] = at
    this.bodyLength[slot] = body.length
    if (arena !== null) {
      if (body.length > 0) arena.set(body, at)
      this.#arenaUsed = at + body.length
    }
    this.#bytes += size
    this.#setKey(slot, keyId)
    this.length = slot + 1
    if (this.full) this.#trimArena()
  }

  /**
   * Adds records `from` to `to` of a batch, which must fit (see RecordLog.addBatch), with the
   * timestamps they were given (`timestamps[i]` for record `i`). With `shared`, a Buffer over the
   * batch's bytes (when keeping them keeps little else, see RecordBatch.compact), the slots point
   * into it with the batch's own offsets and header refs: nothing is copied and nothing is built
   * per record. Otherwise their parts are copied into an arena, one that takes them all. `keyId`
   * goes with every record but those in `keyless` (by batch index: commands).
   */
  addBatch(
    batch: RecordBatch,
    from: number,
    to: number,
    timestamps: Float64Array,
    expiresAt: number,
    keyId: string | null,
    keyless: ReadonlyMap<number, unknown> | null,
    shared: Buffer | null,
  ): void {
    const first = this.length
    const end = first + (to - from)
    if (end > this.bodyStart.length) this.#grow(end)
    for (let i = from; i < to; i++) this.#addTimestamp(first + i - from, timestamps[i] as number)
    this.#expiry.add(first, expiresAt)
    let size = 0
    if (shared !== null) {
      if (shared !== this.#shared) {
        this.buffers.push(shared)
        this.#shared = shared
        this.#sharedIndex = this.buffers.length - 1
      }
      this.bufferIndex.fill(this.#sharedIndex, first, end)
      this.bodyStart.set(batch.bodyStart.subarray(from, to), first)
      this.bodyLength.set(batch.bodyLength.subarray(from, to), first)
      for (let i = from; i < to; i++) size += batch.bodyLength[i] as number
      // Every slot of the range is set in order, so the list has no holes.
      const headerSlots = batch.headers !== null ? this.#headerSlots() : this.headers
      if (headerSlots !== null) {
        for (let i = from; i < to; i++) {
          const refs = batch.headerRefs(i)
          headerSlots[first + i - from] = refs
          if (refs !== null) for (let r = 0; r < refs.length; r += 4) size += (refs[r + 1] as number) + (refs[r + 3] as number)
        }
      }
    } else {
      for (let i = from; i < to; i++) size += batch.partBytesOf(i)
      const arena = size === 0 ? null : this.#room(size)
      let at = this.#arenaUsed
      const copy = (start: number, length: number): number => {
        if (length > 0) batch.bytes.copy(arena as Buffer, at, start, start + length)
        at += length
        return at - length
      }
      const headerSlots = batch.headers !== null ? this.#headerSlots() : this.headers
      for (let i = from; i < to; i++) {
        const slot = first + i - from
        this.bufferIndex[slot] = arena === null ? 0 : this.#arenaIndex
        const refs = batch.headerRefs(i)
        if (headerSlots !== null) headerSlots[slot] = refs === null ? null : copiedRefs(refs, copy)
        const length = batch.bodyLength[i] as number
        this.bodyStart[slot] = copy(batch.bodyStart[i] as number, length)
        this.bodyLength[slot] = length
      }
      if (arena !== null) this.#arenaUsed = at
    }
    this.#bytes += size
    const keySlots = keyId !== null ? this.#keySlots() : this.keyIds
    if (keySlots !== null) for (let i = from; i < to; i++) keySlots[first + i - from] = keyless?.has(i) === true ? null : keyId
    this.length = end
    if (this.full) this.#trimArena()
  }

  #setKey(slot: number, keyId: string | null): void {
    if (keyId !== null) this.#keySlots()[slot] = keyId
    else if (this.keyIds !== null) this.keyIds[slot] = null
  }

  /** S2's metered size of a slot: 8 + 2 per header + header bytes + body bytes. */
  metered(slot: number): number {
    let size = 8 + (this.bodyLength[slot] as number)
    const refs = this.headers?.[slot]
    if (refs) for (let i = 0; i < refs.length; i += 4) size += 2 + (refs[i + 1] as number) + (refs[i + 3] as number)
    return size
  }

  /** The timestamp of the record in `slot`. */
  timestampOf(slot: number): number {
    const each = this.#timestampEach
    if (each !== null) return each[slot] as number
    const runs = this.#timestamps
    const count = runs.count
    // Reads go slot by slot: mostly the run of the last lookup, or the next one; else a search.
    let r = this.#timestampHint
    if (r >= count || runs.start(r) > slot || (r + 1 < count && runs.start(r + 1) <= slot)) {
      r = r + 1 < count && runs.start(r + 1) <= slot && (r + 2 === count || runs.start(r + 2) > slot) ? r + 1 : runs.find(slot)
      this.#timestampHint = r
    }
    return runs.value(r)
  }

  #addTimestamp(slot: number, timestamp: number): void {
    const each = this.#timestampEach
    if (each !== null) {
      each[slot] = timestamp
      return
    }
    const runs = this.#timestamps
    if (runs.count === MAX_TIMESTAMP_RUNS && !runs.isLast(timestamp)) {
      // Too many runs for their lookup to stay short: one timestamp per slot from here on.
      const all = new Float64Array(this.bodyStart.length)
      for (let r = 0; r < runs.count; r++) all.fill(runs.value(r), runs.start(r), slot)
      all[slot] = timestamp
      this.#timestampEach = all
      this.#timestamps = new ValueRuns()
      return
    }
    runs.add(slot, timestamp)
  }

  /** When retention expires the record in `slot`. */
  expiresAtOf(slot: number): number {
    return this.#expiry.value(this.#expiry.find(slot))
  }

  keyId(slot: number): string | null {
    return this.keyIds === null ? null : (this.keyIds[slot] ?? null)
  }

  /** A view of bytes of a slot's buffer (a plain Uint8Array, as decoded records have). */
  view(slot: number, start: number, length: number): Uint8Array {
    if (length === 0) return EMPTY
    const buffer = this.buffers[this.bufferIndex[slot] as number] as Buffer
    return new Uint8Array(buffer.buffer, buffer.byteOffset + start, length)
  }

  headerList(slot: number): readonly Header[] {
    const refs = this.headers?.[slot]
    if (!refs) return NO_HEADERS
    const headers: Header[] = new Array(refs.length / 4)
    for (let h = 0; h < headers.length; h++) {
      headers[h] = {
        name: this.view(slot, refs[4 * h] as number, refs[4 * h + 1] as number),
        value: this.view(slot, refs[4 * h + 2] as number, refs[4 * h + 3] as number),
      }
    }
    return headers
  }

  /** The slot as a StoredRecord of its own (for the users that want one). */
  record(slot: number): StoredRecord {
    return {
      seqNum: this.base + slot,
      timestamp: this.timestampOf(slot),
      headers: this.headerList(slot),
      body: this.view(slot, this.bodyStart[slot] as number, this.bodyLength[slot] as number),
      metered: this.metered(slot),
      expiresAt: this.expiresAtOf(slot),
      keyId: this.keyId(slot),
    }
  }

  /** A copy to write on: the slots written so far, sharing their bytes; new bytes go to arenas of its own. */
  copy(): Chunk {
    const copy = new Chunk(this.base, this.bodyStart.length)
    copy.length = this.length
    copy.#timestamps = this.#timestamps.copy()
    copy.#timestampEach = this.#timestampEach?.slice() ?? null
    copy.#expiry = this.#expiry.copy()
    copy.bufferIndex.set(this.bufferIndex)
    copy.bodyStart.set(this.bodyStart)
    copy.bodyLength.set(this.bodyLength)
    copy.buffers.push(...this.buffers)
    copy.headers = this.headers?.slice() ?? null
    copy.keyIds = this.keyIds?.slice() ?? null
    copy.#bytes = this.#bytes
    return copy
  }

  /** The arena `size` bytes (a record, or a batch's records) go to, starting a new one if the current one lacks room. */
  #room(size: number): Buffer {
    if (this.#arena !== null && this.#arenaUsed + size <= this.#arena.length) return this.#arena
    this.#trimArena()
    // allocUnsafeSlow: a buffer of its own, not a slice of Node's shared pool that would keep the pool alive.
    const arena = Buffer.allocUnsafeSlow(Math.max(size, Math.min(MAX_ARENA, Math.max(MIN_ARENA, this.#bytes))))
    this.buffers.push(arena)
    this.#arena = arena
    this.#arenaIndex = this.buffers.length - 1
    this.#arenaUsed = 0
    return arena
  }

  /**
   * Ends the arena being filled; one with more than a little slack is replaced by an exact-size
   * copy of what it holds, so the slack is not kept allocated.
   */
  #trimArena(): void {
    const arena = this.#arena
    if (arena === null) return
    this.#arena = null
    if ((arena.length - this.#arenaUsed) * 16 <= arena.length) return
    const exact = Buffer.allocUnsafeSlow(this.#arenaUsed)
    arena.copy(exact, 0, 0, this.#arenaUsed)
    this.buffers[this.#arenaIndex] = exact
  }

  /** Grows the arrays to hold at least `needed` slots, doubling. */
  #grow(needed: number): void {
    let capacity = this.bodyStart.length
    while (capacity < needed) capacity *= 2
    const { bufferIndex, bodyStart, bodyLength } = slotArrays(Math.min(CHUNK_SIZE, capacity))
    bufferIndex.set(this.bufferIndex)
    bodyStart.set(this.bodyStart)
    bodyLength.set(this.bodyLength)
    if (this.#timestampEach !== null) {
      const each = new Float64Array(bodyStart.length)
      each.set(this.#timestampEach)
      this.#timestampEach = each
    }
    this.bufferIndex = bufferIndex
    this.bodyStart = bodyStart
    this.bodyLength = bodyLength
  }

  #headerSlots(): (Uint32Array | null)[] {
    this.headers ??= new Array<Uint32Array | null>(this.length).fill(null)
    return this.headers
  }

  #keySlots(): (string | null)[] {
    this.keyIds ??= new Array<string | null>(this.length).fill(null)
    return this.keyIds
  }
}
