import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** One JSON call to the admin API; a non-2xx answer throws an S2EmulatorError carrying its code and message. */
export async function adminCall<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    throw new S2EmulatorError('S2EMU_UNREACHABLE', `cannot reach the emulator at ${baseUrl}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const text = await response.text()
  if (!response.ok) {
    let detail = text
    try {
      const parsed = JSON.parse(text) as { code?: string; message?: string }
      if (parsed.message) detail = `${parsed.code ?? 'error'}: ${parsed.message}`
    } catch {
      // Not JSON: keep the text.
    }
    throw new S2EmulatorError('S2EMU_ADMIN_REQUEST_FAILED', `${method} ${path} failed with ${response.status}: ${detail}`)
  }
  return (text === '' ? undefined : JSON.parse(text)) as T
}
