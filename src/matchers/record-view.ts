import { isBytes, isPlainObject } from './equality.ts'

/**
 * A record decoded for matching and for failure messages: text where the bytes are UTF-8,
 * bytes otherwise; timestamps in ms; command records (fence, trim) shown as such.
 */
export type S2RecordView = S2DataRecordView | S2CommandRecordView

export interface S2DataRecordView {
  /** Absent for records the emulator received (the journal), which have no sequence number yet. */
  readonly seqNum?: number
  /** ms since the epoch; for received records the client's timestamp, or null when it gave none. */
  readonly timestamp?: number | null
  readonly headers: readonly (readonly [string | Uint8Array, string | Uint8Array])[]
  readonly body: string | Uint8Array
}

export interface S2CommandRecordView {
  readonly seqNum?: number
  readonly timestamp?: number | null
  readonly command: 'fence' | 'trim'
  /** A fence's token. */
  readonly fencingToken?: string
  /** A trim's earliest sequence number to keep. */
  readonly trimPoint?: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

/** Text if the bytes are valid UTF-8, else the bytes. */
export function textOrBytes(bytes: Uint8Array): string | Uint8Array {
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes
  }
}

export const bytesOf = (value: string | Uint8Array): Uint8Array => (typeof value === 'string' ? encoder.encode(value) : value)

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'base64'))

/** A command record: one header with an empty name, `fence` or `trim` (S2's convention). */
function commandOf(
  headers: readonly (readonly [string | Uint8Array, string | Uint8Array])[],
  body: Uint8Array,
): Omit<S2CommandRecordView, 'seqNum' | 'timestamp'> | null {
  if (headers.length !== 1) return null
  const [name, value] = headers[0] as readonly [string | Uint8Array, string | Uint8Array]
  if (bytesOf(name).length !== 0) return null
  const kind = typeof value === 'string' ? value : textOrBytes(value)
  if (kind === 'fence') return { command: 'fence', fencingToken: new TextDecoder().decode(body) }
  if (kind === 'trim') {
    const trimPoint = body.length === 8 ? Number(new DataView(body.buffer, body.byteOffset, 8).getBigUint64(0)) : undefined
    return trimPoint === undefined ? { command: 'trim' } : { command: 'trim', trimPoint }
  }
  return null
}

function build(
  seqNum: number | undefined,
  timestamp: number | null | undefined,
  headers: readonly (readonly [Uint8Array, Uint8Array])[],
  body: Uint8Array,
): S2RecordView {
  const position = { ...(seqNum === undefined ? {} : { seqNum }), ...(timestamp === undefined ? {} : { timestamp }) }
  const command = commandOf(headers, body)
  if (command !== null) return { ...position, ...command }
  return { ...position, headers: headers.map(([n, v]) => [textOrBytes(n), textOrBytes(v)] as const), body: textOrBytes(body) }
}

/** A record from the SDK (`read`, `readSession`, as strings or bytes), the admin API, the journal, or a view already. */
export function toRecordView(record: unknown): S2RecordView | null {
  if (!isPlainObject(record) && !(typeof record === 'object' && record !== null && 'body' in record)) return null
  const r = record as Record<string, unknown>
  if (r['command'] === 'fence' || r['command'] === 'trim') return r as unknown as S2CommandRecordView
  const body = r['body']
  if (typeof body !== 'string' && !isBytes(body)) return null
  const rawHeaders = Array.isArray(r['headers']) ? (r['headers'] as unknown[]) : []
  const base64 = r['encoding'] === 'base64'
  const bytes = (value: unknown): Uint8Array =>
    isBytes(value) ? value : typeof value === 'string' ? (base64 ? fromBase64(value) : encoder.encode(value)) : new Uint8Array(0)
  const headers = rawHeaders.map((h) => {
    const [n, v] = Array.isArray(h) ? h : []
    return [bytes(n), bytes(v)] as const
  })
  const seqNum = typeof r['seqNum'] === 'number' ? r['seqNum'] : undefined
  const ts = r['timestamp']
  const timestamp = ts instanceof Date ? ts.getTime() : typeof ts === 'number' || ts === null ? ts : undefined
  return build(seqNum, timestamp, headers, bytes(body))
}
