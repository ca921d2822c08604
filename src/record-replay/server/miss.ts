import type { JsonValue } from '../cassette/types.ts'
import type { ReplayMiss } from '../match/matcher.ts'

/**
 * The status of a replay miss: no S2 answer uses it, and the SDKs do not retry it, so a miss
 * fails the call at once rather than after retries.
 */
export const MISS_STATUS = 599
/** The `code` of a replay miss's error body. */
export const MISS_CODE = 'cassette_miss'
/** The status when the recorder cannot reach its upstream. */
export const UPSTREAM_ERROR_STATUS = 502
/** The `code` of that error. */
export const UPSTREAM_ERROR_CODE = 'cassette_upstream_error'

/** S2's error shape, `{code, message}`, plus where the nearest recorded exchange differs. */
export function missBody(miss: ReplayMiss): JsonValue {
  return {
    code: MISS_CODE,
    message: `[s2-emulator replay] ${miss.message}`,
    ...(miss.nearest ? { nearest: { id: miss.nearest.id, differences: [...miss.nearest.differences] } } : {}),
  }
}

export function jsonResponse(status: number, body: JsonValue): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}
