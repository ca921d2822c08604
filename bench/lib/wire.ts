/**
 * The wire shapes the benchmarks send and check: S2S frames and the protobuf messages of
 * proto/s2.proto (through protobufjs, not the emulator's own codecs), and S2 JSON bodies.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'

const root = protobuf.parse(readFileSync(new URL('../../proto/s2.proto', import.meta.url), 'utf8'), { keepCase: true }).root
const AppendInput = root.lookupType('s2.v1.AppendInput')
const AppendAck = root.lookupType('s2.v1.AppendAck')
const ReadBatch = root.lookupType('s2.v1.ReadBatch')

export const FLAG_TERMINAL = 0x80

/** A regular (uncompressed) S2S frame around `payload`. */
export function frame(payload: Uint8Array): Buffer {
  const length = payload.length + 1
  return Buffer.concat([Buffer.from([(length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0]), payload])
}

/** A record body of `size` bytes, the same bytes every time (the content does not matter here). */
export function body(size: number, fill = 0x61): Buffer {
  return Buffer.alloc(size, fill)
}

/** Protobuf AppendInput of `count` records of `size` bytes, no headers. */
export function protoAppend(count: number, size: number): Buffer {
  const b = body(size)
  const message = AppendInput.fromObject({ records: Array.from({ length: count }, () => ({ body: b })) })
  return Buffer.from(AppendInput.encode(message).finish())
}

function varint(value: number): number[] {
  const out: number[] = []
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80)
    value >>>= 7
  }
  out.push(value)
  return out
}

/** Protobuf AppendInput of `count` records of `size` random bytes (so stored data does not compress away). */
export function randomProtoAppend(count: number, size: number): Buffer {
  const inner = [0x1a, ...varint(size)] // AppendRecord.body = 3
  const recordLength = inner.length + size
  const outer = [0x0a, ...varint(recordLength)] // AppendInput.records = 1
  const stride = outer.length + recordLength
  const out = randomBytes(count * stride)
  for (let i = 0; i < count; i++) {
    const at = i * stride
    out.set(outer, at)
    out.set(inner, at + outer.length)
  }
  return out
}

/** JSON AppendInput (s2-format raw) of `count` records of `size` ASCII bytes. */
export function jsonAppend(count: number, size: number, text?: string): string {
  const record = JSON.stringify({ body: text ?? 'a'.repeat(size) })
  return `{"records":[${Array.from({ length: count }, () => record).join(',')}]}`
}

export interface Position {
  seq_num: number
  timestamp: number
}

const decodeOptions = { longs: Number, bytes: Buffer, defaults: false, arrays: true } as const

export function decodeAck(payload: Uint8Array): { start: Position; end: Position; tail: Position } {
  return AppendAck.toObject(AppendAck.decode(payload), decodeOptions) as { start: Position; end: Position; tail: Position }
}

export function decodeReadBatch(payload: Uint8Array): { records: { seq_num?: number; body?: Buffer }[]; tail?: Position } {
  return ReadBatch.toObject(ReadBatch.decode(payload), decodeOptions) as { records: { seq_num?: number; body?: Buffer }[]; tail?: Position }
}

export function encodeReadBatch(records: { seq_num: number; timestamp: number; body: Uint8Array }[], tail?: Position): Buffer {
  const message: Record<string, unknown> = { records }
  if (tail !== undefined) message['tail'] = tail
  return Buffer.from(ReadBatch.encode(ReadBatch.fromObject(message)).finish())
}

export function encodeAck(start: number, end: number, timestamp: number): Buffer {
  return Buffer.from(
    AppendAck.encode(
      AppendAck.fromObject({
        start: { seq_num: start, timestamp },
        end: { seq_num: end, timestamp },
        tail: { seq_num: end, timestamp },
      }),
    ).finish(),
  )
}

export interface ParsedFrame {
  readonly terminal: boolean
  readonly payload: Buffer
}

/** Whole frames in `bytes` (which must hold only whole frames). */
export function parseFrames(bytes: Buffer): ParsedFrame[] {
  const frames: ParsedFrame[] = []
  let offset = 0
  while (offset < bytes.length) {
    if (bytes.length - offset < 4) throw new Error('truncated S2S frame header')
    const length = bytes.readUIntBE(offset, 3)
    if (offset + 3 + length > bytes.length) throw new Error('truncated S2S frame')
    const flag = bytes[offset + 3] as number
    frames.push({ terminal: (flag & FLAG_TERMINAL) !== 0, payload: bytes.subarray(offset + 4, offset + 3 + length) })
    offset += 3 + length
  }
  return frames
}

/**
 * Walks S2S frames as chunks arrive without copying payloads: calls `onFrame` with the flag byte
 * and the first payload byte of each frame (enough to tell data from heartbeats and terminals).
 */
export class FrameWalker {
  #header: number[] = []
  #remaining = 0
  #needFlag = false
  #needFirst = false
  #flag = 0
  frames = 0
  readonly #onFrame: (flag: number, first: number | undefined) => void

  constructor(onFrame: (flag: number, first: number | undefined) => void = () => {}) {
    this.#onFrame = onFrame
  }

  push(chunk: Buffer): void {
    let i = 0
    while (i < chunk.length) {
      if (this.#remaining === 0 && !this.#needFlag) {
        this.#header.push(chunk[i++] as number)
        if (this.#header.length === 3) {
          const [a, b, c] = this.#header as [number, number, number]
          this.#remaining = (a << 16) | (b << 8) | c
          this.#header = []
          this.#needFlag = true
        }
        continue
      }
      if (this.#needFlag) {
        this.#flag = chunk[i++] as number
        this.#remaining--
        this.#needFlag = false
        this.#needFirst = true
        if (this.#remaining === 0) this.#complete(undefined)
        continue
      }
      if (this.#needFirst) {
        const first = chunk[i] as number
        this.#needFirst = false
        this.#pendingFirst = first
      }
      const take = Math.min(this.#remaining, chunk.length - i)
      i += take
      this.#remaining -= take
      if (this.#remaining === 0) this.#complete(this.#pendingFirst)
    }
  }

  #pendingFirst: number | undefined

  #complete(first: number | undefined): void {
    this.frames++
    this.#needFirst = false
    this.#pendingFirst = undefined
    this.#onFrame(this.#flag, first)
  }

  /** True between frames. */
  get idle(): boolean {
    return this.#remaining === 0 && !this.#needFlag && this.#header.length === 0
  }
}
