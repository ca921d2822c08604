import type { JsonValue } from '../../server/errors/index.ts'

/**
 * The cassette format, version 1 (described for users in docs/cassette-format.md): a header, then
 * one entry per exchange; sessions stored decoded, frame by frame and event by event, with their
 * time offsets. Times are milliseconds, offsets to one decimal.
 */

export const CASSETTE_FORMAT = 's2-emulator-cassette'
export const CASSETTE_VERSION = 1

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]'

export type { JsonValue }

/** Protobuf messages of S2 that travel in bodies and S2S frames. */
export type MessageType = 'AppendInput' | 'AppendAck' | 'ReadBatch'

/**
 * A body, decoded where it can be: JSON, a protobuf message as S2's JSON shape, text, or bytes.
 * `raw` keeps the exact bytes (base64) or text when decoding was lossy (re-encoding would not give
 * them back); it is dropped when redaction changed the decoded value.
 */
export type Body =
  | { readonly json: JsonValue; readonly raw?: string }
  | { readonly proto: MessageType; readonly message: JsonValue; readonly format?: 'base64'; readonly raw?: string }
  | { readonly text: string }
  /** Bytes; `compressed` when they are exactly as on the wire, still in their `Content-Encoding`. */
  | { readonly base64: string; readonly compressed?: true }

export type Protocol = 'http/1.1' | 'h2'
export type Transport = 'unary' | 'sse' | 's2s'

/** Header names in lower case; several values of one header joined with `, `. */
export type HeaderMap = Readonly<Record<string, string>>

export interface RecordedRequest {
  readonly method: string
  /** The path as the client sent it, without the query. */
  readonly path: string
  /** The query string as sent, without `?`; absent when empty. */
  readonly query?: string
  readonly headers: HeaderMap
  readonly body?: Body
}

export interface RecordedResponse {
  readonly status: number
  readonly headers: HeaderMap
  /** Offset of the response head from the start of the exchange. */
  readonly at: number
  /** The whole body of a unary response (sessions keep theirs in `session.output`). */
  readonly body?: Body
}

/** An S2S frame of a session. `at` is its offset from the start of the exchange. */
export type FrameEntry =
  | {
      readonly at: number
      /** For output frames: how many input frames had arrived before it (append sessions pair acks with inputs). */
      readonly after?: number
      readonly type: MessageType
      /** The message in S2's JSON shape; bytes as UTF-8 text unless `format` is `base64`. */
      readonly message: JsonValue
      readonly format?: 'base64'
      /** Compression of the frame on the wire (its payload is stored decompressed). */
      readonly compression?: 'zstd' | 'gzip'
      readonly reconnectAdvised?: true
      /** The decompressed payload (base64) when re-encoding the message would not give it back. */
      readonly raw?: string
    }
  | {
      readonly at: number
      readonly after?: number
      readonly type: 'terminal'
      readonly status: number
      /** The terminal frame's JSON error body (text if it is not JSON). */
      readonly body: JsonValue
    }
  | {
      readonly at: number
      readonly after?: number
      /** A frame that did not decode as the message expected: kept as bytes. */
      readonly type: 'bytes'
      readonly flag: number
      readonly raw: string
    }

/** An SSE event of a read session. */
export interface SseEventEntry {
  readonly at: number
  readonly event?: string
  readonly id?: string
  /** `data`, parsed as JSON when it is JSON... */
  readonly data?: JsonValue
  /** ...or as text (`[DONE]`) when it is not. */
  readonly text?: string
  /** The event block as received, when the fields above would not rebuild it exactly. */
  readonly raw?: string
}

/**
 * How a session ended: `complete` (the server ended the body, after a terminal frame or not),
 * `reset` (the server reset the stream or dropped the connection mid-body), `client_closed` (the
 * client went away first), `recording_stopped` (still open when the recorder stopped).
 */
export type SessionEndKind = 'complete' | 'reset' | 'client_closed' | 'recording_stopped'

export interface RecordedSession {
  /** Frames the client sent (S2S append sessions). */
  readonly input?: readonly FrameEntry[]
  /** When the client ended its side (half-close), if it did. */
  readonly inputEnd?: number
  /** Frames (S2S) or events (SSE) the server sent. */
  readonly output: readonly (FrameEntry | SseEventEntry)[]
  readonly end: { readonly kind: SessionEndKind; readonly at: number }
  /** Bytes of an incomplete frame or event left at the end of the output, base64. */
  readonly trailing?: string
}

export interface CassetteEntry {
  /** Unique in the cassette, in the order requests arrived. */
  readonly id: number
  /** Offset of the request's arrival from the cassette's `recordedAt`. */
  readonly start: number
  /** From the request's arrival to the end of the response. */
  readonly duration: number
  readonly protocol: Protocol
  readonly transport: Transport
  /** The S2 operation (for reading and reports), e.g. `append`; absent for unknown paths. */
  readonly operation?: string
  readonly basin?: string
  readonly stream?: string
  readonly request: RecordedRequest
  readonly response: RecordedResponse
  readonly session?: RecordedSession
}

export interface CassetteUpstream {
  readonly account: string
  readonly basin?: string
}

export interface RedactionRules {
  /** Header names (any case) whose values are replaced by `[REDACTED]`. */
  readonly headers: readonly string[]
  /**
   * JSON fields whose values are replaced, in bodies, decoded messages and SSE data: a field name
   * matches at any depth; a dotted path (`config.default_stream_config`) from the root, `*` for any key.
   */
  readonly jsonFields: readonly string[]
}

export interface Cassette {
  readonly format: typeof CASSETTE_FORMAT
  readonly version: typeof CASSETTE_VERSION
  /** When the first recording into this cassette started (ISO 8601); entry offsets count from it. */
  readonly recordedAt: string
  /** The s2-emulator version that wrote it. */
  readonly recorder?: string
  readonly upstream?: CassetteUpstream
  readonly redaction: RedactionRules
  readonly entries: readonly CassetteEntry[]
}
