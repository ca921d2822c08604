/** A small HTTP/1.1 keep-alive client: the same client for the emulator, the node baseline and the peer. */
import { Agent, request } from 'node:http'

export interface HttpResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

export interface RequestInit {
  readonly headers?: Record<string, string>
  readonly body?: Buffer | string
  /** Do not keep the body, only count its bytes (for large reads). */
  readonly discard?: boolean
}

export interface CountedResponse {
  readonly status: number
  readonly bytes: number
  /** The last bytes of the body (up to 64), to check how it ended. */
  readonly tail: Buffer
}

export class HttpClient {
  readonly #host: string
  readonly #port: number
  readonly agent: Agent

  constructor(baseUrl: string, sockets = 1) {
    const url = new URL(baseUrl)
    if (url.hostname !== '127.0.0.1') throw new Error(`benchmarks run on loopback only, not ${url.hostname}`)
    this.#host = url.hostname
    this.#port = Number(url.port)
    // Idle sockets are dropped after 4 s, before the servers' 5 s keep-alive timeout closes them.
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: 4000 })
  }

  request(method: string, path: string, init: RequestInit = {}): Promise<HttpResponse> {
    return retryOnStaleSocket(() => this.#request(method, path, init))
  }

  #request(method: string, path: string, init: RequestInit): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...init.headers }
      if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body)
      const req = request({ host: this.#host, port: this.#port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      })
      req.on('error', (error: NodeJS.ErrnoException) => reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocket(error) : error))
      req.end(init.body)
    })
  }

  /** A request whose response body is counted, not kept (large catch-up reads). */
  counted(method: string, path: string, init: RequestInit = {}): Promise<CountedResponse> {
    return retryOnStaleSocket(() => this.#counted(method, path, init))
  }

  #counted(method: string, path: string, init: RequestInit): Promise<CountedResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...init.headers }
      if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body)
      const req = request({ host: this.#host, port: this.#port, method, path, headers, agent: this.agent }, (res) => {
        let bytes = 0
        let last: Buffer = Buffer.alloc(0)
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          last = chunk.length >= 64 ? chunk : Buffer.concat([last, chunk])
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, tail: Buffer.from(last.subarray(Math.max(0, last.length - 64))) }))
        res.on('error', reject)
      })
      req.on('error', (error: NodeJS.ErrnoException) => reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocket(error) : error))
      req.end(init.body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** A keep-alive socket the server had closed just as it was reused: nothing was served on it. */
class StaleSocket extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause })
  }
}

/** Retries a request once when it failed only because its reused socket had gone stale (Node's documented pattern). */
async function retryOnStaleSocket<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error
    return send()
  }
}

/** One GET on a fresh connection (no keep-alive), retried while the port refuses connections. */
export async function firstOk(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  const target = new URL(url)
  for (;;) {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: target.hostname, port: target.port, method: init.method ?? 'GET', path: target.pathname, headers: init.headers, agent: false },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          },
        )
        req.on('error', reject)
        req.end(init.body)
      })
      if (status === 200) return status
      throw new Error(`${url} answered ${status}`)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error
    }
  }
}

/**
 * A closed loop of `concurrency` workers calling `once` until `durationMs` has passed (no new call
 * starts after that). Returns how many calls finished and the elapsed time from the first start to
 * the last finish.
 */
export async function closedLoop(concurrency: number, durationMs: number, once: () => Promise<void>): Promise<{ calls: number; elapsedMs: number }> {
  const start = performance.now()
  const deadline = start + durationMs
  let calls = 0
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await once()
      calls++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { calls, elapsedMs: performance.now() - start }
}
