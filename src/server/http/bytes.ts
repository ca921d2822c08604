/** Joins byte chunks into one array (the only chunk itself, when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  let size = 0
  for (const part of parts) size += part.length
  // Every byte is written below: no need to zero them first (and no pool slab to share).
  const out = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
