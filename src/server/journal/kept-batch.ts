import { recordStretch, wholeRequestBytes, type AppendRecord, type Header } from '../store/index.ts'

/**
 * Whole records of one batch as the journal keeps them: their bytes in one buffer, their shape in
 * typed arrays. Not the decoded records: an object and a view per record, which the journal would
 * keep alive (and through the young generation into the old) for as long as the entry holds
 * content. The bytes are those of the request when its records are views of one buffer of about
 * their size, as decoded records mostly are (decoded records are never changed); else a copy.
 */
export interface KeptBatch {
  readonly count: number
  readonly bytes: Buffer
  /** Per record: its number of headers, then where each header's name and value and then its body lie in `bytes` (start, length). */
  readonly shape: Uint32Array
  /** Per record, its timestamp or NaN when none was given; null when no record had one. */
  readonly timestamps: Float64Array | null
}

/** A record of a kept batch, its parts as views of the batch's bytes. */
export interface KeptParts {
  readonly headers: (readonly [Uint8Array, Uint8Array])[]
  readonly body: Uint8Array
  readonly timestamp: number | null
}

/**
 * Keeps the first `count` records of a batch, whose parts add up to `size` bytes (the shape takes
 * `2 * parts + count` numbers). Records decoded from one request are views of its buffer, in
 * order: then the stretch from the first part to the last (what lies between, the request's
 * framing, within a quarter more) is kept as it is when the buffer is not much larger, or else
 * copied at once, rather than each part on its own.
 */
export function keptBatch(records: readonly AppendRecord[], count: number, size: number, shapeLength: number): KeptBatch {
  const shape = new Uint32Array(shapeLength)
  const stretch = recordStretch(records, count, size)
  let bytes: Buffer
  // Where part bytes start: in `bytes` when copied part by part, in the source when copied as one stretch.
  let at = 0
  const whole = stretch === null ? null : wholeRequestBytes(stretch, size)
  if (stretch === null) bytes = Buffer.allocUnsafe(size)
  else if (whole !== null) bytes = whole
  else {
    bytes = Buffer.allocUnsafe(stretch.end - stretch.start)
    bytes.set(new Uint8Array(stretch.source, stretch.start, bytes.length))
  }
  let timestamps: Float64Array | null = null
  let s = 0
  const place = (part: Uint8Array): void => {
    if (stretch !== null) shape[s++] = part.length === 0 ? 0 : part.byteOffset - stretch.start
    else {
      bytes.set(part, at)
      shape[s++] = at
      at += part.length
    }
    shape[s++] = part.length
  }
  for (let i = 0; i < count; i++) {
    const record = records[i] as AppendRecord
    if (record.timestamp !== undefined) (timestamps ??= new Float64Array(count).fill(NaN))[i] = record.timestamp
    const headers = record.headers
    shape[s++] = headers.length
    for (let h = 0; h < headers.length; h++) {
      place((headers[h] as Header).name)
      place((headers[h] as Header).value)
    }
    place(record.body)
  }
  return { count, bytes, shape, timestamps }
}

/** The records of a kept batch, as views of its bytes. */
export function* keptRecords(batch: KeptBatch): Generator<KeptParts> {
  const { bytes, shape, timestamps } = batch
  let s = 0
  const take = (): Uint8Array => {
    const start = shape[s++] as number
    return bytes.subarray(start, start + (shape[s++] as number))
  }
  for (let i = 0; i < batch.count; i++) {
    const headers: (readonly [Uint8Array, Uint8Array])[] = new Array(shape[s++] as number)
    for (let h = 0; h < headers.length; h++) {
      const name = take()
      headers[h] = [name, take()]
    }
    const body = take()
    const timestamp = timestamps === null || Number.isNaN(timestamps[i]) ? null : (timestamps[i] as number)
    yield { headers, body, timestamp }
  }
}
