/**
 * JSON text written straight as UTF-8 bytes. Read batches carry megabytes of record bodies: as
 * one string they cost a pass per concatenation and an encoding of the whole back to bytes; and
 * V8 decodes bytes that are not UTF-8 (binary records read in the raw format), and escapes the
 * result, at 21-24 ns a byte, where the loop here writes their lossy decoding at 12-19 (random
 * bytes, measured on the bench's VM).
 */

import { isUtf8 } from 'node:buffer'

const HEX = '0123456789abcdef'
/** What JSON.stringify writes for each byte below 0x20 and for `"` and `\`; null for bytes written as they are. */
const ESCAPES: (Uint8Array | null)[] = Array.from({ length: 256 }, (_, b) => {
  const short: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' }
  const text = short[b] ?? (b < 0x20 ? `\\u00${HEX[b >> 4]}${HEX[b & 15]}` : null)
  return text === null ? null : Buffer.from(text, 'latin1')
})

/** What a byte is to the writer: written as it is, escaped, the lead of a sequence of 2 to 4 bytes, or never valid first. */
const PLAIN = 0
const ESCAPE = 1
const INVALID = 5
const KIND = Uint8Array.from({ length: 256 }, (_, b) =>
  b < 0x80 ? (ESCAPES[b] === null ? PLAIN : ESCAPE) : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : INVALID,
)

/** Strings of at least this many bytes are checked for well-formed text with nothing to escape, written as it is (see {@link JsonBytes.utf8String}). */
const PLAIN_STRING = 64
/** Strings of up to this many bytes that need escaping are written by the loop of {@link JsonBytes.utf8String}, well-formed or not. */
const SHORT_STRING = 256

/** ASCII text as the bytes {@link JsonBytes.literal} writes. */
export const asciiBytes = (text: string): Uint8Array => Buffer.from(text, 'latin1')

/** Growable output, written front to back. */
export class JsonBytes {
  #buffer: Buffer
  #at = 0

  /** `allocate` gives the first buffer (growing takes new ones from Node). */
  constructor(capacity: number, allocate: (size: number) => Buffer = Buffer.allocUnsafe) {
    this.#buffer = allocate(Math.max(64, capacity))
  }

