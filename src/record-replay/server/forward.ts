import type { Connection } from '../../server/http/connection.ts'
import { concatBytes } from '../../server/http/bytes.ts'
import { ExchangeCapture, type CaptureStart } from '../capture/exchange-capture.ts'
import type { RedactionRules } from '../cassette/types.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import { RoutingError, upstreamTarget, type UpstreamEndpoints } from '../upstream/endpoints.ts'
import { forwardable, responseHeaderMap } from '../wire/http-headers.ts'
import { jsonResponse, UPSTREAM_ERROR_CODE, UPSTREAM_ERROR_STATUS } from './miss.ts'

export interface ForwardContext {
  readonly client: UpstreamClient
  readonly endpoints: UpstreamEndpoints
  /** Replaces the client's `Authorization` upstream, so test code never holds the real token. */
  readonly upstreamToken: string | undefined
  readonly rules: RedactionRules
  readonly connection: Connection
  /** Told of each exchange as it starts (to finish it if the recorder stops first) and once it is over. */
  readonly onStart: (capture: ExchangeCapture) => void
  readonly onEnd: (capture: ExchangeCapture) => void
}

const NO_BODY = new Set([101, 204, 205, 304])

/** The client's request body as it arrives, each chunk shown to the capture on its way upstream. */
async function* tapped(body: ReadableStream<Uint8Array>, capture: ExchangeCapture): AsyncIterable<Uint8Array> {
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      capture.input(value)
      yield value
    }
    capture.inputEnded()
  } finally {
    reader.releaseLock()
  }
}

/**
 * Sends a client's request to the upstream and its answer back, recording both: unary bodies
 * whole, sessions frame by frame as they pass (S2S input frames on their way up, output frames
 * and SSE events on their way down). `body` is the request body when it was already read (to
 * match it against a cassette first).
 */
export async function forward(request: Request, start: CaptureStart, body: Uint8Array | null, ctx: ForwardContext): Promise<Response> {
  const capture = new ExchangeCapture(start, ctx.rules)
  let target
  try {
    target = upstreamTarget(ctx.endpoints, start.path, start.query, start.headers['s2-basin'])
  } catch (error) {
    if (!(error instanceof RoutingError)) throw error
    return jsonResponse(400, { code: 'bad_header', message: `[s2-emulator record] ${error.message}` })
  }
  const headers = forwardable(start.headers)
  if (ctx.upstreamToken !== undefined) headers.authorization = `Bearer ${ctx.upstreamToken}`

  let outgoing: Uint8Array | AsyncIterable<Uint8Array> | null
  if (capture.transport === 's2s' && request.body !== null) outgoing = tapped(request.body, capture)
  else {
    const bytes = body ?? new Uint8Array(await request.arrayBuffer())
    capture.input(bytes)
    capture.inputEnded()
    outgoing = bytes.length > 0 || !['GET', 'HEAD', 'DELETE'].includes(start.method) ? bytes : null
  }

  let upstream
  try {
    upstream = await ctx.client.request({ origin: target.origin, path: target.path, protocol: start.protocol, method: start.method, headers, body: outgoing })
  } catch (error) {
    // Not an answer of the upstream's: nothing to record.
    return jsonResponse(UPSTREAM_ERROR_STATUS, {
      code: UPSTREAM_ERROR_CODE,
      message: `[s2-emulator record] cannot reach the upstream ${target.origin.origin}: ${(error as Error).message}`,
    })
  }
  ctx.onStart(capture)
  const recordedHeaders = responseHeaderMap(upstream.headers)
  capture.response(upstream.status, recordedHeaders)
  const clientHeaders = new Headers()
  for (const [name, value] of Object.entries(recordedHeaders)) clientHeaders.set(name, value)

  if (!capture.isSession) {
    const chunks: Uint8Array[] = []
    try {
      for await (const chunk of upstream.body) {
        capture.output(chunk)
        chunks.push(chunk)
      }
    } catch {
      capture.end('reset')
      ctx.onEnd(capture)
      await ctx.connection.drop()
      return new Response(null, { status: 502 })
    }
    capture.end('complete')
    ctx.onEnd(capture)
    return new Response(NO_BODY.has(upstream.status) ? null : concatBytes(chunks), { status: upstream.status, headers: clientHeaders })
  }

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // Read eagerly, whatever the client's pace, so the recorded offsets are the upstream's.
      void (async () => {
        try {
          for await (const chunk of upstream.body) {
            capture.output(chunk)
            if (!capture.ended) controller.enqueue(chunk)
          }
          capture.end('complete')
          controller.close()
        } catch {
          if (capture.ended) return
          capture.end('reset')
          await ctx.connection.resetStream()
        } finally {
          ctx.onEnd(capture)
        }
      })().catch(() => {})
    },
    cancel() {
      capture.end('client_closed')
      upstream.cancel()
    },
  })
  return new Response(stream, { status: upstream.status, headers: clientHeaders })
}
