import { S2Error } from '../errors/index.ts'
import { DEFAULT_NAMESPACE, namespaceName, newNamespaceToken } from './names.ts'

export type Isolation = 'none' | 'token'

/** What the directory knows of a namespace besides its state. */
export interface NamespaceEntry {
  readonly name: string
  /** A label given when it was created, for people reading listings. */
  readonly label: string | null
  /** `api`: made by createNamespace; `token`: came into being when its token was first used. */
  readonly origin: 'api' | 'token'
}

/** The bearer token of an `Authorization` header (the whole value when it is not `Bearer ...`). */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined) return ''
  const match = /^Bearer\s+(.*)$/i.exec(authorization.trim())
  return match ? (match[1] as string) : authorization.trim()
}

export const isolationOff = (): S2Error => {
  const message =
    "namespaces need token isolation, and this emulator runs with isolation 'none' (one namespace for every token, as s2-lite): start it with isolation: 'token' (CLI --isolation token)"
  return new S2Error('isolation_off', message, 409, { code: 'isolation_off', message })
}

/**
 * Which namespace a request acts in. With isolation `token`, each bearer token has its own namespace,
 * named by a digest of the token; without isolation, every request acts in `default`. Names of
 * tokens are computed once and remembered, so a request pays one map lookup.
 */
export class NamespaceDirectory {
  readonly isolation: Isolation
  readonly #nameOfToken = new Map<string, string>()
  readonly #entries = new Map<string, NamespaceEntry>()

  constructor(isolation: Isolation) {
    this.isolation = isolation
  }

  /** The namespace of a request, from its `Authorization` header: read only with token isolation. */
  ofRequest(headers: Headers): string {
    return this.isolation === 'token' ? this.enter(bearerToken(headers.get('authorization') ?? undefined)) : DEFAULT_NAMESPACE
  }

  /** The namespace a token enters, which comes into being if it is new. */
  enter(token: string): string {
    let name = this.#nameOfToken.get(token)
    if (name === undefined) {
      name = namespaceName(token)
      this.#nameOfToken.set(token, name)
    }
    if (!this.#entries.has(name)) this.#entries.set(name, { name, label: null, origin: 'token' })
    return name
  }

  /**
   * The namespace of a token if it already exists (made by createNamespace, by a handle's control,
   * or by an earlier request), without bringing a new one into being: the cloud profile accepts
   * only tokens it knows.
   */
  existing(token: string): string | undefined {
    if (token === '') return undefined
    const name = this.#nameOfToken.get(token) ?? namespaceName(token)
    return this.#entries.has(name) ? name : undefined
  }

  /**
   * Makes a fresh namespace and returns its name and token (a new random one unless `token` is
   * given). A 409 if isolation is off, or if the token's namespace is already in use.
   */
  create(options: { token?: string | undefined; label?: string | undefined }, inUse: (name: string) => boolean): { name: string; token: string } {
    if (this.isolation !== 'token') throw isolationOff()
    const token = options.token ?? newNamespaceToken()
    const name = namespaceName(token)
    if (this.#entries.has(name) || inUse(name)) {
      const message = `the namespace of this token (${name}) is already in use: drop it first, or let createNamespace make a new token`
      throw new S2Error('namespace_exists', message, 409, { code: 'namespace_exists', message })
    }
    this.#nameOfToken.set(token, name)
    this.#entries.set(name, { name, label: options.label ?? null, origin: 'api' })
    return { name, token }
  }

  /** Records a namespace that exists without its token having been seen (e.g. loaded from a snapshot file). */
  note(name: string): void {
    if (!this.#entries.has(name)) this.#entries.set(name, { name, label: null, origin: 'token' })
  }

  entry(name: string): NamespaceEntry | undefined {
    return this.#entries.get(name)
  }

  names(): string[] {
    return [...this.#entries.keys()]
  }

  /** Forgets a namespace; its token enters a fresh one next time. */
  forget(name: string): void {
    this.#entries.delete(name)
  }

  /** Forgets every namespace. */
  clear(): void {
    this.#entries.clear()
  }
}
