/**
 * The least an S2 store does with an append, as the bench's "store" reference (see baseline.ts):
 * keep the bytes of each `AppendInput`, find each record's body in them, give the records their
 * sequence numbers and a timestamp, and answer with a real `AppendAck`. No validation, limits,
 * headers, journal, metrics, faults or readers: what is left is the work no S2 store can skip, done
 * in as little JavaScript as it takes (no object per record, no allocation per varint). The
 * emulator's append rows are measured against it to tell what its own work costs beyond that, so
 * it shares none of the emulator's code (its decoder and ack encoder are what is measured).
 */

/** Why bytes are not an `AppendInput` this store can read (the server answers 400). */
export class NotAnAppendInput extends Error {}

/** The bytes after a varint read by {@link varint}: a module slot, so reading one allocates nothing. */
let after = 0

function varint(bytes: Uint8Array, at: number, end: number): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (at >= end) throw new NotAnAppendInput(`varint runs past ${end}`)
    const b = bytes[at++] as number
    value += (b & 0x7f) * scale
    if (b < 0x80) {
      after = at
      return value
    }
    scale *= 128
  }
  throw new NotAnAppendInput('varint longer than 10 bytes')
}

/** Skips a field of wire type `wire` at `at` (its tag read); returns where the next field starts. */
function skip(bytes: Uint8Array, wire: number, at: number, end: number): number {
  if (wire === 0) {
    varint(bytes, at, end)
    return after
  }
  const next = wire === 2 ? varint(bytes, at, end) + after : wire === 1 ? at + 8 : wire === 5 ? at + 4 : -1
  if (next < 0) throw new NotAnAppendInput(`wire type ${wire}`)
  if (next > end) throw new NotAnAppendInput('field runs past its message')
  return next
}

/**
 * Where each record's body lies in an `AppendInput` at `bytes[start, end)`: one array of the
 * bodies' starts (the first `count` entries) and lengths (the next `count`), as the emulator keeps
 * a batch's places.
 */
export function locateBodies(bytes: Uint8Array, start = 0, end = bytes.length): Uint32Array {
  let count = 0
  for (let at = start; at < end; ) {
    const tag = varint(bytes, at, end)
    at = skip(bytes, tag & 7, after, end)
    if (tag === 0x0a) count++
  }
  const places = new Uint32Array(2 * count)
  let i = 0
  for (let at = start; at < end; ) {
    const tag = varint(bytes, at, end)
    if (tag !== 0x0a) {
      at = skip(bytes, tag & 7, after, end)
      continue
    }
    const length = varint(bytes, after, end)
    const recordEnd = after + length
    // AppendRecord: body = 3; timestamp (1) and headers (2) are stepped over.
    for (let r = after; r < recordEnd; ) {
      const field = varint(bytes, r, recordEnd)
      if (field === 0x1a) {
        const bodyLength = varint(bytes, after, recordEnd)
        if (after + bodyLength > recordEnd) throw new NotAnAppendInput('body runs past its record')
        places[i] = after
        places[count + i] = bodyLength
        r = after + bodyLength
      } else r = skip(bytes, field & 7, after, recordEnd)
    }
    i++
    at = recordEnd
  }
  return places
}

function varintLength(value: number): number {
  let n = 1
  while (value >= 128) {
    value = Math.floor(value / 128)
    n++
  }
  return n
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 0x80
    value = Math.floor(value / 128)
  }
  out[at++] = value
  return at
}

/**
 * An `AppendAck` (start, end, tail; each a `StreamPosition` of seq_num = 1 and timestamp = 2) for
 * records `start` to `end` - 1 appended at `timestamp`, written at `offset` of a buffer of its own
 * (an S2S frame's header goes before it).
 */
export function encodeAppendAck(start: number, end: number, timestamp: number, offset = 0): Buffer {
  const position = (seq: number): number => 2 + varintLength(seq) + varintLength(timestamp)
  const startLength = position(start)
  const endLength = position(end)
  const out = Buffer.allocUnsafe(offset + 2 + startLength + 2 * (2 + endLength))
  let at = offset
  const write = (field: number, seq: number, length: number): void => {
    out[at++] = field
    out[at++] = length
    out[at++] = 0x08
    at = writeVarint(out, at, seq)
    out[at++] = 0x10
    at = writeVarint(out, at, timestamp)
  }
  write(0x0a, start, startLength)
  write(0x12, end, endLength)
  write(0x1a, end, endLength)
  return out
}

/** A batch as kept: its bytes, where its bodies are, its first sequence number and its timestamp. */
interface Kept {
  readonly bytes: Uint8Array
  readonly places: Uint32Array
  readonly first: number
  readonly timestamp: number
}

/** One stream's records, kept batch by batch. */
export class LeastStore {
  #batches: Kept[] = []
  #next = 0
  #bytes = 0
  #records = 0

  /**
   * Appends the records of the `AppendInput` at `bytes[start, end)`, keeping `bytes` (all of them:
   * the caller passes only what it would keep anyway); returns its ack, `ackOffset` bytes into a
   * buffer of its own.
   */
  append(bytes: Uint8Array, start = 0, end = bytes.length, ackOffset = 0): Buffer {
    const places = locateBodies(bytes, start, end)
    const count = places.length / 2
    const timestamp = Date.now()
    const first = this.#next
    this.#batches.push({ bytes, places, first, timestamp })
    this.#next += count
    this.#records += count
    this.#bytes += bytes.length
    return encodeAppendAck(first, this.#next, timestamp, ackOffset)
  }

  /** Drops every record (sequence numbers go on); returns how many bytes and records it held. */
  drop(): { bytes: number; records: number } {
    const held = { bytes: this.#bytes, records: this.#records }
    this.#batches = []
    this.#bytes = 0
    this.#records = 0
    return held
  }
}

/**
 * Splits an S2S byte stream into whole frames: a frame within one chunk is a view of it, one in
 * several chunks is joined into a buffer of its own, as a store needs it whole to decode.
 */
export class FrameJoiner {
  #parts: Uint8Array[] = []
  #have = 0
  /** Bytes the frame at the front needs in all (0 while its length is not known). */
  #need = 0
  readonly #onFrame: (frame: Uint8Array) => void

  constructor(onFrame: (frame: Uint8Array) => void) {
    this.#onFrame = onFrame
  }

  push(chunk: Uint8Array): void {
    let rest = chunk
    while (rest.length > 0) {
      if (this.#need === 0) {
        if (this.#have > 0) {
          // Fewer than 3 bytes of a length came before: join them with this chunk.
          rest = Buffer.concat([...this.#parts, rest])
          this.#parts = []
          this.#have = 0
        }
        if (rest.length < 3) {
          this.#parts.push(rest)
          this.#have = rest.length
          return
        }
        this.#need = 3 + (((rest[0] as number) << 16) | ((rest[1] as number) << 8) | (rest[2] as number))
      }
      if (this.#have + rest.length < this.#need) {
        this.#parts.push(rest)
        this.#have += rest.length
        return
      }
      const take = this.#need - this.#have
      const frame = this.#have === 0 ? rest.subarray(0, take) : Buffer.concat([...this.#parts, rest.subarray(0, take)])
      this.#parts = []
      this.#have = 0
      this.#need = 0
      rest = rest.subarray(take)
      this.#onFrame(frame)
    }
  }
}
