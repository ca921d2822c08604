import type { Access } from '../../auth/access.ts'
import { effectiveOps, tokenIdFilterProblem, tokenIdProblem, within } from '../../auth/scope.ts'
import type { Cloud } from '../../cloud/cloud.ts'
import { errors, S2Error } from '../../errors/index.ts'
import { readS2Json } from '../request/json-body.ts'
import { pathSegment } from '../request/path.ts'
import { empty, json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'
import { decodeIssueRequest, encodeTokenInfo, type IssueRequest } from '../wire/access-token-json.ts'
import { listQuery } from './list-query.ts'
import { scopedPage } from './scoped-list.ts'

/**
 * `/v1/access-tokens`. Requests are checked as s2-lite checks them first (400s); then the lite
 * profile answers 501 `not_implemented`, as s2-lite does, and the cloud profile issues, lists and
 * revokes tokens as the service does.
 */

const denied = (message: string): S2Error => new S2Error('permission_denied', message)

function pathTokenId(c: AppContext): string {
  const id = pathSegment(c.req.path, 3)
  const problem = tokenIdProblem(id)
  if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
  return id
}

/** The service's checks of a well-formed request: 422 for what cannot be, 403 for what the issuer may not grant. */
function checkIssue(request: IssueRequest, access: Access, now: number): number | null {
  const { scope } = request
  if (request.autoPrefixStreams && scope.streams.kind !== 'prefix') {
    throw errors.invalid('auto_prefix_streams requires the stream scope to be a prefix')
  }
  if (effectiveOps(scope).size === 0) throw errors.invalid('the scope must permit at least one operation (ops or op_groups)')
  const issuer = access.token
  // Without expires_at a token expires with the token that issued it (the root token never does).
  const expiresAt = request.expiresAt ?? issuer?.expiresAt ?? null
  if (request.expiresAt !== null && request.expiresAt <= now) throw errors.invalid('expires_at must be in the future')
  if (issuer === null) return expiresAt
  if (issuer.expiresAt !== null && (expiresAt === null || expiresAt > issuer.expiresAt)) {
    throw denied(`a token issued by access token \`${issuer.id}\` cannot expire after it (${new Date(issuer.expiresAt).toISOString()})`)
  }
  const extra = [...effectiveOps(scope)].filter((op) => !issuer.ops.has(op))
  if (extra.length > 0) {
    throw denied(`access token \`${issuer.id}\` cannot grant operations it does not have: ${extra.map((o) => `\`${o}\``).join(', ')}`)
  }
  for (const [key, label] of [['basins', 'basins'], ['streams', 'streams'], ['accessTokens', 'access tokens']] as const) {
    if (!within(scope[key], issuer.scope[key])) {
      throw denied(`access token \`${issuer.id}\` cannot grant ${label} outside its own scope`)
    }
  }
  return expiresAt
}

function cloudOf(cloud: Cloud | undefined): Cloud {
  if (cloud === undefined) throw errors.notImplemented()
  return cloud
}

export function accessTokenRoutes({ cloud }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/access-tokens',
      operation: 'list_access_tokens',
      handler: (c) => {
        const query = listQuery(c.req.url, (field, value) => tokenIdFilterProblem(field, value))
        const tokens = cloudOf(cloud).tokens
        const access = c.get('access') as Access
        const page = scopedPage(access.scope.accessTokens, query, (q) => tokens.list(access.namespace, q), (t) => t.id)
        return json(200, { access_tokens: page.items.map(encodeTokenInfo), has_more: page.hasMore })
      },
    },
    {
      method: 'POST',
      path: '/v1/access-tokens',
      operation: 'issue_access_token',
      handler: async (c) => {
        const request = decodeIssueRequest(await readS2Json(c.req.raw))
        const state = cloudOf(cloud)
        const access = c.get('access') as Access
        access.tokenId(request.id)
        const expiresAt = checkIssue(request, access, state.now(access.namespace))
        const token = state.tokens.issue(access.namespace, { ...request, expiresAt })
        return json(201, { access_token: token.secret })
      },
    },
    {
      method: 'DELETE',
      path: '/v1/access-tokens/:id',
      operation: 'revoke_access_token',
      handler: (c) => {
        const id = pathTokenId(c)
        const state = cloudOf(cloud)
        const access = c.get('access') as Access
        access.tokenId(id)
        if (state.tokens.revoke(access.namespace, id) === undefined) {
          throw new S2Error('access_token_not_found', `access token \`${id}\` not found`)
        }
        return empty(204)
      },
    },
  ]
}
