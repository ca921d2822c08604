import { decompress } from '../../server/http/encoding.ts'
import { exactFrame, MAX_FRAME_BYTES, RECONNECT_ADVISED, terminalFrame, type Frame } from '../../server/http/sessions/s2s-frame.ts'
import { redactJson } from '../cassette/redact.ts'
import type { FrameEntry, JsonValue, MessageType, RedactionRules } from '../cassette/types.ts'
import { base64, decodeMessage, encodeMessage, fromBase64 } from './bodies.ts'

const round = (ms: number): number => Math.round(ms * 10) / 10

/**
 * An S2S frame as a cassette stores it: the message decoded (payload decompressed), a terminal
 * frame's status and JSON body, or, when it decodes as neither, its flag and bytes.
 */
export function frameToEntry(frame: Frame, at: number, type: MessageType, rules: RedactionRules, after?: number): FrameEntry {
  const time = { at: round(at), ...(after === undefined ? {} : { after }) }
  const asBytes = (): FrameEntry => ({ ...time, type: 'bytes', flag: frame.flag, raw: base64(frame.payload) })
  let payload: Uint8Array
  try {
    payload = decompress(frame.payload, frame.compression, MAX_FRAME_BYTES, 'bad_frame')
  } catch {
    return asBytes()
  }
  if (frame.terminal) {
    if (frame.compression !== 'none' || payload.length < 2) return asBytes()
    const status = ((payload[0] as number) << 8) | (payload[1] as number)
    let body: JsonValue
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(2))) as JsonValue
    } catch {
      return asBytes()
    }
    return { ...time, type: 'terminal', status, body: redactJson(body, rules).value }
  }
  const decoded = decodeMessage(type, payload, rules)
  if (decoded === null) return asBytes()
  return {
    ...time,
    type,
    message: decoded.message,
    ...(decoded.format ? { format: decoded.format } : {}),
    ...(frame.compression !== 'none' ? { compression: frame.compression } : {}),
    ...((frame.flag & RECONNECT_ADVISED) !== 0 ? { reconnectAdvised: true as const } : {}),
    ...(decoded.raw ? { raw: decoded.raw } : {}),
  }
}

/** The wire bytes of a stored frame. */
export function entryToFrame(entry: FrameEntry): Uint8Array {
  if (entry.type === 'terminal') return terminalFrame(entry.status, entry.body)
  if (entry.type === 'bytes') return exactFrame(fromBase64(entry.raw), 'none', entry.flag)
  const payload = encodeMessage({ proto: entry.type, message: entry.message, format: entry.format, raw: entry.raw })
  return exactFrame(payload, entry.compression ?? 'none', entry.reconnectAdvised ? RECONNECT_ADVISED : 0)
}
