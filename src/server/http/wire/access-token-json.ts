import type { JsonValue } from '../../errors/index.ts'
import { NONE, tokenIdFilterProblem, tokenIdProblem, type ReadWrite, type ResourceSet, type TokenScope } from '../../auth/scope.ts'
import { TOKEN_OPERATIONS, type OperationGroup, type TokenOperation } from '../../auth/operations.ts'
import { basinFilterProblem, basinNameProblem, streamFilterProblem, streamNameProblem } from '../../store/index.ts'
import { rfc3339 } from './info-json.ts'
import { array, bool, join, jsonError, object, optional, required, string } from './json-decode.ts'

/** JSON of access token scopes (s2 `api/src/v1/access.rs`), as issue requests give them and listings show them. */

type Kind = 'basin' | 'stream' | 'access token'

function exactProblem(kind: Kind, name: string): string | null {
  if (kind === 'basin') return basinNameProblem(name)
  if (kind === 'stream') return streamNameProblem(name)
  return tokenIdProblem(name)
}

function prefixProblem(kind: Kind, prefix: string): string | null {
  if (kind === 'basin') return basinFilterProblem('prefix', prefix)
  if (kind === 'stream') return streamFilterProblem('prefix', prefix)
  return tokenIdFilterProblem('prefix', prefix)
}

/** `{"exact": name}` or `{"prefix": prefix}` (serde's externally tagged enum), or null for none. */
function resourceSet(value: unknown, path: string, kind: Kind): ResourceSet {
  const obj = object(value, path, 'enum ResourceSet')
  const keys = Object.keys(obj)
  if (keys.length !== 1) throw jsonError(path, 'expected exactly one of `exact` or `prefix`')
  const key = keys[0] as string
  if (key !== 'exact' && key !== 'prefix') throw jsonError(path, `unknown variant \`${key}\`, expected \`exact\` or \`prefix\``)
  const text = string(obj[key], join(path, key))
  if (key === 'exact') {
    if (text === '') return NONE
    const problem = exactProblem(kind, text)
    if (problem) throw jsonError(join(path, key), problem)
    return { kind: 'exact', name: text }
  }
  const problem = prefixProblem(kind, text)
  if (problem) throw jsonError(join(path, key), problem)
  return { kind: 'prefix', prefix: text }
}

function readWrite(value: unknown, path: string): ReadWrite {
  const obj = object(value, path, 'struct ReadWritePermissions')
  return { read: optional(obj, 'read', path, bool) ?? false, write: optional(obj, 'write', path, bool) ?? false }
}

function operation(value: unknown, path: string): TokenOperation {
  const name = string(value, path)
  if (!(TOKEN_OPERATIONS as readonly string[]).includes(name)) {
    throw jsonError(path, `unknown variant \`${name}\`, expected one of ${TOKEN_OPERATIONS.map((o) => `\`${o}\``).join(', ')}`)
  }
  return name as TokenOperation
}

const NO_ACCESS: ReadWrite = Object.freeze({ read: false, write: false })

/** An `AccessTokenScope` as a request gives it; malformed ones are 400 bad_json naming the field. */
export function decodeScope(value: unknown, path: string): TokenScope {
  const obj = object(value, path, 'struct AccessTokenScope')
  const groups = optional(obj, 'op_groups', path, (v, p) => object(v, p, 'struct PermittedOperationGroups'))
  const groupsPath = join(path, 'op_groups')
  const group = (key: OperationGroup): ReadWrite => (groups ? (optional(groups, key, groupsPath, readWrite) ?? NO_ACCESS) : NO_ACCESS)
  const opList = optional(obj, 'ops', path, (v, p) => array(v, p, 'a sequence of operations')) ?? []
  const ops: TokenOperation[] = []
  opList.forEach((op, i) => {
    const name = operation(op, join(join(path, 'ops'), i))
    if (!ops.includes(name)) ops.push(name)
  })
  return {
    basins: optional(obj, 'basins', path, (v, p) => resourceSet(v, p, 'basin')) ?? NONE,
    streams: optional(obj, 'streams', path, (v, p) => resourceSet(v, p, 'stream')) ?? NONE,
    accessTokens: optional(obj, 'access_tokens', path, (v, p) => resourceSet(v, p, 'access token')) ?? NONE,
    opGroups: { account: group('account'), basin: group('basin'), stream: group('stream') },
    ops: TOKEN_OPERATIONS.filter((op) => ops.includes(op)),
  }
}

function encodeSet(set: ResourceSet): JsonValue {
  if (set.kind === 'none') return null
  return set.kind === 'exact' ? { exact: set.name } : { prefix: set.prefix }
}

/** A scope as the service lists it: unset resource sets are null, groups and ops always present. */
export function encodeScope(scope: TokenScope): JsonValue {
  const rw = (p: ReadWrite): JsonValue => ({ read: p.read, write: p.write })
  return {
    basins: encodeSet(scope.basins),
    streams: encodeSet(scope.streams),
    access_tokens: encodeSet(scope.accessTokens),
    op_groups: { account: rw(scope.opGroups.account), basin: rw(scope.opGroups.basin), stream: rw(scope.opGroups.stream) },
    ops: [...scope.ops],
  }
}

/** An issue request (`IssueAccessTokenRequest`), checked as serde would: structure only. */
export interface IssueRequest {
  readonly id: string
  /** ms since the epoch, or null when the request leaves it to the issuer's expiry. */
  readonly expiresAt: number | null
  readonly autoPrefixStreams: boolean
  readonly scope: TokenScope
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function rfc3339Time(value: unknown, path: string): number {
  const text = string(value, path)
  const ms = RFC3339.test(text) ? Date.parse(text.toUpperCase()) : NaN
  if (!Number.isFinite(ms)) throw jsonError(path, `invalid RFC 3339 date-time: ${JSON.stringify(text)}`)
  return ms
}

export function decodeIssueRequest(value: unknown): IssueRequest {
  const obj = object(value, '', 'struct IssueAccessTokenRequest')
  const id = string(required(obj, 'id', ''), 'id')
  const problem = tokenIdProblem(id)
  if (problem) throw jsonError('id', problem)
  const expiresAt = optional(obj, 'expires_at', '', rfc3339Time) ?? null
  const autoPrefixStreams = optional(obj, 'auto_prefix_streams', '', bool) ?? false
  return { id, expiresAt, autoPrefixStreams, scope: decodeScope(required(obj, 'scope', ''), 'scope') }
}

/** `AccessTokenInfo` as listings show it (never the token itself). */
export function encodeTokenInfo(token: { id: string; expiresAt: number | null; autoPrefixStreams: boolean; scope: TokenScope }): JsonValue {
  return {
    id: token.id,
    expires_at: token.expiresAt === null ? null : rfc3339(token.expiresAt),
    auto_prefix_streams: token.autoPrefixStreams,
    scope: encodeScope(token.scope),
  }
}
