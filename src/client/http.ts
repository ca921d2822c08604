import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** An admin request as it goes on the wire. */
export interface AdminMessage {
  readonly method: string
  /** The absolute URL. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Uint8Array | undefined
}

/** An admin answer, its body read whole (admin answers are small JSON, or a snapshot file). */
export interface AdminReply {
  readonly status: number
  readonly body: Uint8Array
}

/**
 * Where admin calls go: the emulator's base URL, the route prefix of the scope (`/_emulator` for
 * the whole emulator, `/_emulator/namespaces/{name}` for one namespace) and headers every call
 * carries (the admin token, a namespace handle's token).
 */
export interface AdminTarget {
  /** Base URL with a trailing slash. */
  readonly baseUrl: string
  readonly prefix: string
  readonly headers: Readonly<Record<string, string>>
  /**
   * How requests travel: node:http for an emulator elsewhere; an emulator started in this process
   * hands its app's own, so its controls skip the network (same routes, same answers).
   */
  readonly send: (message: AdminMessage) => Promise<AdminReply>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** One call to the admin API; a non-2xx answer throws an S2EmulatorError carrying its code and message. */
export async function adminRequest(
  target: AdminTarget,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<AdminReply> {
  const route = `${target.prefix}${path}`
  let reply: AdminReply
  try {
    reply = await target.send({ method, url: `${target.baseUrl}${route.slice(1)}`, headers: { ...target.headers, ...init.headers }, body: init.body })
  } catch (error) {
    throw new S2EmulatorError('S2EMU_UNREACHABLE', `cannot reach the emulator at ${target.baseUrl}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (reply.status >= 200 && reply.status < 300) return reply
  const text = decoder.decode(reply.body)
  let detail = text
  let adminCode: string | undefined
  try {
    const parsed = JSON.parse(text) as { code?: string; message?: string }
    if (parsed.message) detail = `${parsed.code ?? 'error'}: ${parsed.message}`
    adminCode = parsed.code
  } catch {
    // Not JSON: keep the text.
  }
  throw new S2EmulatorError('S2EMU_ADMIN_REQUEST_FAILED', `${method} ${route} failed with ${reply.status}: ${detail}`, {
    status: reply.status,
    adminCode,
  })
}

/** One JSON call to the admin API (see {@link adminRequest}). */
export async function adminCall<T>(target: AdminTarget, method: string, path: string, body?: unknown): Promise<T> {
  const reply = await adminRequest(
    target,
    method,
    path,
    body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: encoder.encode(JSON.stringify(body)) },
  )
  const text = decoder.decode(reply.body)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** A query string from the defined values of an object (`''` when there are none). */
export function queryOf(values: object): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value !== undefined) query.set(key, String(value))
  return query.size === 0 ? '' : `?${query.toString()}`
}

/** Sends admin messages to a web-standard `fetch` (an app in this process). */
export function viaFetch(fetch: (request: Request) => Response | Promise<Response>): AdminTarget['send'] {
  return async (message) => {
    const response = await fetch(
      new Request(message.url, { method: message.method, headers: message.headers, body: message.body as Uint8Array<ArrayBuffer> | undefined }),
    )
    return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) }
  }
}
