import { S2Error } from '../errors/index.ts'
import type { TokenOperation } from './operations.ts'
import { matches, ROOT_SCOPE, type ResourceSet, type TokenScope } from './scope.ts'
import type { IssuedToken } from './tokens.ts'

const denied = (message: string): S2Error => new S2Error('permission_denied', message)

/** What a listing may show under a scope: narrowed filters, or null when nothing can match. */
export interface ScopedListing {
  readonly prefix: string
  readonly startAfter: string
  /** Set for an exact scope: the only name that may be listed. */
  readonly only: string | null
}

/**
 * Narrows a listing's `prefix` to a resource set: the longer of the two prefixes when one extends
 * the other, the exact name when the set is exact, and nothing when they cannot meet.
 */
export function narrowListing(set: ResourceSet, prefix: string, startAfter: string): ScopedListing | null {
  switch (set.kind) {
    case 'none':
      return null
    case 'exact':
      return set.name.startsWith(prefix) ? { prefix: set.name, startAfter, only: set.name } : null
    case 'prefix':
      if (prefix.startsWith(set.prefix)) return { prefix, startAfter, only: null }
      if (set.prefix.startsWith(prefix)) return { prefix: set.prefix, startAfter, only: null }
      return null
  }
}

/**
 * What one request may do, in the cloud profile: the namespace its token acts in, and the token
 * (null for the namespace's root token, which may do everything). Routes ask it before acting on
 * an operation, a basin, a stream or a token id, and it throws 403 `permission_denied`.
 */
export class Access {
  readonly namespace: string
  readonly token: IssuedToken | null

  constructor(namespace: string, token: IssuedToken | null) {
    this.namespace = namespace
    this.token = token
  }

  get scope(): TokenScope {
    return this.token?.scope ?? ROOT_SCOPE
  }

  /** The prefix `auto_prefix_streams` adds to stream names (and strips from listings); '' without it. */
  get streamPrefix(): string {
    const token = this.token
    return token !== null && token.autoPrefixStreams && token.scope.streams.kind === 'prefix' ? token.scope.streams.prefix : ''
  }

  allows(op: TokenOperation): boolean {
    return this.token === null || this.token.ops.has(op)
  }

  require(op: TokenOperation): void {
    if (!this.allows(op)) throw denied(`operation \`${op}\` is not permitted by access token \`${this.token?.id}\``)
  }

  basin(name: string): void {
    if (this.token !== null && !matches(this.token.scope.basins, name)) {
      throw denied(`basin \`${name}\` is outside the scope of access token \`${this.token.id}\``)
    }
  }

  /** The stream a request names, as stored (auto-prefixed), after checking it is in scope. */
  stream(name: string): string {
    if (this.token === null) return name
    const full = this.streamPrefix + name
    if (!matches(this.token.scope.streams, full)) {
      throw denied(`stream \`${full}\` is outside the scope of access token \`${this.token.id}\``)
    }
    return full
  }

  /** A stored stream name as this token's client sees it (without its auto prefix). */
  shownStream(name: string): string {
    const prefix = this.streamPrefix
    return prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name
  }

  tokenId(id: string): void {
    if (this.token !== null && !matches(this.token.scope.accessTokens, id)) {
      throw denied(`access token id \`${id}\` is outside the scope of access token \`${this.token.id}\``)
    }
  }
}
