/** Response headers of every SSE and S2S session, as s2-lite sends them. */
export const SESSION_HEADERS = {
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const
