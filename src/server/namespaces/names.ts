import { createHash, randomBytes } from 'node:crypto'

/**
 * Namespace names. A namespace is entered with a bearer token (the secret a client sends); the
 * admin API, the journal and snapshot files name it by a digest of that token instead, so nothing
 * that lists namespaces ever shows a token. The namespace of requests without a token (and of
 * every request while isolation is off) is `default`.
 */

export const DEFAULT_NAMESPACE = 'default'

const NAME = /^(default|ns-[0-9a-f]{20})$/

/** The name of the namespace a bearer token enters: `default` for none, else `ns-` and 20 hex digits of its SHA-256. */
export function namespaceName(token: string): string {
  if (token === '') return DEFAULT_NAMESPACE
  return `ns-${createHash('sha256').update(token).digest('hex').slice(0, 20)}`
}

export function isNamespaceName(value: string): boolean {
  return NAME.test(value)
}

/** Why a string is not a namespace name (with the likely mistake), or null if it is one. */
export function namespaceNameProblem(value: string): string | null {
  if (isNamespaceName(value)) return null
  return `"${value.length > 64 ? `${value.slice(0, 64)}...` : value}" is not a namespace name: names are "default" or "ns-" and 20 hex digits (a digest of the token); to name a token's namespace, use emulator.namespace(token), or namespaceName(token)`
}

/** A fresh, unguessable bearer token for a namespace made by createNamespace. */
export function newNamespaceToken(): string {
  return `s2e_${randomBytes(18).toString('base64url')}`
}
