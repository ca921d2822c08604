import { S2Error } from '../../errors/index.ts'

/**
 * Path segment `index` of the raw (still percent-encoded) path, decoded strictly: a segment that
 * is not valid percent-encoded UTF-8 is 400 bad_path. Names may hold `/`, sent as `%2F`.
 */
export function pathSegment(rawPath: string, index: number): string {
  const segment = rawSegment(rawPath, index) ?? ''
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new S2Error('bad_path', `Invalid URL: Cannot parse \`${segment}\` to a UTF-8 string`)
  }
}

/** `path.split('/')[index]`, without splitting the rest of the path (every request reads one). */
export function rawSegment(path: string, index: number): string | undefined {
  let start = 0
  for (let i = 0; i < index; i++) {
    const slash = path.indexOf('/', start)
    if (slash === -1) return undefined
    start = slash + 1
  }
  const end = path.indexOf('/', start)
  return end === -1 ? path.slice(start) : path.slice(start, end)
}
