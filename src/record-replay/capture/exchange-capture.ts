import { concatBytes } from '../../server/http/bytes.ts'
import { mediaKind } from '../../server/http/request/media.ts'
import { FrameDecoder } from '../../server/http/sessions/s2s-frame.ts'
import { redactHeaders } from '../cassette/redact.ts'
import type {
  CassetteEntry,
  FrameEntry,
  HeaderMap,
  Protocol,
  RecordedSession,
  RedactionRules,
  SessionEndKind,
  SseEventEntry,
  Transport,
} from '../cassette/types.ts'
import { base64, decodeBody, messageTypeOf } from '../wire/bodies.ts'
import { addressOf, operationOf, transportOf } from '../wire/exchange-kind.ts'
import { frameToEntry } from '../wire/frames.ts'
import { eventToEntry, SseSplitter } from '../wire/sse.ts'

export interface CaptureStart {
  readonly id: number
  /** Offset of the request's arrival from the cassette's `recordedAt`. */
  readonly start: number
  readonly protocol: Protocol
  readonly method: string
  readonly path: string
  readonly query: string
  /** As received; redacted in the entry. */
  readonly headers: HeaderMap
}

const round = (ms: number): number => Math.round(ms * 10) / 10

/**
 * Turns one exchange, as its bytes pass, into a cassette entry: request and response heads, whole
 * bodies of unary calls, and the frames or events of sessions, each with its time offset. The
 * recorder feeds it what flows between client and upstream; the verifier what flows between it
 * and the emulator.
 */
export class ExchangeCapture {
  readonly start: CaptureStart
  readonly transport: Transport
  readonly #rules: RedactionRules
  readonly #t0 = performance.now()
  readonly #inputFrames: FrameDecoder | null
  readonly #input: FrameEntry[] = []
  readonly #inputChunks: Uint8Array[] = []
  #inputEnd: number | undefined
  #response: { status: number; headers: HeaderMap; at: number } | undefined
  #outputFrames: FrameDecoder | null = null
  #outputEvents: SseSplitter | null = null
  readonly #output: (FrameEntry | SseEventEntry)[] = []
  readonly #outputChunks: Uint8Array[] = []
  #end: { kind: SessionEndKind; at: number } | undefined

  constructor(start: CaptureStart, rules: RedactionRules) {
    this.start = start
    this.#rules = rules
    this.transport = transportOf(start.method, start.path, start.headers)
    this.#inputFrames = mediaKind(start.headers['content-type']) === 's2s' ? new FrameDecoder({ acceptReconnectAdvised: true }) : null
  }

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return performance.now() - this.#t0
  }

  /** Input frames seen so far (S2S). */
  get inputCount(): number {
    return this.#input.length
  }

  /** Output frames or events seen so far. */
  get outputs(): readonly (FrameEntry | SseEventEntry)[] {
    return this.#output
  }

  /** Bytes of the request body, as they arrive. */
  input(chunk: Uint8Array): void {
    if (this.#inputFrames === null) {
      this.#inputChunks.push(chunk)
      return
    }
    const at = this.elapsed()
    for (const frame of this.#inputFrames.push(chunk)) this.#input.push(frameToEntry(frame, at, 'AppendInput', this.#rules))
  }

  /** The client ended its side of the request. */
  inputEnded(): void {
    this.#inputEnd ??= round(this.elapsed())
  }

  /** The response head (headers already filtered of hop-by-hop ones). */
  response(status: number, headers: HeaderMap): void {
    this.#response = { status, headers, at: round(this.elapsed()) }
    const kind = mediaKind(headers['content-type'])
    if (status < 300 && kind === 's2s') this.#outputFrames = new FrameDecoder({ acceptReconnectAdvised: true })
    else if (status < 300 && kind === 'event-stream') this.#outputEvents = new SseSplitter()
  }

  /** Whether the response is a session (frames or events), known once its head arrived. */
  get isSession(): boolean {
    return this.#outputFrames !== null || this.#outputEvents !== null
  }

  /** Bytes of the response body, as they arrive; returns the frames or events they completed. */
  output(chunk: Uint8Array): (FrameEntry | SseEventEntry)[] {
    const at = this.elapsed()
    let added: (FrameEntry | SseEventEntry)[] = []
    if (this.#outputFrames !== null) {
      const type = this.start.method === 'POST' ? 'AppendAck' : 'ReadBatch'
      const after = this.#input.length > 0 ? this.#input.length : undefined
      added = this.#outputFrames.push(chunk).map((f) => frameToEntry(f, at, type, this.#rules, after))
    } else if (this.#outputEvents !== null) {
      added = this.#outputEvents.push(chunk).map((block) => eventToEntry(block, at, this.#rules))
    } else this.#outputChunks.push(chunk)
    this.#output.push(...added)
    return added
  }

  /** The exchange is over; `kind` says how (meaningful for sessions). Later calls are ignored. */
  end(kind: SessionEndKind): void {
    this.#end ??= { kind, at: round(this.elapsed()) }
  }

  get ended(): boolean {
    return this.#end !== undefined
  }

  /** The cassette entry; the exchange should have ended (else it counts as stopped by the recorder). */
  entry(): CassetteEntry {
    const end = this.#end ?? { kind: 'recording_stopped' as const, at: round(this.elapsed()) }
    const { id, start, protocol, method, path, query, headers } = this.start
    const response = this.#response ?? { status: 0, headers: {}, at: end.at }
    const requestBody = decodeBody(
      concatBytes(this.#inputChunks),
      { contentType: headers['content-type'], contentEncoding: headers['content-encoding'], message: messageTypeOf(method, path, 'request') },
      this.#rules,
    )
    const responseBody = this.isSession
      ? undefined
      : decodeBody(
          concatBytes(this.#outputChunks),
          {
            contentType: response.headers['content-type'],
            contentEncoding: response.headers['content-encoding'],
            message: messageTypeOf(method, path, 'response'),
          },
          this.#rules,
        )
    const operation = operationOf(method, path)
    const entry: CassetteEntry = {
      id,
      start: round(start),
      duration: end.at,
      protocol,
      transport: this.transport,
      ...(operation ? { operation } : {}),
      ...addressOf(path, headers),
      request: {
        method,
        path,
        ...(query ? { query } : {}),
        headers: redactHeaders(headers, this.#rules),
        ...(requestBody ? { body: requestBody } : {}),
      },
      response: {
        status: response.status,
        headers: redactHeaders(response.headers, this.#rules),
        at: response.at,
        ...(responseBody ? { body: responseBody } : {}),
      },
    }
    if (!this.isSession && this.#inputFrames === null) return entry
    const trailing = this.#outputEvents?.rest
    const session: RecordedSession = {
      ...(this.#input.length > 0 ? { input: this.#input } : {}),
      ...(this.#inputEnd !== undefined ? { inputEnd: this.#inputEnd } : {}),
      output: this.#output,
      end,
      ...(trailing ? { trailing: base64(new TextEncoder().encode(trailing)) } : {}),
    }
    return { ...entry, session }
  }
}
