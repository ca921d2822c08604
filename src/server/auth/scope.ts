import { utf8Length } from '../store/index.ts'
import { OPERATION_GROUPS, TOKEN_OPERATIONS, type OperationGroup, type TokenOperation } from './operations.ts'

/**
 * An access token's scope (s2 `api/src/v1/access.rs`): which basins, streams and token ids it may
 * touch, and which operations it may perform. A missing resource set matches nothing, as does
 * `{"exact": ""}`; `{"prefix": ""}` matches everything.
 */

export type ResourceSet =
  | { readonly kind: 'none' }
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'prefix'; readonly prefix: string }

export interface ReadWrite {
  readonly read: boolean
  readonly write: boolean
}

export interface TokenScope {
  readonly basins: ResourceSet
  readonly streams: ResourceSet
  readonly accessTokens: ResourceSet
  readonly opGroups: Readonly<Record<OperationGroup, ReadWrite>>
  /** The operations listed one by one (`ops`); {@link effectiveOps} adds the groups' ones. */
  readonly ops: readonly TokenOperation[]
}

export const NONE: ResourceSet = Object.freeze({ kind: 'none' })
export const ALL: ResourceSet = Object.freeze({ kind: 'prefix', prefix: '' })

/** A root token's scope: every resource, every operation. */
export const ROOT_SCOPE: TokenScope = Object.freeze({
  basins: ALL,
  streams: ALL,
  accessTokens: ALL,
  opGroups: Object.freeze({
    account: { read: true, write: true },
    basin: { read: true, write: true },
    stream: { read: true, write: true },
  }),
  ops: [...TOKEN_OPERATIONS],
})

export function matches(set: ResourceSet, name: string): boolean {
  switch (set.kind) {
    case 'none':
      return false
    case 'exact':
      return set.name === name
    case 'prefix':
      return name.startsWith(set.prefix)
  }
}

/** Whether every name `inner` matches is matched by `outer` (no escalation when issuing a token). */
export function within(inner: ResourceSet, outer: ResourceSet): boolean {
  if (inner.kind === 'none') return true
  if (outer.kind === 'none') return false
  if (outer.kind === 'exact') return inner.kind === 'exact' && inner.name === outer.name
  return inner.kind === 'exact' ? inner.name.startsWith(outer.prefix) : inner.prefix.startsWith(outer.prefix)
}

/** The operations a scope allows: its `ops` and those of its permitted groups. */
export function effectiveOps(scope: TokenScope): Set<TokenOperation> {
  const ops = new Set<TokenOperation>(scope.ops)
  for (const op of TOKEN_OPERATIONS) {
    const [group, side] = OPERATION_GROUPS[op]
    if (scope.opGroups[group][side]) ops.add(op)
  }
  return ops
}

const TOKEN_ID_MAX = 96

/** Why a string is not an access token id (s2 `common/src/access.rs`), or null. */
export function tokenIdProblem(id: string, field = 'id'): string | null {
  if (id === '') return `access token ${field} must not be empty`
  if (id === '.' || id === '..') return `access token ${field} must not be "." or ".."`
  if (utf8Length(id) > TOKEN_ID_MAX) return `access token ${field} must not exceed ${TOKEN_ID_MAX} bytes in length`
  return null
}

/** A `prefix` or `start_after` filter of token ids: at most 96 bytes. */
export function tokenIdFilterProblem(field: string, value: string): string | null {
  return utf8Length(value) > TOKEN_ID_MAX ? `access token ${field} must not exceed ${TOKEN_ID_MAX} bytes in length` : null
}
