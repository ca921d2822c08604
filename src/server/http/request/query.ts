import { S2Error } from '../../errors/index.ts'

const digitCounts = new Map<bigint, number>()
/** Decimal digits of a limit (a handful of constants, remembered). */
function digitCount(max: bigint): number {
  let count = digitCounts.get(max)
  if (count === undefined) digitCounts.set(max, (count = String(max).length))
  return count
}

/**
 * Query strings as serde_urlencoded reads them: unknown keys ignored, a repeated known key is an
 * error, integers are plain decimal digits, booleans only `true` or `false`.
 */
export class Query {
  readonly #params: URLSearchParams

  constructor(url: string) {
    const q = url.indexOf('?')
    this.#params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1))
  }

  static error(message: string): S2Error {
    return new S2Error('bad_query', `Failed to deserialize query string: ${message}`)
  }

  has(key: string): boolean {
    return this.#params.has(key)
  }

  string(key: string): string | undefined {
    const values = this.#params.getAll(key)
    if (values.length > 1) throw Query.error(`duplicate field \`${key}\``)
    return values[0]
  }

  /** An unsigned integer no larger than `max` (u64 by default). */
  uint(key: string, max = 18446744073709551615n): number | undefined {
    const text = this.string(key)
    if (text === undefined) return undefined
    const digits = text.startsWith('+') ? text.slice(1) : text
    if (digits === '') throw Query.error(`${key}: cannot parse integer from empty string`)
    if (!/^[0-9]+$/.test(digits)) throw Query.error(`${key}: invalid digit found in string`)
    // Fewer digits than the largest value cannot exceed it: no BigInt for the usual small numbers.
    if (digits.length >= digitCount(max) && BigInt(digits) > max) throw Query.error(`${key}: number too large to fit in target type`)
    return Number(digits)
  }

  bool(key: string): boolean | undefined {
    const text = this.string(key)
    if (text === undefined) return undefined
    if (text === 'true') return true
    if (text === 'false') return false
    throw Query.error(`${key}: provided string was not \`true\` or \`false\``)
  }
}
