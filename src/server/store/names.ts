/**
 * Name rules of S2 (s2-lite `common/src/basin.rs`, `common/src/stream.rs`). Each check returns the
 * problem in s2-lite's words, or null; the caller decides which error code it becomes
 * (bad_json in a body, bad_path in a path, bad_header in `S2-Basin`, bad_query in a filter).
 */

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  // Fast path: pure ASCII strings have as many bytes as code units.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return encoder.encode(text).length
  }
  return text.length
}

const BASIN_CHARS = /^[a-z0-9-]*$/
const isLowerAlnum = (c: string | undefined): boolean => c !== undefined && /^[a-z0-9]$/.test(c)

export function basinNameProblem(name: string): string | null {
  if (utf8Length(name) > 48) return 'basin name must not exceed 48 bytes in length'
  if (name.length < 8) return 'basin name should be at least 8 bytes in length'
  if (!isLowerAlnum(name[0])) return 'basin name must begin with a lowercase letter or number'
  if (!isLowerAlnum(name[name.length - 1])) return 'basin name must end with a lowercase letter or number'
  if (!BASIN_CHARS.test(name)) return 'basin name must comprise lowercase letters, numbers, and hyphens'
  return null
}

/** `prefix` / `start_after` filters of the basin listing: no minimum length, no last-character rule. */
export function basinFilterProblem(field: 'prefix' | 'start-after', value: string): string | null {
  if (value === '') return null
  if (utf8Length(value) > 48) return `${field} must not exceed 48 bytes in length`
  if (!isLowerAlnum(value[0])) return `${field} must begin with a lowercase letter or number`
  if (!BASIN_CHARS.test(value)) return `${field} must comprise lowercase letters, numbers, and hyphens`
  return null
}

export function streamNameProblem(name: string): string | null {
  if (name.length === 0) return 'stream name must not be empty'
  if (name === '.' || name === '..') return 'stream name must not be "." or ".."'
  if (utf8Length(name) > 512) return 'stream name must not exceed 512 bytes in length'
  return null
}

export function streamFilterProblem(field: 'prefix' | 'start-after', value: string): string | null {
  if (utf8Length(value) > 512) return `${field} must not exceed 512 bytes in length`
  return null
}

/** s2-request-token: at most 36 bytes. */
export function requestTokenProblem(token: string): string | null {
  const length = utf8Length(token)
  return length > 36 ? `request token was longer than 36 bytes in length: ${length}` : null
}

export const MAX_FENCING_TOKEN_BYTES = 36
