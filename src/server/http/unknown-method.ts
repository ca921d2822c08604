import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

/** What Node's HTTP/1.1 parser reports when it cannot go on, with the bytes it was parsing. */
interface ParseError extends Error {
  readonly code?: string
  readonly rawPacket?: Buffer
  readonly bytesParsed?: number
}

/** RFC 9110 token characters: any of them make a method, known or not. */
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/\S*) HTTP\/1\.[01]\r?\n/

/**
 * Answers a request whose method Node's parser does not know (`FOO`, a lowercase `get`) as axum
 * does any method no route has: 405 with `Allow` on a known path, 404 elsewhere, both empty. Node
 * would answer a bare 400. The app decides (so the answer is the same as for a known method no
 * route takes); the connection then closes, as the parser cannot find where the request ends.
 * Returns false for any other parse error, which Node's own answer suits.
 */
export function answerUnknownMethod(error: ParseError, socket: Socket, fetch: (request: Request) => Response | Promise<Response>): boolean {
  if (error.code !== 'HPE_INVALID_METHOD' || error.rawPacket === undefined || !socket.writable) return false
  const text = error.rawPacket.toString('latin1')
  // The packet may hold earlier requests of the connection: the failing one starts on the line the error is on.
  const start = text.lastIndexOf('\n', Math.max(0, (error.bytesParsed ?? 0) - 1)) + 1
  const line = REQUEST_LINE.exec(text.slice(start))
  if (line === null) return false
  const [, method, target] = line as unknown as [string, string, string]
  let request: Request
  try {
    request = new Request(new URL(target, 'http://localhost'), { method })
  } catch {
    return false
  }
  // fetch's Request upper-cases `get`, `post` and the like, which would reach their routes.
  if (request.method !== method) request = new Request(request.url, { method: `${method}-UNKNOWN` })
  void Promise.resolve()
    .then(() => fetch(request))
    .then(
      (response) => {
        let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`
        response.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'connection' && name !== 'transfer-encoding') head += `${name}: ${value}\r\n`
        })
        socket.end(`${head}content-length: 0\r\nconnection: close\r\n\r\n`)
      },
      () => socket.destroy(),
    )
  return true
}

const PARSE_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413, ERR_HTTP_REQUEST_TIMEOUT: 408 }

/** Node's own answer to a request it cannot parse (what it does when no one listens for 'clientError'). */
export function answerParseError(error: ParseError, socket: Socket): void {
  if (socket.writable && error.code !== 'ECONNRESET') {
    const status = PARSE_ERROR_STATUS[error.code ?? ''] ?? 400
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`)
  }
  socket.destroy()
}
