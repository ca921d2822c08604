import type { BasinConfig, Cipher, StreamConfig } from './config.ts'
import type { StoredRecord } from './record.ts'

/**
 * Every change to the store's state, as it happened: what a durable log records so the state can
 * be rebuilt by replaying them in order on top of a snapshot (see store/replay.ts). Outcomes, not
 * requests: an append carries the records with the sequence numbers, timestamps and expiry times
 * they were given, a created stream its resolved config, so replay needs no clock and follows no
 * rule that could have changed since.
 */
export type AccountChange =
  | { readonly kind: 'basin_created'; readonly basin: string; readonly config: BasinConfig; readonly idempotencyKey: string | null; readonly at: number }
  | { readonly kind: 'basin_config'; readonly basin: string; readonly config: BasinConfig }
  /** The basin and its live streams were marked deleted (purged later). */
  | { readonly kind: 'basin_deleted'; readonly basin: string; readonly at: number }
  | {
      readonly kind: 'stream_created'
      readonly basin: string
      readonly stream: string
      readonly config: StreamConfig
      readonly cipher: Cipher | null
      readonly idempotencyKey: string | null
      readonly at: number
    }
  | { readonly kind: 'stream_config'; readonly basin: string; readonly stream: string; readonly config: StreamConfig }
  /** A stream was marked deleted (by a delete, or by delete-on-empty). */
  | { readonly kind: 'stream_deleted'; readonly basin: string; readonly stream: string; readonly at: number }
  /** A deleted stream (or, with `stream` null, basin) was purged: it is gone. */
  | { readonly kind: 'purged'; readonly basin: string; readonly stream: string | null }
  /** Records were appended at `at` (they carry their own positions, timestamps and expiry times). */
  | { readonly kind: 'appended'; readonly basin: string; readonly stream: string; readonly at: number; readonly records: readonly StoredRecord[] }
  /** A reset removed a basin, or with `stream` one stream. */
  | { readonly kind: 'reset'; readonly basin: string; readonly stream: string | null }

/** Changes to the store as a whole: a namespace (or everything, namespace null) reset or restored. */
export type StoreWideChange = { readonly kind: 'reset_all' } | { readonly kind: 'restored' }

export type StoreChange = AccountChange | StoreWideChange

/**
 * Where the store reports its changes, synchronously, after each one is made. `namespace` is the
 * store's key for the account (opaque); null for a change to every namespace.
 */
export type ChangeSink = (namespace: string | null, change: StoreChange) => void
