/**
 * Equality for matcher patterns: asymmetric matchers (`expect.any`, `expect.stringContaining`,
 * `expect.s2Record`, ...) anywhere, bytes by value, dates by time. Written here rather than taken
 * from the runner so vitest and jest decide the same way.
 */

/** What vitest's and jest's asymmetric matchers have in common. */
export interface AsymmetricMatcherLike {
  asymmetricMatch(other: unknown): boolean
}

export function isAsymmetric(value: unknown): value is AsymmetricMatcherLike {
  return typeof value === 'object' && value !== null && typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function'
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** Whether `actual` satisfies `expected` (expected may hold asymmetric matchers). */
export function equals(expected: unknown, actual: unknown): boolean {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual)
  if (Object.is(expected, actual)) return true
  if (isBytes(expected) || isBytes(actual)) return isBytes(expected) && isBytes(actual) && sameBytes(expected, actual)
  if (expected instanceof Date) return actual instanceof Date && expected.getTime() === actual.getTime()
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => equals(e, actual[i]))
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false
    const keys = Object.keys(expected).filter((k) => expected[k] !== undefined)
    const actualKeys = Object.keys(actual).filter((k) => actual[k] !== undefined)
    return keys.length === actualKeys.length && keys.every((k) => equals(expected[k], actual[k]))
  }
  return false
}
