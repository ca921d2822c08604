import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../route.ts'
import { closedSink, nodeSink, streamOf, type SessionBody } from './body-sink.ts'

/** The body each session response will write once its head is final. */
const bodies = new WeakMap<Response, SessionBody>()

/** Tells @hono/node-server that the response was written by the handler. */
const ALREADY_SENT = 'x-hono-already-sent'

/**
 * A streaming session's response (SSE or S2S): its head goes through the middleware like any other
 * (CORS adds to it); its body is written straight to the connection by {@link sessionBodies}.
 */
export function sessionResponse(body: SessionBody, headers: Record<string, string>): Response {
  const response = new Response(null, { status: 200, headers })
  bodies.set(response, body)
  return response
}

/** The body of a response as a web stream: the session's, pulled as read, or the response's own. */
export function bodyStream(response: Response): ReadableStream<Uint8Array> | null {
  const body = bodies.get(response)
  return body === undefined ? response.body : streamOf(body)
}

/**
 * The outermost middleware: once a session response is final, writes its head and starts its body
 * on the node response; without one (a request served in-process), the body becomes a web stream.
 */
export function sessionBodies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    const response = c.res
    const body = bodies.get(response)
    if (body === undefined) return
    const outgoing = c.env?.outgoing
    c.res = undefined
    if (c.req.method === 'HEAD') {
      body(closedSink())
      c.res = new Response(null, response)
      return
    }
    if (outgoing === undefined) {
      c.res = new Response(streamOf(body), response)
      return
    }
    const head: Record<string, string> = {}
    response.headers.forEach((value, name) => (head[name] = value))
    outgoing.writeHead(response.status, head)
    if (typeof outgoing.flushHeaders === 'function') outgoing.flushHeaders()
    const sink = nodeSink(outgoing)
    body(sink)
    const sent = new Response(null, { headers: { [ALREADY_SENT]: 'true' } })
    // A response that @hono/node-server has not turned into a full one yet would be written again.
    void sent.body
    c.res = sent
    // The adapter learns that the response is over only once the body ended: on HTTP/2 it then
    // destroys a request whose body has not ended, which an append session still reads.
    await sink.finished
  }
}
