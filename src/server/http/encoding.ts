import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { S2Error, type S2ErrorCode } from '../errors/index.ts'

/** Compression S2 speaks, over HTTP bodies and S2S frames alike. */
export type Compression = 'none' | 'zstd' | 'gzip'

/** Bodies and frames smaller than this are never compressed. */
export const COMPRESS_MIN_BYTES = 1024

/**
 * The algorithm to answer with for an `Accept-Encoding` header: zstd if acceptable, else gzip,
 * else none (s2-lite's preference). A q-value of 0 rules an algorithm out.
 */
export function negotiate(acceptEncoding: string | null | undefined): Compression {
  if (!acceptEncoding) return 'none'
  const accepted = new Set<string>()
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    if (q !== undefined && Number(q.slice(2)) === 0) continue
    if (name) accepted.add(name)
  }
  if (accepted.has('zstd')) return 'zstd'
  if (accepted.has('gzip')) return 'gzip'
  return 'none'
}

export function compress(bytes: Uint8Array, algorithm: Compression): Uint8Array {
  if (algorithm === 'zstd') return zstdCompressSync(bytes)
  if (algorithm === 'gzip') return gzipSync(bytes)
  return bytes
}

/**
 * Decompresses at most `limit` bytes of output; more, or corrupt input, is a 400 with `code`.
 */
export function decompress(bytes: Uint8Array, algorithm: Compression, limit: number, code: S2ErrorCode): Uint8Array {
  if (algorithm === 'none') return bytes
  try {
    return algorithm === 'zstd'
      ? zstdDecompressSync(bytes, { maxOutputLength: limit })
      : gunzipSync(bytes, { maxOutputLength: limit })
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
    throw new S2Error(code, tooLarge ? 'decompressed body exceeds the 2 MiB limit' : `invalid ${algorithm} data`)
  }
}

/** The algorithm of a request's `Content-Encoding`; anything but zstd, gzip or identity is a 400. */
export function contentEncoding(header: string | null): Compression {
  const value = header?.trim().toLowerCase() ?? ''
  if (value === '' || value === 'identity') return 'none'
  if (value === 'zstd' || value === 'gzip') return value
  throw new S2Error('bad_header', `Unsupported \`Content-Encoding\`: ${header}; S2 accepts zstd and gzip`)
}
