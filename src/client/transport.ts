import type { Agent as HttpAgent } from 'node:http'
import type { AdminMessage, AdminReply } from './http.ts'

interface Transport {
  readonly request: (typeof import('node:http'))['request']
  readonly secureRequest: (typeof import('node:https'))['request']
  /** Keep-alive connections shared by every control client of this process. */
  readonly agents: { readonly http: HttpAgent; readonly https: HttpAgent }
}

/** Loaded on the first admin call, so importing the package loads no HTTP stack. */
let transport: Promise<Transport> | undefined

function load(): Promise<Transport> {
  transport ??= (async () => {
    const [http, https] = await Promise.all([import('node:http'), import('node:https')])
    return {
      request: http.request,
      secureRequest: https.request,
      agents: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
    }
  })()
  return transport
}

/**
 * Admin calls over node:http with kept-alive connections, the body read whole: a control call
 * costs a fraction of what the global fetch (undici, web streams) costs, which adds up in a suite
 * that makes a namespace per test.
 */
export async function nodeSend(message: AdminMessage): Promise<AdminReply> {
  const { request, secureRequest, agents } = await load()
  const url = new URL(message.url)
  const secure = url.protocol === 'https:'
  const headers: Record<string, string> = { ...message.headers }
  if (message.body !== undefined) headers['content-length'] = String(message.body.length)
  return new Promise<AdminReply>((resolve, reject) => {
    const send = secure ? secureRequest : request
    const req = send(url, { method: message.method, headers, agent: secure ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(message.body)
  })
}