  /** Room for `n` more bytes. */
  #room(n: number): Buffer {
    if (this.#at + n > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + n))
      this.#buffer.copy(grown, 0, 0, this.#at)
      this.#buffer = grown
    }
    return this.#buffer
  }

  /**
   * Bytes given beforehand (see {@link asciiBytes}), copied by a loop: for the short pieces written
   * per record, a call into V8 to encode a string costs more than the copy.
   */
  literal(bytes: Uint8Array): void {
    const out = this.#room(bytes.length)
    let at = this.#at
    for (let i = 0; i < bytes.length; i++) out[at++] = bytes[i] as number
    this.#at = at
  }

  /** A number as JSON.stringify writes it: digit by digit for a safe non-negative integer (sequence numbers, timestamps). */
  number(value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0)) return this.ascii(String(value))
    // In two parts below 2^31 (the last 8 digits, and the rest of a value below 2^53), so the
    // divisions by 10 are of small integers, which V8 does with a multiply: timestamps are 13
    // digits, and a record has two numbers (about 46 against 150 ns for the pair).
    // value / 1e8 is below 2^27, where doubles are 2^-26 apart: a value just below a multiple of
    // 1e8 (a quotient at least 1e-8 below an integer) never rounds up to it, so `low` is never negative.
    const high = value >= 1e8 ? Math.floor(value / 1e8) : 0
    let low = value - high * 1e8
    let digits = 1
    if (high > 0) {
      digits = 9
      for (let rest = high; rest >= 10; rest = (rest / 10) | 0) digits++
    } else for (let rest = low; rest >= 10; rest = (rest / 10) | 0) digits++
    const out = this.#room(digits)
    let at = this.#at + digits
    this.#at = at
    // The low part fills exactly 8 digits (leading zeros) when there is a high part.
    for (let k = high > 0 ? 8 : digits; k > 0; k--) {
      const q = (low / 10) | 0
      out[--at] = 0x30 + low - q * 10
      low = q
    }
    for (let rest = high; rest > 0; ) {
      const q = (rest / 10) | 0
      out[--at] = 0x30 + rest - q * 10
      rest = q
    }
  }

  /** Text of ASCII characters only (punctuation, numbers, base64), as it is. */
  ascii(text: string): void {
    this.#room(text.length)
    this.#at += this.#buffer.write(text, this.#at, 'latin1')
  }

  /**
   * `bytes[start, end)` decoded as UTF-8 the way a non-fatal TextDecoder does (each maximal
   * invalid subsequence becomes one U+FFFD), as a JSON string literal written as JSON.stringify
   * writes it.
   */
  utf8String(bytes: Uint8Array, start: number, end: number): void {
    // Worst case: every byte a control character, written as \u00XX.
    const out = this.#room(6 * (end - start) + 2)
    // Well-formed UTF-8 (text, the usual case) with nothing to escape is written as it is, as
    // JSON.stringify would write it (for 100 bytes of text ~170 against ~300 ns in the loop below;
    // 1 KiB: ~0.4 against ~0.8 ns a byte through V8). Long text with something to escape goes
    // through V8's own decoding and escaping, faster than the loop; the loop takes bytes that are
    // not UTF-8, which V8 decodes slowly, short text to escape, where the calls into V8 cost more
    // than the loop (~630 against ~190 ns for 100 bytes), and very short strings.
    // The escape test comes first: it ends at the first byte to escape, often among the first (a
    // JSON body's quotes), and costs less than the well-formedness test.
    const length = end - start
    const plain = length >= PLAIN_STRING && !hasEscape(bytes, start, end)
    const part = plain || length > SHORT_STRING ? bytes.subarray(start, end) : null
    if (part !== null && isUtf8(part)) {
      if (plain) {
        let at = this.#at
        out[at++] = 0x22
        out.set(part, at)
        at += length
        out[at++] = 0x22
        this.#at = at
      } else this.#at += out.write(JSON.stringify(Buffer.from(part.buffer, part.byteOffset, length).toString('utf8')), this.#at, 'utf8')
      return
    }
    let at = this.#at
    out[at++] = 0x22
    // Bytes written as they are (plain ASCII, well-formed sequences) are copied a run at a time.
    let run = start
    let i = start
    while (i < end) {
      const b = bytes[i] as number
      const kind = KIND[b] as number
      if (kind === PLAIN) {
        i++
        continue
      }
      if (kind !== ESCAPE) {
        // A lead byte: kind is the length of its sequence (INVALID for bytes that never lead one).
        let k = 1
        if (kind !== INVALID && i + 1 < end) {
          const second = bytes[i + 1] as number
          if (second >= (b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80) && second <= (b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf)) {
            k = 2
            while (k < kind && i + k < end && ((bytes[i + k] as number) & 0xc0) === 0x80) k++
          }
        }
        if (k === kind) {
          i += k
          continue
        }
        at = copyRun(bytes, run, i, out, at)
        // U+FFFD for the longest start of a sequence here (at least this byte).
        out[at++] = 0xef
        out[at++] = 0xbf
        out[at++] = 0xbd
        i += k
      } else {
        at = copyRun(bytes, run, i, out, at)
        const escape = ESCAPES[b] as Uint8Array
        for (let e = 0; e < escape.length; e++) out[at++] = escape[e] as number
        i++
      }
      run = i
    }
    at = copyRun(bytes, run, end, out, at)
    out[at++] = 0x22
    this.#at = at
  }

  /** The bytes written. */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#at)
  }
}

/**
 * Whether `bytes[start, end)` hold a byte JSON must escape (below 0x20, `"` or `\`). Bytes of
 * multi-byte UTF-8 sequences are all 0x80 or above, so in well-formed UTF-8 these are the only
 * ones JSON.stringify changes. Four bytes at a time where they are aligned: in each byte of a word,
 * `(v - 0x20) & ~v` has its top bit set when v is below 0x20, and `(x - 1) & ~x` when x is 0 (for x
 * the byte xor `"` or `\`). A borrow crosses into the next byte only from a byte that matched,
 * so the test of a whole word is exact.
 */
export function hasEscape(bytes: Uint8Array, start: number, end: number): boolean {
  const offset = bytes.byteOffset
  // Byte by byte up to a word boundary at least 8 bytes in, so an early match costs no view.
  const first = Math.min(end, start + 8 + ((4 - ((offset + start + 8) & 3)) & 3))
  const last = first + ((end - first) & ~3)
  for (let i = start; i < first; i++) if (KIND[bytes[i] as number] === ESCAPE) return true
  if (last > first) {
    const words = new Int32Array(bytes.buffer, offset + first, (last - first) >> 2)
    for (let w = 0; w < words.length; w++) {
      const v = words[w] as number
      const quote = v ^ 0x22222222
      const backslash = v ^ 0x5c5c5c5c
      if ((((v - 0x20202020) & ~v) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) return true
    }
  }
  for (let i = last; i < end; i++) if (KIND[bytes[i] as number] === ESCAPE) return true
  return false
}

/** Copies `bytes[from, to)` to `out` at `at`; returns where it ends. Short runs byte by byte: a view to copy from costs more. */
function copyRun(bytes: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  const n = to - from
  if (n < 64) {
    for (let k = from; k < to; k++) out[at++] = bytes[k] as number
    return at
  }
  out.set(bytes.subarray(from, to), at)
  return at + n
}
