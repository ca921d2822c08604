import type { JsonValue } from '../cassette/types.ts'

/** JSON with object keys sorted, so equal values print equal. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return ''
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: JsonValue } = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as JsonValue)
  return out
}

/** A short printable form of a value for messages. */
export function preview(value: JsonValue | undefined, max = 60): string {
  if (value === undefined) return '(absent)'
  const text = JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

/** Where two JSON values first differ (a path like `records[0].body`, `` for the root), or null if they are equal. */
export function firstDifference(a: JsonValue | undefined, b: JsonValue | undefined, path = ''): string | null {
  if (a === b) return null
  if (a === undefined || b === undefined || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return canonicalJson(a) === canonicalJson(b) ? null : path
  }
  if (Array.isArray(a) !== Array.isArray(b)) return path
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const found = firstDifference(a[i], b[i], join(path, i))
      if (found !== null) return found
    }
    return null
  }
  const ao = a as { [key: string]: JsonValue }
  const bo = b as { [key: string]: JsonValue }
  for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
    const found = firstDifference(ao[key], bo[key], join(path, key))
    if (found !== null) return found
  }
  return null
}

/** The value at a path made by {@link firstDifference}. */
export function valueAt(value: JsonValue | undefined, path: string): JsonValue | undefined {
  if (path === '') return value
  let node: JsonValue | undefined = value
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (node === null || node === undefined || typeof node !== 'object') return undefined
    node = Array.isArray(node) ? node[Number(part)] : node[part]
  }
  return node
}
