import { S2Error } from '../../errors/index.ts'
import { DUPLICATE_KEYS, JsonFloat, type SerdeObject } from './serde-json.ts'

/**
 * Small decoders for JSON request bodies. Each failure is a 400 bad_json naming the field and what
 * it allows, in the words serde uses (`invalid type: string "x", expected u64`).
 */

export const U64_MAX = 18446744073709551615

export function jsonError(path: string, problem: string): S2Error {
  const where = path === '' ? '' : `${path}: `
  return new S2Error('bad_json', `Failed to deserialize the JSON body into the target type: ${where}${problem}`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof JsonFloat) return `floating point \`${value.toString()}\``
  if (Array.isArray(value)) return 'a sequence'
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value)}`
    case 'number':
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``
    case 'boolean':
      return `boolean \`${value}\``
    default:
      return 'a map'
  }
}

function invalidType(path: string, value: unknown, expected: string): S2Error {
  return jsonError(path, `invalid type: ${describe(value)}, expected ${expected}`)
}

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

export function object(value: unknown, path: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof JsonFloat) {
    throw invalidType(path, value, what)
  }
  return value as Record<string, unknown>
}

/** Refuses a field the body gave more than once, as serde does for the fields of a struct. */
export function once(obj: Record<string, unknown>, key: string, path: string): void {
  if ((obj as SerdeObject)[DUPLICATE_KEYS]?.has(key)) throw jsonError(path, `duplicate field \`${key}\``)
}

/** Whether an object (from a JSON body) repeats any key. */
export const repeatsKeys = (obj: Record<string, unknown>): boolean => (obj as SerdeObject)[DUPLICATE_KEYS] !== undefined

export function array(value: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidType(path, value, what)
  return value
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidType(path, value, 'a string')
  // JSON.parse lets a lone surrogate escape (\ud800) through; serde_json rejects the body.
  if (!value.isWellFormed()) throw jsonError(path, 'lone surrogate in hex escape: not valid Unicode')
  return value
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(path, value, 'a boolean')
  return value
}

/**
 * An unsigned 64-bit integer. Values above 2^53 are accepted but lose precision in JS; a float
 * (`1.0`, `1e3`, or an integer beyond u64, see serde-json.ts) is refused, as serde refuses it.
 */
export function u64(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(path, value, 'u64')
  if (value < 0) throw jsonError(path, `invalid value: integer \`${value}\`, expected u64`)
  if (value > U64_MAX) throw jsonError(path, `invalid value: integer \`${value}\`, expected u64`)
  return value
}

export function u32(value: unknown, path: string): number {
  const n = u64(value, path)
  if (n > 0xffffffff) throw jsonError(path, `invalid value: integer \`${n}\`, expected u32`)
  return n
}

export function variant<T extends string>(value: unknown, path: string, variants: readonly T[]): T {
  if (typeof value !== 'string') throw invalidType(path, value, `one of ${variants.map((v) => `\`${v}\``).join(', ')}`)
  if (!(variants as readonly string[]).includes(value)) {
    throw jsonError(path, `unknown variant \`${value}\`, expected one of ${variants.map((v) => `\`${v}\``).join(', ')}`)
  }
  return value as T
}

/** A required field. */
export function required(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.hasOwn(obj, key) || obj[key] === undefined) throw jsonError(path, `missing field \`${key}\``)
  once(obj, key, path)
  return obj[key]
}

/** A field that may be absent (undefined) or null; the decoder runs only on a present, non-null value. */
export function optional<T>(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  decode: (value: unknown, path: string) => T,
): T | null | undefined {
  if (!Object.hasOwn(obj, key)) return undefined
  once(obj, key, path)
  const value = obj[key]
  if (value === null) return null
  return decode(value, join(path, key))
}
