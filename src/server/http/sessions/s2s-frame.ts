import { S2Error, type JsonValue } from '../../errors/index.ts'
import { concatBytes } from '../bytes.ts'
import { compress, COMPRESS_MIN_BYTES, decompress, type Compression } from '../encoding.ts'

/**
 * S2S framing (s2-specs `s2s.md`): a 3-byte big-endian length of flag + payload, a flag byte
 * `[T][CC][R][0000]`, then the payload: a protobuf message, or for a terminal frame a 2-byte
 * status and a JSON error body.
 */

/** Largest length field accepted (flag + payload), and largest decompressed payload. */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024

const TERMINAL = 0x80
const COMPRESSION_MASK = 0x60
const ZSTD = 0x20
const GZIP = 0x40
const RESERVED_MASK = 0x1f
/** Bit 4 of a regular frame: the server advises the client to reconnect (s2.dev, SDK 0.27). */
export const RECONNECT_ADVISED = 0x10

export interface Frame {
  readonly terminal: boolean
  readonly compression: Compression
  /** The payload as sent (still compressed if `compression` says so). */
  readonly payload: Uint8Array
  /** The flag byte as received. */
  readonly flag: number
}

/** Bytes in front of a frame's payload: the length and the flag. */
export const FRAME_HEADER_BYTES = 4

function writeHeader(out: Uint8Array, flag: number, payloadLength: number): void {
  const length = payloadLength + 1
  out[0] = (length >>> 16) & 0xff
  out[1] = (length >>> 8) & 0xff
  out[2] = length & 0xff
  out[3] = flag
}

function frame(flag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length)
  writeHeader(out, flag, payload.length)
  out.set(payload, FRAME_HEADER_BYTES)
  return out
}

/**
 * A regular uncompressed frame whose payload `write` puts in place (at offset
 * {@link FRAME_HEADER_BYTES}, `payloadLength` bytes), so the payload is not built and then copied.
 */
export function framedInPlace(payloadLength: number, write: (out: Uint8Array) => void, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Uint8Array {
  const out = allocate(FRAME_HEADER_BYTES + payloadLength)
  writeHeader(out, 0, payloadLength)
  write(out)
  return out
}

/** A regular frame, compressed with `algorithm` when the payload is at least 1 KiB. */
export function messageFrame(payload: Uint8Array, algorithm: Compression): Uint8Array {
  if (algorithm === 'none' || payload.length < COMPRESS_MIN_BYTES) return frame(0, payload)
  return frame(algorithm === 'zstd' ? ZSTD : GZIP, compress(payload, algorithm))
}

/**
 * A regular frame exactly as described, for replaying recorded traffic: `payload` compressed with
 * `algorithm` whatever its size, with `extraFlags` (such as {@link RECONNECT_ADVISED}) set.
 */
export function exactFrame(payload: Uint8Array, algorithm: Compression, extraFlags = 0): Uint8Array {
  const bits = algorithm === 'zstd' ? ZSTD : algorithm === 'gzip' ? GZIP : 0
  return frame(bits | extraFlags, compress(payload, algorithm))
}

/** A terminal frame: the session ends after it. */
export function terminalFrame(status: number, body: JsonValue): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(body))
  const payload = new Uint8Array(2 + json.length)
  payload[0] = (status >>> 8) & 0xff
  payload[1] = status & 0xff
  payload.set(json, 2)
  return frame(TERMINAL, payload)
}

const badFrame = (message: string): S2Error => new S2Error('bad_frame', message)

/**
 * Splits a byte stream into frames. At malformed input it stops and keeps the 400 `bad_frame` in
 * {@link FrameDecoder.failure}, after returning the good frames that came before it, so those are
 * still applied and acknowledged first.
 */
