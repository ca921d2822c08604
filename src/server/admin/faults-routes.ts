import { S2Error, type JsonValue } from '../errors/index.ts'
import { readJson } from '../http/request/json-body.ts'
import { empty, json } from '../http/respond.ts'
import type { Mount } from './scope.ts'

const notFound = (id: string): S2Error =>
  new S2Error('fault_not_found', `no fault rule with id "${id}" is armed`, 404, {
    code: 'fault_not_found',
    message: `no fault rule with id "${id}" is armed`,
  })

const view = (value: unknown): JsonValue => value as JsonValue

/** `.../faults`: arm, list, inspect and remove fault rules; read and set the seed. */
export function faultRoutes({ app, prefix, scopeOf }: Mount): void {
  const base = `${prefix}/faults`
  app.get(base, (c) => {
    const { faults } = scopeOf(c)
    return json(200, { seed: faults.seed, rules: view(faults.list()) })
  })
  app.post(base, async (c) => {
    const scope = scopeOf(c)
    return json(201, view(scope.addFault(await readJson(c.req.raw))))
  })
  app.delete(base, (c) => {
    if (c.req.query('namespace') !== undefined) {
      throw new S2Error('bad_query', "namespace: a namespace's rules are cleared through its own routes: DELETE /_emulator/namespaces/{name}/faults")
    }
    return json(200, { removed: scopeOf(c).faults.clear() })
  })
  app.get(`${base}/seed`, (c) => json(200, { seed: scopeOf(c).faults.seed }))
  app.put(`${base}/seed`, async (c) => {
    const { faults } = scopeOf(c)
    const body = await readJson(c.req.raw)
    const seed = typeof body === 'object' && body !== null ? (body as { seed?: unknown }).seed : undefined
    if (typeof seed !== 'number') throw new S2Error('bad_json', 'seed: required: an integer from 0 to 4294967295')
    faults.setSeed(seed)
    return json(200, { seed: faults.seed })
  })
  app.get(`${base}/:id`, (c) => {
    const id = c.req.param('id')
    const rule = scopeOf(c).faults.get(id)
    if (!rule) throw notFound(id)
    return json(200, view(rule))
  })
  app.delete(`${base}/:id`, (c) => {
    const id = c.req.param('id')
    if (!scopeOf(c).faults.remove(id)) throw notFound(id)
    return empty(204)
  })
}
