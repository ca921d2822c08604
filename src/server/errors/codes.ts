/**
 * S2's wire error codes and the HTTP status each one travels with
 * (s2-lite `api/src/v1/error.rs`). The one table the protocol layer reads statuses from.
 */
export const S2_ERROR_STATUS = {
  bad_header: 400,
  bad_path: 400,
  bad_query: 400,
  bad_json: 400,
  bad_proto: 400,
  bad_frame: 400,
  decryption_failed: 400,
  invalid: 422,
  authn: 401,
  permission_denied: 403,
  quota_exhausted: 403,
  basin_not_found: 404,
  stream_not_found: 404,
  access_token_not_found: 404,
  request_timeout: 408,
  resource_already_exists: 409,
  basin_deletion_pending: 409,
  stream_deletion_pending: 409,
  transaction_conflict: 409,
  rate_limited: 429,
  client_hangup: 499,
  other: 500,
  storage: 500,
  not_implemented: 501,
  hot_server: 502,
  unavailable: 503,
  server_draining: 503,
  upstream_timeout: 504,
} as const satisfies Record<string, number>

export type S2ErrorCode = keyof typeof S2_ERROR_STATUS

export function isS2ErrorCode(code: string): code is S2ErrorCode {
  return Object.hasOwn(S2_ERROR_STATUS, code)
}
