import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** One call to the admin API; a non-2xx answer throws an S2EmulatorError carrying its code and message. */
export async function adminRequest(baseUrl: string, method: string, path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await fetch(new URL(path, baseUrl), { ...init, method })
  } catch (error) {
    throw new S2EmulatorError('S2EMU_UNREACHABLE', `cannot reach the emulator at ${baseUrl}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (response.ok) return response
  const text = await response.text()
  let detail = text
  try {
    const parsed = JSON.parse(text) as { code?: string; message?: string }
    if (parsed.message) detail = `${parsed.code ?? 'error'}: ${parsed.message}`
  } catch {
    // Not JSON: keep the text.
  }
  throw new S2EmulatorError('S2EMU_ADMIN_REQUEST_FAILED', `${method} ${path} failed with ${response.status}: ${detail}`)
}

/** One JSON call to the admin API (see {@link adminRequest}). */
export async function adminCall<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await adminRequest(
    baseUrl,
    method,
    path,
    body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  )
  const text = await response.text()
  return (text === '' ? undefined : JSON.parse(text)) as T
}
