import type { Agent as HttpAgent } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'

interface Transport {
  readonly http: typeof import('node:http')
  readonly https: typeof import('node:https')
  readonly toWeb: (typeof import('node:stream'))['Readable']['toWeb']
  /** Keep-alive connections shared by every control client of this process. */
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent }
}

/** Loaded on the first admin call, so importing the package loads no HTTP stack. */
let transport: Promise<Transport> | undefined

function load(): Promise<Transport> {
  transport ??= (async () => {
    const [http, https, stream] = await Promise.all([import('node:http'), import('node:https'), import('node:stream')])
    return {
      http,
      https,
      toWeb: stream.Readable.toWeb,
      agents: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
    }
  })()
  return transport
}

/**
 * `fetch` for admin calls over node:http with kept-alive connections: a control call costs about
 * half of what the global fetch (undici) costs per request, which adds up in a suite that makes a
 * namespace per test. Bodies stream both ways (snapshot downloads and uploads).
 */
export async function nodeFetch(request: Request): Promise<Response> {
  const { http, https, toWeb, agents } = await load()
  const url = new URL(request.url)
  const secure = url.protocol === 'https:'
  const body = request.body === null ? null : Buffer.from(await request.arrayBuffer())
  const headers: Record<string, string> = Object.fromEntries(request.headers)
  if (body !== null) headers['content-length'] = String(body.length)
  return new Promise<Response>((resolve, reject) => {
    const send = secure ? https.request : http.request
    const req = send(url, { method: request.method, headers, agent: secure ? agents.https : agents.http }, (res) => {
      const responseHeaders = new Headers()
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue
        for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v)
      }
      const status = res.statusCode ?? 0
      const stream = status === 204 || status === 304 || request.method === 'HEAD' ? null : (toWeb(res) as ReadableStream<Uint8Array>)
      if (stream === null) res.resume()
      resolve(new Response(stream, { status, headers: responseHeaders }))
    })
    req.on('error', reject)
    req.end(body ?? undefined)
  })
}
