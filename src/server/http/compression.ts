import type { MiddlewareHandler, Next } from 'hono'
import { compress, COMPRESS_MIN_BYTES, negotiate } from './encoding.ts'
import { knownLength } from './respond.ts'
import type { AppContext, AppEnv } from './route.ts'

/**
 * Compresses unary response bodies of 1 KiB or more per `Accept-Encoding` (zstd preferred, then
 * gzip), as s2-lite does; never SSE or S2S, which stream (S2S compresses per frame instead).
 * Bodies without a known length are streams and are left alone.
 */
export function responseCompression(): MiddlewareHandler<AppEnv> {
  const compressing = async (c: AppContext, next: Next, acceptEncoding: string): Promise<void> => {
    await next()
    const res = c.res
    // Reading `res.headers` builds a `Headers` that the adapter then converts back: most answers are small.
    const length = knownLength(res) ?? Number(res.headers.get('content-length') ?? NaN)
    if (!(length >= COMPRESS_MIN_BYTES) || res.headers.has('content-encoding')) return
    const algorithm = negotiate(acceptEncoding)
    if (algorithm === 'none') return
    const body = compress(new Uint8Array(await res.arrayBuffer()), algorithm)
    const headers = new Headers(res.headers)
    headers.set('content-encoding', algorithm)
    headers.set('content-length', String(body.length))
    headers.append('vary', 'accept-encoding')
    c.res = undefined
    c.res = new Response(body, { status: res.status, headers })
  }
  // A request without Accept-Encoding is never answered compressed: no need to look at its answer.
  return (c, next) => {
    const acceptEncoding = c.req.header('accept-encoding')
    return acceptEncoding ? compressing(c, next, acceptEncoding) : next()
  }
}
