import { S2 } from '@s2-dev/streamstore'
import { afterEach, expect } from 'vitest'
import type { S2Emulator, S2Namespace } from '../../src/index.ts'
import { expectS2Error } from './append-helpers.ts'
import { basinName, raw, type RawRequest, type RawResponse } from './emulator.ts'

/** An SDK client that sends `token` (no retries, so a refusal is seen once). */
export function clientWith(url: string, token: string): S2 {
  return new S2({ accessToken: token, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
}

/** One raw request carrying `Authorization: Bearer <token>`. */
export function rawAs(url: string, token: string, method: string, path: string, init: RawRequest = {}): Promise<RawResponse> {
  return raw(url, method, path, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })
}

/** A 401 `authn` or 403 `permission_denied` with a message matching `message`. */
export function expectRefused(res: RawResponse, status: 401 | 403, message: RegExp): void {
  expectS2Error(res, status, status === 401 ? 'authn' : 'permission_denied')
  expect((res.json as { message: string }).message).toMatch(message)
}

/** The status an SDK call rejects with (or 'ok'). */
export async function outcome(call: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await call
    return 'ok'
  } catch (error) {
    const status = (error as { status?: unknown }).status
    if (typeof status !== 'number') throw error
    return status
  }
}

/** A namespace of a cloud-profile emulator with isolation per test, dropped after it; its token is its root token. */
export function useCloudNamespaces(emulator: () => S2Emulator) {
  const made: S2Namespace[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop()))
  })
  return async (): Promise<{ ns: S2Namespace; root: S2; issue: (body: unknown) => Promise<string>; basin: () => Promise<string> }> => {
    const ns = await emulator().createNamespace()
    made.push(ns)
    const root = clientWith(ns.url, ns.token)
    const issue = async (body: unknown): Promise<string> => {
      const res = await rawAs(ns.url, ns.token, 'POST', '/v1/access-tokens', { body })
      if (res.status !== 201) throw new Error(`issuing ${JSON.stringify(body)}: ${res.status} ${res.text}`)
      return (res.json as { access_token: string }).access_token
    }
    const basin = async (): Promise<string> => {
      const name = basinName('cloud')
      await root.basins.create({ basin: name })
      return name
    }
    return { ns, root, issue, basin }
  }
}
