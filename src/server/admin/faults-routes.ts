import type { Hono } from 'hono'
import { S2Error } from '../errors/index.ts'
import type { FaultRegistry } from '../faults/index.ts'
import { readJson } from '../http/request/json-body.ts'
import { empty, json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import type { JsonValue } from '../errors/index.ts'

const notFound = (id: string): S2Error =>
  new S2Error('fault_not_found', `no fault rule with id "${id}" is armed`, 404, {
    code: 'fault_not_found',
    message: `no fault rule with id "${id}" is armed`,
  })

/** `/_emulator/faults`: arm, list, inspect and remove fault rules; read and set the seed. */
export function faultRoutes(app: Hono<AppEnv>, faults: FaultRegistry): void {
  const view = (value: unknown): JsonValue => value as JsonValue
  app.get('/_emulator/faults', () => json(200, { seed: faults.seed, rules: view(faults.list()) }))
  app.post('/_emulator/faults', async (c) => json(201, view(faults.add(await readJson(c.req.raw)))))
  app.delete('/_emulator/faults', (c) => {
    const namespace = c.req.query('namespace')
    return json(200, { removed: faults.clear(namespace) })
  })
  app.get('/_emulator/faults/seed', () => json(200, { seed: faults.seed }))
  app.put('/_emulator/faults/seed', async (c) => {
    const body = await readJson(c.req.raw)
    const seed = typeof body === 'object' && body !== null ? (body as { seed?: unknown }).seed : undefined
    if (typeof seed !== 'number') throw new S2Error('bad_json', 'seed: required: an integer from 0 to 4294967295')
    faults.setSeed(seed)
    return json(200, { seed: faults.seed })
  })
  app.get('/_emulator/faults/:id', (c) => {
    const id = c.req.param('id')
    const rule = faults.get(id)
    if (!rule) throw notFound(id)
    return json(200, view(rule))
  })
  app.delete('/_emulator/faults/:id', (c) => {
    const id = c.req.param('id')
    if (!faults.remove(id)) throw notFound(id)
    return empty(204)
  })
}
