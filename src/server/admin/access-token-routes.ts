import { tokenIdProblem } from '../auth/scope.ts'
import type { IssuedToken } from '../auth/tokens.ts'
import type { Cloud } from '../cloud/cloud.ts'
import { S2Error, type JsonValue } from '../errors/index.ts'
import { empty, json } from '../http/respond.ts'
import { encodeTokenInfo } from '../http/wire/access-token-json.ts'
import { DEFAULT_NAMESPACE, namespaceNameProblem } from '../namespaces/names.ts'
import type { Mount } from './scope.ts'

/** A token as the admin API lists it: its info as the S2 API lists it, its namespace, and whether it has expired. Never the token. */
function view(cloud: Cloud, token: IssuedToken): JsonValue {
  const expired = token.expiresAt !== null && cloud.now(token.namespace) >= token.expiresAt
  return { namespace: token.namespace, ...(encodeTokenInfo(token) as Record<string, JsonValue>), expired }
}

/**
 * `.../access-tokens`: the access tokens issued in a namespace (or in every namespace), listed by
 * id, and revoked. The tokens themselves are never shown. The lite profile has none.
 */
export function accessTokenAdminRoutes({ app, prefix, scopeOf }: Mount, cloud: Cloud | undefined): void {
  const profile = cloud === undefined ? 'lite' : 'cloud'
  app.get(`${prefix}/access-tokens`, (c) => {
    const { namespace } = scopeOf(c)
    const tokens = cloud === undefined ? [] : cloud.tokens.all(namespace ?? undefined).map((t) => view(cloud, t))
    return json(200, { profile, tokens })
  })
  app.delete(`${prefix}/access-tokens/:id`, (c) => {
    const scope = scopeOf(c)
    const id = c.req.param('id') as string
    const problem = tokenIdProblem(id)
    if (problem) throw new S2Error('bad_path', problem)
    const asked = c.req.query('namespace')
    if (asked !== undefined && scope.namespace !== null) {
      throw new S2Error('bad_query', "namespace: this is a namespace's route; name a namespace only in /_emulator/access-tokens/{id}")
    }
    if (asked !== undefined && namespaceNameProblem(asked) !== null) throw new S2Error('bad_query', `namespace: ${namespaceNameProblem(asked)}`)
    const namespace = scope.namespace ?? asked ?? DEFAULT_NAMESPACE
    if (cloud?.tokens.revoke(namespace, id) === undefined) {
      const where = cloud === undefined ? 'this emulator runs the lite profile, which has no access tokens' : `namespace ${namespace} has none by that id`
      throw new S2Error('access_token_not_found', `access token \`${id}\` not found: ${where}`)
    }
    return empty(204)
  })
}
