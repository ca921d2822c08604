import { S2Error } from '../../errors/index.ts'

/**
 * Path segment `index` of the raw (still percent-encoded) path, decoded strictly: a segment that
 * is not valid percent-encoded UTF-8 is 400 bad_path. Names may hold `/`, sent as `%2F`.
 */
export function pathSegment(rawPath: string, index: number): string {
  const segment = rawPath.split('/')[index] ?? ''
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new S2Error('bad_path', `Invalid URL: Cannot parse \`${segment}\` to a UTF-8 string`)
  }
}
