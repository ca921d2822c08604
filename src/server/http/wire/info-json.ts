import type { JsonValue } from '../../errors/index.ts'
import type { BasinState, StreamState } from '../../store/index.ts'

/** RFC 3339 in UTC, fractional seconds only when non-zero, as Rust's `time` crate prints them. */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString()
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso.replace(/0+Z$/, 'Z')
}

/** A basin's info; `location` is shown for a basin placed nowhere yet (cloud profile: seeded or loaded ones). */
export function encodeBasinInfo(basin: BasinState, location: string | null = null): JsonValue {
  return {
    name: basin.name,
    location: basin.location ?? location,
    created_at: rfc3339(basin.createdAt),
    deleted_at: basin.deletedAt === null ? null : rfc3339(basin.deletedAt),
    state: basin.deleting ? 'deleting' : 'active',
  }
}

/** A stream's info; `shown` is its name as the client sees it (without an access token's auto prefix). */
export function encodeStreamInfo(stream: StreamState, shown: string = stream.name): JsonValue {
  return {
    name: shown,
    created_at: rfc3339(stream.createdAt),
    deleted_at: stream.deletedAt === null ? null : rfc3339(stream.deletedAt),
    cipher: stream.cipher,
  }
}
