import type { Hono } from 'hono'
import type { Engine } from '../engine/index.ts'
import { S2Error, type JsonValue } from '../errors/index.ts'
import { empty, json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import { adminBody, optionalString } from './body.ts'

/** `/_emulator/snapshots`: take, list, inspect, restore and delete named in-memory snapshots. */
export function snapshotRoutes(app: Hono<AppEnv>, engine: Engine): void {
  const view = (value: unknown): JsonValue => value as JsonValue
  app.post('/_emulator/snapshots', async (c) => {
    const body = await adminBody(c.req.raw)
    const name = optionalString(body, 'name')
    if (name === undefined) throw new S2Error('bad_json', 'name: required: the name to keep the snapshot under')
    const namespace = optionalString(body, 'namespace') ?? null
    return json(201, view(engine.snapshots.take(name, namespace, engine.clock.now())))
  })
  app.get('/_emulator/snapshots', () => json(200, { snapshots: view(engine.snapshots.list()) }))
  app.get('/_emulator/snapshots/:name', (c) => {
    const name = c.req.param('name')
    engine.snapshots.get(name)
    return json(200, view(engine.snapshots.list().find((s) => s.name === name)))
  })
  app.post('/_emulator/snapshots/:name/restore', (c) => json(200, view(engine.restore(c.req.param('name')))))
  app.delete('/_emulator/snapshots/:name', (c) => {
    engine.snapshots.delete(c.req.param('name'))
    return empty(204)
  })
}
