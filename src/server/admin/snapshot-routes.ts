import { S2Error, type JsonValue } from '../errors/index.ts'
import { empty, json } from '../http/respond.ts'
import { adminBody, optionalString } from './body.ts'
import type { Mount } from './scope.ts'

const view = (value: unknown): JsonValue => value as JsonValue

/** `.../snapshots`: take, list, inspect, restore and delete the scope's named in-memory snapshots. */
export function snapshotRoutes({ app, prefix, scopeOf }: Mount): void {
  const base = `${prefix}/snapshots`
  app.post(base, async (c) => {
    const scope = scopeOf(c)
    const body = await adminBody(c.req.raw)
    if (body.namespace !== undefined) {
      throw new S2Error('bad_json', "namespace: a namespace's snapshots are taken through its own routes: POST /_emulator/namespaces/{name}/snapshots")
    }
    const name = optionalString(body, 'name')
    if (name === undefined) throw new S2Error('bad_json', 'name: required: the name to keep the snapshot under')
    return json(201, view(scope.snapshots.take(name, scope.clock.now())))
  })
  app.get(base, (c) => json(200, { snapshots: view(scopeOf(c).snapshots.list()) }))
  app.get(`${base}/:name`, (c) => json(200, view(scopeOf(c).snapshots.info(c.req.param('name')))))
  app.post(`${base}/:name/restore`, (c) => json(200, view(scopeOf(c).restore(c.req.param('name')))))
  app.delete(`${base}/:name`, (c) => {
    scopeOf(c).snapshots.delete(c.req.param('name'))
    return empty(204)
  })
}
