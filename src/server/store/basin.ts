import type { BasinConfig } from './config.ts'
import type { StreamState } from './stream.ts'

export class BasinState {
  readonly name: string
  readonly createdAt: number
  deletedAt: number | null = null
  config: BasinConfig
  /** Set when created by a POST carrying `s2-request-token`; kept across ensures. */
  readonly idempotencyKey: string | null
  /** Where it was placed (the cloud profile's locations); null in the lite profile, as in s2-lite. */
  location: string | null = null
  readonly streams = new Map<string, StreamState>()

  constructor(name: string, config: BasinConfig, idempotencyKey: string | null, now: number) {
    this.name = name
    this.config = config
    this.idempotencyKey = idempotencyKey
    this.createdAt = now
  }

  get deleting(): boolean {
    return this.deletedAt !== null
  }

  /** A copy whose streams are copies (see {@link StreamState.clone}). */
  clone(): BasinState {
    const copy = new BasinState(this.name, this.config, this.idempotencyKey, this.createdAt)
    copy.deletedAt = this.deletedAt
    copy.location = this.location
    for (const [name, stream] of this.streams) copy.streams.set(name, stream.clone())
    return copy
  }
}
