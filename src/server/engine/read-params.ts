import { MAX_BATCH_METERED_BYTES, MAX_BATCH_RECORDS } from '../store/index.ts'

export type ReadStart =
  | { readonly kind: 'seqNum'; readonly value: number }
  | { readonly kind: 'timestamp'; readonly value: number }
  | { readonly kind: 'tailOffset'; readonly value: number }

/** A read request as the protocol layer decoded it; undefined means the parameter was not given. */
export interface ReadRequest {
  readonly start: ReadStart
  readonly clamp: boolean
  readonly count: number | undefined
  readonly bytes: number | undefined
  /** Exclusive upper bound on timestamps. */
  readonly until: number | undefined
  /** How long to wait for new records, in milliseconds. */
  readonly waitMs: number | undefined
}

/** The limits a read runs under, after S2's defaults and caps are applied. */
export interface ReadPlan {
  readonly start: ReadStart
  readonly clamp: boolean
  readonly count: number
  readonly bytes: number
  readonly until: number
  /** null: follow for ever. */
  readonly waitMs: number | null
  /** Whether the read may wait at the tail for new records (s2-lite `may_follow`). */
  readonly mayFollow: boolean
}

export const UNARY_MAX_WAIT_MS = 60_000

/**
 * Unary reads are always bounded: count and bytes are capped at 1000 records / 1 MiB, `wait` at
 * 60 s, and they follow only with `wait > 0` (s2-lite §6.3).
 */
export function planUnaryRead(request: ReadRequest): ReadPlan {
  const waitMs = Math.min(request.waitMs ?? 0, UNARY_MAX_WAIT_MS)
  return {
    start: request.start,
    clamp: request.clamp,
    count: Math.min(request.count ?? MAX_BATCH_RECORDS, MAX_BATCH_RECORDS),
    bytes: Math.min(request.bytes ?? MAX_BATCH_METERED_BYTES, MAX_BATCH_METERED_BYTES),
    until: request.until ?? Infinity,
    waitMs,
    mayFollow: waitMs > 0,
  }
}

/**
 * Sessions (SSE, S2S) have no overall cap. With any bound and no `wait` they do not follow;
 * with no bound and no `wait` they follow for ever (s2-lite §6.4).
 */
export function planSessionRead(request: ReadRequest): ReadPlan {
  const bounded = request.count !== undefined || request.bytes !== undefined || request.until !== undefined
  const waitMs = request.waitMs ?? (bounded ? 0 : null)
  return {
    start: request.start,
    clamp: request.clamp,
    count: request.count ?? Infinity,
    bytes: request.bytes ?? Infinity,
    until: request.until ?? Infinity,
    waitMs,
    mayFollow: !bounded || waitMs === null || waitMs > 0,
  }
}
