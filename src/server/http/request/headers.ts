import { createHash } from 'node:crypto'
import { S2Error } from '../../errors/index.ts'
import { basinNameProblem, requestTokenProblem } from '../../store/index.ts'
import type { RecordFormat } from '../wire/records-json.ts'

/** The basin of a basin-scoped call: s2-lite serves every basin on one host and reads `S2-Basin`. */
export function basinHeader(headers: Headers): string {
  const basin = headers.get('s2-basin')
  if (basin === null) throw new S2Error('bad_header', 'Missing header `s2-basin`')
  const problem = basinNameProblem(basin)
  if (problem) throw new S2Error('bad_header', `Invalid header \`s2-basin\`: ${problem}`)
  return basin
}

/** `S2-Format`: `raw` (alias `json`, the default) or `base64` (alias `json-binsafe`). */
export function formatHeader(headers: Headers): RecordFormat {
  const value = headers.get('s2-format')
  if (value === null) return 'raw'
  switch (value.trim()) {
    case 'raw':
    case 'json':
      return 'raw'
    case 'base64':
    case 'json-binsafe':
      return 'base64'
    default:
      throw new S2Error('bad_header', `Invalid header \`s2-format\`: ${value}`)
  }
}

/** `s2-request-token`, the idempotency token of creates: at most 36 bytes. */
export function requestTokenHeader(headers: Headers): string | null {
  const token = headers.get('s2-request-token')
  if (token === null) return null
  const problem = requestTokenProblem(token)
  if (problem) throw new S2Error('bad_header', `Invalid header \`s2-request-token\`: ${problem}`)
  return token
}

/**
 * `s2-encryption-key`: base64 of exactly 32 bytes, 1 to 44 characters once trimmed. Returns an
 * opaque fingerprint of the key (the emulator checks keys rather than encrypting), or null.
 */
export function encryptionKeyHeader(headers: Headers): string | null {
  const raw = headers.get('s2-encryption-key')
  if (raw === null) return null
  const value = raw.trim()
  const invalid = (why: string): S2Error => new S2Error('bad_header', `invalid encryption key: ${why}`)
  if (value.length === 0 || value.length > 44) throw invalid('expected 1 to 44 characters of base64')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw invalid('not valid base64')
  const key = Buffer.from(value, 'base64')
  if (key.length !== 32) throw invalid(`expected 32 bytes, got ${key.length}`)
  return createHash('sha256').update(key).digest('hex')
}
