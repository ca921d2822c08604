import type { Hono } from 'hono'
import type { Engine } from '../engine/index.ts'
import { S2Error } from '../errors/index.ts'
import { readJson } from '../http/request/json-body.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import { applyInitPlan, InitSpecError, parseInitSpec } from '../seed/index.ts'

/** `POST /_emulator/init`: applies an init spec (s2-lite's init file format) at runtime, with ensure semantics. */
export function seedRoutes(app: Hono<AppEnv>, engine: Engine): void {
  app.post('/_emulator/init', async (c) => {
    const body = await readJson(c.req.raw)
    let plan
    try {
      plan = parseInitSpec(body)
    } catch (error) {
      if (!(error instanceof InitSpecError)) throw error
      throw new S2Error('bad_json', `invalid init spec: ${error.message}`)
    }
    const result = applyInitPlan(engine.store.account(plan.namespace), plan, engine.clock.now())
    return json(200, {
      namespace: result.namespace,
      basins: result.basins.map((b) => ({
        name: b.name,
        result: b.result,
        streams: b.streams.map((s) => ({ name: s.name, result: s.result })),
      })),
    })
  })
}
