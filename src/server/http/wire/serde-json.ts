/**
 * JSON as s2-lite reads it (serde derive over sonic-rs), where it differs from `JSON.parse`:
 *
 * - a number written with a fraction or an exponent (`1.0`, `1e3`, `1e-400`) is a float, and so is
 *   an integer beyond u64 (`18446744073709551616`): a u64 field refuses them, where `JSON.parse`
 *   hands over `1`, `1000`, `0` and a rounded integer. Such numbers come back as {@link JsonFloat}.
 * - a struct field given twice (`{"records":[],"records":[...]}`) is an error (`duplicate field`),
 *   where `JSON.parse` keeps the last. Objects with repeated keys come back with the repeated
 *   names under {@link DUPLICATE_KEYS}; the decoders refuse them for the fields they read (serde
 *   ignores unknown fields, repeated or not).
 *
 * The text is parsed with `JSON.parse` first (syntax errors, and the fast path); only a body that
 * holds such a number or key is walked again to annotate them.
 */

/** A number serde reads as a float. */
export class JsonFloat {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }

  /** How serde prints it in errors: Rust's shortest round-trip digits, never an exponent, with `.0` if integral. */
  toString(): string {
    return rustFloat(this.value)
  }
}

/** The names an object was given more than once (on objects parsed by {@link parseSerdeJson}). */
export const DUPLICATE_KEYS: unique symbol = Symbol('duplicate JSON keys')

/** An object parsed by {@link parseSerdeJson}, possibly with repeated keys. */
export type SerdeObject = Record<string, unknown> & { [DUPLICATE_KEYS]?: ReadonlySet<string> }

/** Parses a JSON text (throws SyntaxError like JSON.parse), marking floats and repeated keys. */
export function parseSerdeJson(text: string): unknown {
  const value = JSON.parse(text) as unknown
  return needsAnnotation(text) ? new Annotator(text).value() : value
}

const U64_MAX_DIGITS = '18446744073709551615'
const I64_MIN_DIGITS = '9223372036854775808'

/** Whether an integer's digits (no sign) are beyond u64 (or, negative, beyond i64): serde reads a float. */
function integerOverflows(digits: string, negative: boolean): boolean {
  const limit = negative ? I64_MIN_DIGITS : U64_MAX_DIGITS
  return digits.length > limit.length || (digits.length === limit.length && digits > limit)
}

/** The end of the string token starting at `start` (an opening quote): the index after its closing quote. */
function stringEnd(text: string, start: number): number {
  let at = start + 1
  for (;;) {
    const quote = text.indexOf('"', at)
    let slashes = 0
    for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) slashes++
    if (slashes % 2 === 0) return quote + 1
    at = quote + 1
  }
}

const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45

/**
 * Walks a valid JSON text without building values: true if a number is a float to serde, or an
 * object repeats a key.
 */
function needsAnnotation(text: string): boolean {
  // Keys of the objects open on the way down; objects rarely have more than a few, so arrays do.
  const keys: string[][] = []
  const inObject: boolean[] = []
  let expectKey = false
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      const end = stringEnd(text, i)
      if (expectKey) {
        const raw = text.slice(i + 1, end - 1)
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw
        const seen = keys[keys.length - 1] as string[]
        if (seen.includes(key)) return true
        seen.push(key)
        expectKey = false
      }
      i = end
    } else if (c === 0x7b) {
      keys.push([])
      inObject.push(true)
      expectKey = true
      i++
    } else if (c === 0x5b) {
      inObject.push(false)
      i++
    } else if (c === 0x7d) {
      keys.pop()
      inObject.pop()
      i++
    } else if (c === 0x5d) {
      inObject.pop()
      i++
    } else if (c === 0x2c) {
      expectKey = inObject[inObject.length - 1] === true
      i++
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1
      let float = false
      while (end < text.length && isNumberChar(text.charCodeAt(end))) {
        const d = text.charCodeAt(end)
        if (d === 0x2e || d === 0x65 || d === 0x45) float = true
        end++
      }
      if (float) return true
      const negative = c === 0x2d
      if (integerOverflows(text.slice(negative ? i + 1 : i, end), negative)) return true
      i = end
    } else i++
  }
  return false
}

/** A parser for valid JSON that builds values with {@link JsonFloat}s and {@link DUPLICATE_KEYS}. */
class Annotator {
  readonly #text: string
  #at = 0

  constructor(text: string) {
    this.#text = text
  }

  value(): unknown {
    this.#skipSpace()
    const c = this.#text.charCodeAt(this.#at)
    if (c === 0x7b) return this.#object()
    if (c === 0x5b) return this.#array()
    if (c === 0x22) return this.#string()
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number()
    const word = this.#text.startsWith('true', this.#at) ? 'true' : this.#text.startsWith('false', this.#at) ? 'false' : 'null'
    this.#at += word.length
    return word === 'null' ? null : word === 'true'
  }

  #skipSpace(): void {
    for (;;) {
      const c = this.#text.charCodeAt(this.#at)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
      this.#at++
    }
  }

  /** Skips spaces and one expected punctuation character; true if it was `close` instead. */
  #next(close: number): boolean {
    this.#skipSpace()
    const c = this.#text.charCodeAt(this.#at++)
    if (c === close) return true
    this.#skipSpace()
    return false
  }

  #string(): string {
    const end = stringEnd(this.#text, this.#at)
    const token = this.#text.slice(this.#at, end)
    this.#at = end
    return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1)
  }

  #number(): number | JsonFloat {
    const start = this.#at
    while (this.#at < this.#text.length && isNumberChar(this.#text.charCodeAt(this.#at))) this.#at++
    const token = this.#text.slice(start, this.#at)
    const value = Number(token)
    if (/[.eE]/.test(token)) return new JsonFloat(value)
    const negative = token.startsWith('-')
    return integerOverflows(negative ? token.slice(1) : token, negative) ? new JsonFloat(value) : value
  }

  #object(): SerdeObject {
    this.#at++ // {
    const out: SerdeObject = {}
    let duplicates: Set<string> | undefined
    this.#skipSpace()
    if (this.#text.charCodeAt(this.#at) === 0x7d) {
      this.#at++
      return out
    }
    for (;;) {
      this.#skipSpace()
      const key = this.#string()
      this.#next(0x3a) // :
      const value = this.value()
      if (Object.hasOwn(out, key)) (duplicates ??= new Set()).add(key)
      // defineProperty: a key named __proto__ is an own field, as JSON.parse makes it.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
      if (this.#next(0x7d)) break // , or }
    }
    if (duplicates) out[DUPLICATE_KEYS] = duplicates
    return out
  }

  #array(): unknown[] {
    this.#at++ // [
    const out: unknown[] = []
    this.#skipSpace()
    if (this.#text.charCodeAt(this.#at) === 0x5d) {
      this.#at++
      return out
    }
    for (;;) {
      out.push(this.value())
      if (this.#next(0x5d)) break // , or ]
    }
    return out
  }
}

/** Rust's `Display` of an f64 as serde's errors show it: no exponent, `.0` on whole numbers. */
export function rustFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'inf' : '-inf'
  let text = String(x)
  const e = text.indexOf('e')
  if (e !== -1) {
    const negative = text.startsWith('-')
    const mantissa = text.slice(negative ? 1 : 0, e)
    const exponent = Number(text.slice(e + 1))
    const [whole = '', fraction = ''] = mantissa.split('.')
    const digits = whole + fraction
    const point = whole.length + exponent // where the decimal point falls in `digits`
    const body =
      point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`
    text = (negative ? '-' : '') + body
  }
  return text.includes('.') ? text : `${text}.0`
}