export class FrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0)
  /**
   * Chunks of a frame still incomplete, kept apart until it is whole: joining each chunk to the
   * buffer as it came would copy a large frame once per chunk.
   */
  #waiting: Uint8Array[] = []
  #waitingBytes = 0
  /** Bytes the frame at the front needs in all (0 when unknown). */
  #needed = 0
  /** Set once malformed input was met; nothing more is decoded after it. */
  failure: S2Error | null = null
  readonly #reserved: number
  readonly #join: (parts: readonly Uint8Array[]) => Uint8Array

  /**
   * `acceptReconnectAdvised` lets bit 4 ({@link RECONNECT_ADVISED}) through, as a client decoding a
   * server's frames must; a server decoding a client's frames rejects it as a reserved bit.
   * `join` joins the chunks of a frame that came in several (by default into a buffer of its own).
   */
  constructor(options: { acceptReconnectAdvised?: boolean; join?: (parts: readonly Uint8Array[]) => Uint8Array } = {}) {
    this.#reserved = options.acceptReconnectAdvised ? RESERVED_MASK & ~RECONNECT_ADVISED : RESERVED_MASK
    this.#join = options.join ?? concatBytes
  }

  /** Adds bytes and returns every frame they complete, up to any malformed one. */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure) return []
    if (this.#needed > 0) {
      const have = this.#buffer.length + this.#waitingBytes
      if (have + chunk.length < this.#needed) {
        this.#waiting.push(chunk)
        this.#waitingBytes += chunk.length
        return []
      }
      // The frame at the front ends in this chunk: its bytes alone are joined, so that what keeps
      // its records (the store) keeps none of the next frame's bytes (by default it gets a buffer
      // of its own; an append session's go to its slabs), and the rest of the chunk is read as it came.
      const split = this.#needed - have
      const whole = this.#join([this.#buffer, ...this.#waiting, chunk.subarray(0, split)])
      this.#waiting = []
      this.#waitingBytes = 0
      this.#needed = 0
      const frames = this.#read(whole)
      if (split < chunk.length && this.failure === null) frames.push(...this.#read(chunk.subarray(split)))
      return frames
    }
    // Fewer than 3 bytes of the next frame's length came before: joined with the chunk.
    return this.#read(this.#buffer.length === 0 ? chunk : this.#join([this.#buffer, chunk]))
  }

  /** Reads the frames `buffer` holds whole; keeps the rest, and the length it needs once known. */
  #read(buffer: Uint8Array): Frame[] {
    const frames: Frame[] = []
    let offset = 0
    const fail = (message: string): Frame[] => {
      this.failure = badFrame(message)
      this.#buffer = new Uint8Array(0)
      return frames
    }
    while (buffer.length - offset >= 3) {
      const length = ((buffer[offset] as number) << 16) | ((buffer[offset + 1] as number) << 8) | (buffer[offset + 2] as number)
      if (length === 0) return fail('frame length must be at least 1 (the flag byte)')
      if (length > MAX_FRAME_BYTES) return fail(`frame length ${length} exceeds the 2 MiB limit`)
      if (buffer.length - offset < 3 + length) {
        this.#needed = 3 + length
        break
      }
      const flag = buffer[offset + 3] as number
      if ((flag & COMPRESSION_MASK) === COMPRESSION_MASK) return fail('invalid compression bits 11 in frame flag')
      if ((flag & this.#reserved) !== 0) return fail(`reserved bits set in frame flag 0x${flag.toString(16)}`)
      const bits = flag & COMPRESSION_MASK
      frames.push({
        terminal: (flag & TERMINAL) !== 0,
        compression: bits === ZSTD ? 'zstd' : bits === GZIP ? 'gzip' : 'none',
        payload: buffer.subarray(offset + 4, offset + 3 + length),
        flag,
      })
      offset += 3 + length
    }
    this.#buffer = buffer.subarray(offset)
    return frames
  }

  /** Bytes of an incomplete frame still buffered. */
  get pending(): number {
    return this.#buffer.length + this.#waitingBytes
  }
}

/** The payload of a received frame, decompressed. */
export function framePayload(frame: Frame): Uint8Array {
  return decompress(frame.payload, frame.compression, MAX_FRAME_BYTES, 'bad_frame')
}
