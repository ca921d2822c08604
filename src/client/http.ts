import { S2EmulatorError } from '../server/errors/emulator-error.ts'

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
   * hands its app's own `fetch`, so its controls skip the network (same routes, same answers).
   */
  readonly fetch: (request: Request) => Response | Promise<Response>
}

/** One call to the admin API; a non-2xx answer throws an S2EmulatorError carrying its code and message. */
export async function adminRequest(target: AdminTarget, method: string, path: string, init: RequestInit = {}): Promise<Response> {
  const route = `${target.prefix}${path}`
  let response: Response
  try {
    const request = new Request(new URL(route, target.baseUrl), {
      ...init,
      method,
      headers: { ...target.headers, ...(init.headers as Record<string, string> | undefined) },
      ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit)
    response = await target.fetch(request)
  } catch (error) {
    throw new S2EmulatorError('S2EMU_UNREACHABLE', `cannot reach the emulator at ${target.baseUrl}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (response.ok) return response
  const text = await response.text()
  let detail = text
  let adminCode: string | undefined
  try {
    const parsed = JSON.parse(text) as { code?: string; message?: string }
    if (parsed.message) detail = `${parsed.code ?? 'error'}: ${parsed.message}`
    adminCode = parsed.code
  } catch {
    // Not JSON: keep the text.
  }
  throw new S2EmulatorError('S2EMU_ADMIN_REQUEST_FAILED', `${method} ${route} failed with ${response.status}: ${detail}`, {
    status: response.status,
    adminCode,
  })
}

/** One JSON call to the admin API (see {@link adminRequest}). */
export async function adminCall<T>(target: AdminTarget, method: string, path: string, body?: unknown): Promise<T> {
  const response = await adminRequest(
    target,
    method,
    path,
    body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  )
  const text = await response.text()
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** A query string from the defined values of an object (`''` when there are none). */
export function queryOf(values: object): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value !== undefined) query.set(key, String(value))
  return query.size === 0 ? '' : `?${query.toString()}`
}
