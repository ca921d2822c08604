/**
 * Bytes shown in JSON the way people read them: as UTF-8 text when every part of a record is
 * valid UTF-8, else every part in base64 (one `encoding` per record, as S2's `s2-format` is one
 * per request).
 */

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A part as text, or null if it is not UTF-8. A cut part may end inside a character: those last bytes are dropped. */
function text(part: Uint8Array, cut: boolean): string | null {
  for (let drop = 0; drop <= (cut ? Math.min(3, part.length) : 0); drop++) {
    try {
      return utf8.decode(drop === 0 ? part : part.subarray(0, part.length - drop))
    } catch {
      // not UTF-8 (yet): try without one more trailing byte of a cut part
    }
  }
  return null
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

/** The parts of one record as text, or all in base64 if any is not UTF-8; `cutLast`: the last part was cut short. */
export function encodeParts(parts: readonly Uint8Array[], cutLast = false): { texts: string[]; encoding: 'utf-8' | 'base64' } {
  const texts: string[] = []
  for (let i = 0; i < parts.length; i++) {
    const t = text(parts[i] as Uint8Array, cutLast && i === parts.length - 1)
    if (t === null) return { texts: parts.map(base64), encoding: 'base64' }
    texts.push(t)
  }
  return { texts, encoding: 'utf-8' }
}
