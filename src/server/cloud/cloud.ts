import { Access } from '../auth/access.ts'
import { AccessTokens } from '../auth/tokens.ts'
import { S2Error } from '../errors/index.ts'
import { bearerToken, type NamespaceDirectory } from '../namespaces/directory.ts'
import { DEFAULT_NAMESPACE } from '../namespaces/names.ts'
import { Usage } from '../usage/usage.ts'
import { Locations } from './locations.ts'

const authn = (message: string): S2Error => new S2Error('authn', message)

/**
 * The state of the cloud profile: the access tokens issued in each namespace, each namespace's
 * usage (for the metrics API) and default location, and how a request's bearer token is
 * authenticated. The lite profile has none of it (routes see `cloud` undefined).
 *
 * A namespace's root token may do everything in it: without isolation, the configured root token
 * acts in `default`; with isolation, every namespace's own token (createNamespace's, the
 * configured root token's) is its root token. Issued tokens act in the namespace that issued them.
 */
export class Cloud {
  readonly rootToken: string
  readonly tokens = new AccessTokens()
  readonly usage = new Usage()
  readonly locations = new Locations()
  readonly #directory: NamespaceDirectory
  readonly #now: (namespace: string) => number
  readonly #connections = new WeakMap<object, number>()
  #nextConnection = 1

  constructor(rootToken: string, directory: NamespaceDirectory, now: (namespace: string) => number) {
    this.rootToken = rootToken
    this.#directory = directory
    this.#now = now
    if (directory.isolation === 'token') directory.enter(rootToken)
  }

  /** The namespace and rights of a request with this `Authorization` header; 401 `authn` if it has none. */
  authenticate(authorization: string | undefined): Access {
    const token = bearerToken(authorization)
    if (token === '') throw authn('missing access token: send it as `Authorization: Bearer <token>`')
    const issued = this.tokens.bySecret(token)
    if (issued !== undefined) {
      const expiresAt = issued.expiresAt
      if (expiresAt !== null && this.#now(issued.namespace) >= expiresAt) {
        throw authn(`access token \`${issued.id}\` expired at ${new Date(expiresAt).toISOString()}`)
      }
      return new Access(issued.namespace, issued)
    }
    const revoked = this.tokens.revokedId(token)
    if (revoked !== undefined) throw authn(`access token \`${revoked}\` has been revoked`)
    if (this.#directory.isolation === 'none') {
      if (token === this.rootToken) return new Access(DEFAULT_NAMESPACE, null)
    } else {
      const name = this.#directory.existing(token)
      if (name !== undefined) return new Access(name, null)
    }
    throw authn('invalid access token')
  }

  now(namespace: string): number {
    return this.#now(namespace)
  }

  /** A number for the connection a request came on (an append or read operation is per connection). */
  connectionId(connection: object | undefined): number {
    if (connection === undefined) return this.#nextConnection++
    let id = this.#connections.get(connection)
    if (id === undefined) {
      id = this.#nextConnection++
      this.#connections.set(connection, id)
    }
    return id
  }

  /** Forgets a namespace's tokens, usage and default location (a reset or drop), or every namespace's. */
  forget(namespace?: string): void {
    this.tokens.clear(namespace)
    this.usage.clear(namespace)
    this.locations.clear(namespace)
  }
}
