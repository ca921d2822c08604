/**
 * HTTP/1.1 on a bare socket, for requests no HTTP client would send: no `Host`, a `Host` URL
 * parsing refuses, a backslash in the path, a body cut short, a connection that never finishes its
 * request. Responses are parsed just enough to read status, headers and body (Content-Length or
 * chunked). Nothing here imports src.
 */
import { createConnection, type Socket } from 'node:net'

export interface RawHttpResponse {
  readonly status: number
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Record<string, string>
  readonly body: string
  /** The body parsed as JSON; undefined if it is empty or not JSON. */
  readonly json: unknown
}

/** One connection: write bytes, read whole responses, see when the server closes it. */
export class RawConnection {
  readonly socket: Socket
  /** Resolves when the server closes (or resets) the connection. */
  readonly closed: Promise<void>
  #data = Buffer.alloc(0)
  #ended = false
  #wake: (() => void) | null = null

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk])
      this.#wake?.()
    })
    socket.on('error', () => {}) // a reset shows as the end of the connection
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#ended = true
        this.#wake?.()
        resolve()
      }),
    )
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port) })
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawConnection(socket))
      })
      socket.once('error', reject)
    })
  }

  write(bytes: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())))
  }

  /** Whatever the server has sent that was not read as a response yet. */
  get pending(): string {
    return this.#data.toString('latin1')
  }

  /** The next whole response; rejects if the connection closes first. */
  async response(): Promise<RawHttpResponse> {
    for (;;) {
      const parsed = parseResponse(this.#data)
      if (parsed !== null) {
        this.#data = this.#data.subarray(parsed.size)
        return parsed.response
      }
      if (this.#ended) throw new Error(`connection closed before a whole response; got: ${JSON.stringify(this.pending)}`)
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
      this.#wake = null
    }
  }

  destroy(): void {
    this.socket.destroy()
  }
}

function parseResponse(data: Buffer): { response: RawHttpResponse; size: number } | null {
  const headEnd = data.indexOf('\r\n\r\n')
  if (headEnd === -1) return null
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let offset = headEnd + 4
  let body: Buffer
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = []
    for (;;) {
      const lineEnd = data.indexOf('\r\n', offset)
      if (lineEnd === -1) return null
      const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16)
      if (data.length < lineEnd + 2 + size + 2) return null
      parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
      offset = lineEnd + 2 + size + 2
      if (size === 0) break
    }
    body = Buffer.concat(parts)
  } else {
    const length = Number(headers['content-length'] ?? 0)
    if (data.length < offset + length) return null
    body = data.subarray(offset, offset + length)
    offset += length
  }
  const text = body.toString('utf8')
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { response: { status, headers, body: text, json }, size: offset }
}

/** Sends one request as written on a connection of its own and returns the response. */
export async function rawHttp(url: string, request: string | Uint8Array): Promise<RawHttpResponse> {
  const connection = await RawConnection.open(url)
  try {
    await connection.write(request)
    return await connection.response()
  } finally {
    connection.destroy()
  }
}

/** A request's text: a request line, header lines (each `Name: value`), and a body with its Content-Length. */
export function requestText(line: string, headers: readonly string[], body?: string): string {
  const all = body === undefined ? headers : [...headers, `Content-Length: ${Buffer.byteLength(body)}`]
  return `${line}\r\n${all.map((h) => `${h}\r\n`).join('')}\r\n${body ?? ''}`
}
