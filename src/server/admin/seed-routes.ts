import { S2Error } from '../errors/index.ts'
import { readJson } from '../http/request/json-body.ts'
import { json } from '../http/respond.ts'
import { InitSpecError, parseInitSpec } from '../seed/index.ts'
import type { Mount } from './scope.ts'

/** `.../init`: applies an init spec (s2-lite's init file format) at runtime, with ensure semantics. */
export function seedRoutes({ app, prefix, scopeOf }: Mount): void {
  app.post(`${prefix}/init`, async (c) => {
    const scope = scopeOf(c)
    const body = await readJson(c.req.raw)
    let plan
    try {
      plan = parseInitSpec(body)
    } catch (error) {
      if (!(error instanceof InitSpecError)) throw error
      throw new S2Error('bad_json', `invalid init spec: ${error.message}`)
    }
    const result = scope.init(plan)
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
