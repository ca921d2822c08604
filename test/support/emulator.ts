import { S2 } from '@s2-dev/streamstore'
import { request as httpRequest } from 'node:http'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startS2Emulator, type S2Emulator, type S2EmulatorOptions } from '../../src/index.ts'

/** A raw HTTP response, with the body kept as text and, when it parses, as JSON. */
export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  readonly body: Buffer
  /** The body parsed as JSON; undefined if it is empty or not JSON. */
  readonly json: unknown
}

export interface RawRequest {
  readonly headers?: Record<string, string>
  /** A string or bytes are sent as they are; anything else as JSON (with its Content-Type set). */
  readonly body?: unknown
}

/**
 * One HTTP/1.1 request with exactly the given method, path, headers and body. The path is sent as
 * written (no URL normalisation), so `.` and `..` segments reach the server.
 */
export function raw(baseUrl: string, method: string, path: string, init: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(baseUrl)
  const headers: Record<string, string> = { ...init.headers }
  let payload: Buffer | undefined
  if (typeof init.body === 'string') payload = Buffer.from(init.body)
  else if (init.body instanceof Uint8Array) payload = Buffer.from(init.body)
  else if (init.body !== undefined) {
    payload = Buffer.from(JSON.stringify(init.body))
    headers['content-type'] ??= 'application/json'
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          const text = body.toString('utf8')
          let json: unknown
          try {
            json = text === '' ? undefined : JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** An SDK client pointed at an emulator the way users do it: account and basin endpoints. */
export function sdk(emulator: Pick<S2Emulator, 'url'>): S2 {
  return new S2({
    accessToken: 'test-token',
    endpoints: { account: emulator.url, basin: emulator.url },
    retry: { maxAttempts: 1 },
  })
}

let counter = 0
/** A fresh valid basin name, unique in this process. */
export function basinName(label = 'basin'): string {
  counter++
  const name = `${label}-${process.pid.toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 48).replace(/-+$/, '')
}

/**
 * Starts an emulator for the enclosing file or describe block and stops it afterwards.
 * The returned object is filled in by `beforeAll`.
 */
export function useEmulator(options: S2EmulatorOptions = {}) {
  const ctx = {} as {
    emulator: S2Emulator
    url: string
    s2: S2
    raw: (method: string, path: string, init?: RawRequest) => Promise<RawResponse>
    /** Creates a basin (with an optional JSON config) and returns its name. */
    basin: (config?: unknown) => Promise<string>
    /** Creates a basin and a stream in it; returns both names. */
    stream: (streamConfig?: unknown, basinConfig?: unknown) => Promise<{ basin: string; stream: string }>
  }
  beforeAll(async () => {
    ctx.emulator = await startS2Emulator({ port: 0, ...options })
    ctx.url = ctx.emulator.url
    ctx.s2 = sdk(ctx.emulator)
    ctx.raw = (method, path, init) => raw(ctx.url, method, path, init)
    ctx.basin = async (config) => {
      const name = basinName()
      const res = await ctx.raw('POST', '/v1/basins', { body: config === undefined ? { basin: name } : { basin: name, config } })
      if (res.status !== 201) throw new Error(`creating basin ${name}: ${res.status} ${res.text}`)
      return name
    }
    ctx.stream = async (streamConfig, basinConfig) => {
      const basin = await ctx.basin(basinConfig)
      const stream = `stream-${Math.random().toString(36).slice(2, 10)}`
      const res = await ctx.raw('POST', '/v1/streams', {
        headers: { 's2-basin': basin },
        body: streamConfig === undefined ? { stream } : { stream, config: streamConfig },
      })
      if (res.status !== 201) throw new Error(`creating stream ${stream}: ${res.status} ${res.text}`)
      return { basin, stream }
    }
  })
  afterAll(async () => {
    await ctx.emulator?.stop()
  })
  return ctx
}

/** Starts emulators (on a free port unless told) that tests start themselves; stops them all after each test. */
export function useStartedEmulators(): (options?: S2EmulatorOptions) => Promise<S2Emulator> {
  const running: S2Emulator[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()))
  })
  return async (options = {}) => {
    const emulator = await startS2Emulator({ port: 0, ...options })
    running.push(emulator)
    return emulator
  }
}

/** The error starting an emulator with these options fails with; null (the emulator stopped again) if it starts. */
export function startError(options: S2EmulatorOptions): Promise<unknown> {
  return startS2Emulator(options).then(
    async (emulator) => {
      await emulator.stop()
      return null
    },
    (error: unknown) => error,
  )
}
