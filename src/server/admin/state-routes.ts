import { S2Error } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import { adminBody, optionalString } from './body.ts'
import type { Mount } from './scope.ts'

/** `.../reset`: removes the scope's state at once, or one basin or stream of it. */
export function stateRoutes({ app, prefix, scopeOf }: Mount): void {
  app.post(`${prefix}/reset`, async (c) => {
    const scope = scopeOf(c)
    const body = await adminBody(c.req.raw)
    const basin = optionalString(body, 'basin')
    const stream = optionalString(body, 'stream')
    for (const key of Object.keys(body)) {
      if (key === 'namespace') {
        throw new S2Error('bad_json', "namespace: a namespace is reset through its own routes: POST /_emulator/namespaces/{name}/reset")
      }
      if (!['basin', 'stream'].includes(key)) throw new S2Error('bad_json', `${key}: unknown field; a reset takes "basin" and "stream"`)
    }
    if (stream !== undefined && basin === undefined) throw new S2Error('bad_json', 'stream: needs "basin" too')
    const faultsRemoved = scope.reset({ basin, stream })
    return json(200, { reset: { namespace: scope.namespace, basin: basin ?? null, stream: stream ?? null }, faultsRemoved })
  })
}
