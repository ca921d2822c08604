import { isUtf8 } from 'node:buffer'
import type { AppendInput } from '../../engine/index.ts'
import { S2Error } from '../../errors/index.ts'
import { MAX_FENCING_TOKEN_BYTES, NO_HEADERS, RecordBatch, type AppendRecord, type Header } from '../../store/index.ts'
import { decodeBytes, type RecordFormat } from './records-json.ts'

/**
 * The common shape of a JSON `AppendInput` read straight from the request's bytes: a raw body
 * without escapes becomes a view of those bytes, and no text of the whole request is made. A large
 * body as one string costs more than everything else an append does (V8 puts strings over 128 KiB
 * in large-object space, and JSON.parse then builds a string per record that is encoded back to
 * bytes). Anything outside the shape (an unknown or repeated key, a null, a float, a big or
 * negative integer, an escape in a key, bad base64, a long fencing token, bytes that are not UTF-8
 * or not JSON) gives null, and the general decoder, which knows every rule and error, reads it.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const ZERO = 0x30
const NINE = 0x39

/** Raised inside the reader to give up; never escapes this module. */
const GIVE_UP = Symbol('not the common shape')

const EMPTY: Uint8Array = new Uint8Array(0)
const keyOf = (text: string): Uint8Array => Buffer.from(text, 'latin1')
const RECORDS = keyOf('records')
const MATCH_SEQ_NUM = keyOf('match_seq_num')
const FENCING_TOKEN = keyOf('fencing_token')
const BODY = keyOf('body')
const HEADERS = keyOf('headers')
const TIMESTAMP = keyOf('timestamp')

class Reader {
  pos = 0
  readonly bytes: Buffer
  readonly format: RecordFormat

  constructor(bytes: Buffer, format: RecordFormat) {
    this.bytes = bytes
    this.format = format
  }

  /** Skips JSON whitespace; returns the next byte (-1 at the end). */
  peek(): number {
    const bytes = this.bytes
    let pos = this.pos
    while (pos < bytes.length) {
      const b = bytes[pos] as number
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break
      pos++
    }
    this.pos = pos
    return pos < bytes.length ? (bytes[pos] as number) : -1
  }

  expect(byte: number): void {
    if (this.peek() !== byte) throw GIVE_UP
    this.pos++
  }

  /** After an element: true if another follows (a comma), false at `close`. */
  more(close: number): boolean {
    const b = this.peek()
    this.pos++
    if (b === COMMA) return true
    if (b === close) return false
    throw GIVE_UP
  }

  /** A string's bounds (between the quotes) and whether it has escapes; control bytes give up. */
  string(): { start: number; end: number; escaped: boolean } {
    this.expect(QUOTE)
    const bytes = this.bytes
    const start = this.pos
    let escaped = false
    let pos = start
    for (;;) {
      if (pos >= bytes.length) throw GIVE_UP
      const b = bytes[pos] as number
      if (b === QUOTE) break
      if (b < 0x20) throw GIVE_UP
      if (b === BACKSLASH) {
        escaped = true
        pos++
      }
      pos++
    }
    this.pos = pos + 1
    return { start, end: pos, escaped }
  }

  /** The bytes a string holds, in the request's format, decoded as the general decoder does. */
  stringBytes(): Uint8Array {
    const { start, end, escaped } = this.string()
    if (start === end) return EMPTY
    if (!escaped && this.format === 'raw') return this.bytes.subarray(start, end)
    // A \u escape may be a lone surrogate, which serde refuses and JSON.parse does not.
    if (escaped && this.bytes.subarray(start, end).includes('\\u')) throw GIVE_UP
    const text = escaped ? (JSON.parse(this.bytes.toString('utf8', start - 1, end + 1)) as string) : this.bytes.toString('latin1', start, end)
    return decodeBytes(text, this.format)
  }

  /** A key without escapes, compared as bytes. */
  key(): Uint8Array {
    const { start, end, escaped } = this.string()
    if (escaped) throw GIVE_UP
    this.expect(COLON)
    return this.bytes.subarray(start, end)
  }

