import { randomBytes } from 'node:crypto'
import { S2Error } from '../errors/index.ts'
import { listPage, type ListOptions, type Page } from '../store/index.ts'
import type { TokenOperation } from './operations.ts'
import { effectiveOps, type TokenScope } from './scope.ts'

/** An access token issued through the API: its id, scope and expiry, and the secret that carries them. */
export interface IssuedToken {
  readonly id: string
  /** The namespace it was issued in, and acts in. */
  readonly namespace: string
  /** The bearer token itself; never listed. */
  readonly secret: string
  readonly scope: TokenScope
  /** Its `ops` and the operations of its groups. */
  readonly ops: ReadonlySet<TokenOperation>
  /** Expiry on the namespace's clock (ms since the epoch), or null for none. */
  readonly expiresAt: number | null
  readonly autoPrefixStreams: boolean
}

export interface IssueInput {
  readonly id: string
  readonly scope: TokenScope
  readonly expiresAt: number | null
  readonly autoPrefixStreams: boolean
}

const tokenExists = (id: string): S2Error => new S2Error('resource_already_exists', `access token \`${id}\` already exists`)

/**
 * The access tokens issued in every namespace, by namespace and id, and by secret (how a request
 * finds its token). Revoking removes a token at once; its id may then be issued again.
 */
export class AccessTokens {
  readonly #bySecret = new Map<string, IssuedToken>()
  readonly #byNamespace = new Map<string, Map<string, IssuedToken>>()
  /** Ids of revoked tokens by secret, so a request with one is told why it is refused. */
  readonly #revoked = new Map<string, string>()

  issue(namespace: string, input: IssueInput): IssuedToken {
    let ids = this.#byNamespace.get(namespace)
    if (ids?.has(input.id)) throw tokenExists(input.id)
    const token: IssuedToken = {
      id: input.id,
      namespace,
      secret: `s2e_at_${randomBytes(24).toString('base64url')}`,
      scope: input.scope,
      ops: effectiveOps(input.scope),
      expiresAt: input.expiresAt,
      autoPrefixStreams: input.autoPrefixStreams,
    }
    if (ids === undefined) {
      ids = new Map()
      this.#byNamespace.set(namespace, ids)
    }
    ids.set(token.id, token)
    this.#bySecret.set(token.secret, token)
    return token
  }

  /** Removes a token; undefined if the namespace has none by that id. */
  revoke(namespace: string, id: string): IssuedToken | undefined {
    const token = this.#remove(namespace, id)
    if (token !== undefined) this.#revoked.set(token.secret, token.id)
    return token
  }

  #remove(namespace: string, id: string): IssuedToken | undefined {
    const token = this.#byNamespace.get(namespace)?.get(id)
    if (token === undefined) return undefined
    this.#byNamespace.get(namespace)?.delete(id)
    this.#bySecret.delete(token.secret)
    return token
  }

  /** The id of the token a revoked secret belonged to. */
  revokedId(secret: string): string | undefined {
    return this.#revoked.get(secret)
  }

  bySecret(secret: string): IssuedToken | undefined {
    return this.#bySecret.get(secret)
  }

  /** A page of a namespace's tokens in id order (UTF-8 byte order, as S2 lists names). */
  list(namespace: string, options: ListOptions): Page<IssuedToken> {
    return listPage(this.#byNamespace.get(namespace) ?? new Map(), options)
  }

  /** Every token of a namespace (or of every namespace), in id order. */
  all(namespace?: string): IssuedToken[] {
    const namespaces = namespace === undefined ? [...this.#byNamespace.keys()] : [namespace]
    return namespaces.flatMap((ns) => listPage(this.#byNamespace.get(ns) ?? new Map(), { prefix: '', startAfter: '', limit: Infinity }).items)
  }

  /** Forgets every token of a namespace, or of every namespace (as a reset forgets data). */
  clear(namespace?: string): void {
    for (const token of this.all(namespace)) this.#remove(token.namespace, token.id)
    if (namespace === undefined) this.#revoked.clear()
  }
}
