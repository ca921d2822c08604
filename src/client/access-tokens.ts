import { adminCall, queryOf, type AdminTarget } from './http.ts'

/** An access token as the admin API lists it (cloud profile): never the token itself. */
export interface AccessTokenView {
  /** The namespace it was issued in (and acts in). */
  readonly namespace: string
  readonly id: string
  /** RFC 3339, or null if it never expires. */
  readonly expires_at: string | null
  readonly auto_prefix_streams: boolean
  /** Its scope, as the S2 API's `AccessTokenScope`. */
  readonly scope: Readonly<Record<string, unknown>>
  /** Whether it has expired on its namespace's clock. */
  readonly expired: boolean
}

/** The access tokens issued through the S2 API in a scope (cloud profile), over the admin API. */
export interface AccessTokensClient {
  /** The tokens of this scope (a namespace's, or every namespace's), by id; none in the lite profile. */
  list(): Promise<AccessTokenView[]>
  /**
   * Revokes a token by id: requests carrying it get 401 from then on (open sessions run on). The
   * emulator's handle revokes in `default` unless `namespace` names another namespace.
   */
  revoke(id: string, options?: { namespace?: string }): Promise<void>
}

export function accessTokensClient(target: AdminTarget): AccessTokensClient {
  return {
    list: async () => (await adminCall<{ tokens: AccessTokenView[] }>(target, 'GET', '/access-tokens')).tokens,
    revoke: async (id, options = {}) => {
      await adminCall(target, 'DELETE', `/access-tokens/${encodeURIComponent(id)}${queryOf(options)}`)
    },
  }
}