  /** A non-negative integer that is exact as a double (15 digits at most), without sign, fraction or exponent. */
  integer(): number {
    this.peek()
    const bytes = this.bytes
    const start = this.pos
    let pos = start
    let value = 0
    while (pos < bytes.length) {
      const b = bytes[pos] as number
      if (b < ZERO || b > NINE) break
      value = value * 10 + (b - ZERO)
      pos++
    }
    const digits = pos - start
    if (digits === 0 || digits > 15 || (digits > 1 && bytes[start] === ZERO)) throw GIVE_UP
    const next = bytes[pos]
    if (next === 0x2e || next === 0x65 || next === 0x45) throw GIVE_UP
    this.pos = pos
    return value
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0

function readHeaders(r: Reader): readonly Header[] {
  r.expect(OPEN_BRACKET)
  if (r.peek() === CLOSE_BRACKET) {
    r.pos++
    return NO_HEADERS
  }
  const headers: Header[] = []
  do {
    r.expect(OPEN_BRACKET)
    const name = r.stringBytes()
    r.expect(COMMA)
    const value = r.stringBytes()
    r.expect(CLOSE_BRACKET)
    headers.push({ name, value })
  } while (r.more(CLOSE_BRACKET))
  return headers
}

function readRecord(r: Reader): AppendRecord {
  r.expect(OPEN_BRACE)
  let timestamp: number | undefined
  let headers: readonly Header[] | undefined
  let body: Uint8Array | undefined
  if (r.peek() === CLOSE_BRACE) r.pos++
  else {
    do {
      const key = r.key()
      if (body === undefined && same(key, BODY)) body = r.stringBytes()
      else if (headers === undefined && same(key, HEADERS)) headers = readHeaders(r)
      else if (timestamp === undefined && same(key, TIMESTAMP)) timestamp = r.integer()
      else throw GIVE_UP
    } while (r.more(CLOSE_BRACE))
  }
  return { timestamp, headers: headers ?? NO_HEADERS, body: body ?? EMPTY }
}

function readInput(r: Reader): AppendInput {
  r.expect(OPEN_BRACE)
  let records: AppendRecord[] | undefined
  let matchSeqNum: number | undefined
  let fencingToken: string | undefined
  if (r.peek() === CLOSE_BRACE) throw GIVE_UP // `records` is required: the general decoder says so
  do {
    const key = r.key()
    if (records === undefined && same(key, RECORDS)) {
      r.expect(OPEN_BRACKET)
      records = []
      if (r.peek() === CLOSE_BRACKET) r.pos++
      else {
        do records.push(readRecord(r))
        while (r.more(CLOSE_BRACKET))
      }
    } else if (matchSeqNum === undefined && same(key, MATCH_SEQ_NUM)) matchSeqNum = r.integer()
    else if (fencingToken === undefined && same(key, FENCING_TOKEN)) {
      const { start, end, escaped } = r.string()
      if (escaped || end - start > MAX_FENCING_TOKEN_BYTES) throw GIVE_UP
      fencingToken = r.bytes.toString('utf8', start, end)
    } else throw GIVE_UP
  } while (r.more(CLOSE_BRACE))
  if (records === undefined || r.peek() !== -1) throw GIVE_UP
  // Bodies without escapes are views of the request: the batch keeps them where they lie.
  return { records: RecordBatch.of(records), matchSeqNum, fencingToken }
}

/** The decoded `AppendInput`, or null when the general decoder must read these bytes. */
export function readCommonAppendJson(bytes: Uint8Array, format: RecordFormat): AppendInput | null {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (!isUtf8(buffer)) return null
  try {
    return readInput(new Reader(buffer, format))
  } catch (error) {
    // Bad base64 or a bad escape: the general decoder finds it and says which rule it breaks, in order.
    if (error === GIVE_UP || error instanceof S2Error || error instanceof SyntaxError) return null
    throw error
  }
}
