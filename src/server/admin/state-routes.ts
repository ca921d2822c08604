import type { Hono } from 'hono'
import type { Engine } from '../engine/index.ts'
import { S2Error } from '../errors/index.ts'
import type { FaultRegistry } from '../faults/index.ts'
import type { Journal } from '../journal/journal.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import { adminBody, optionalString } from './body.ts'

/** `/_emulator/reset` and `/_emulator/namespaces`. */
export function stateRoutes(app: Hono<AppEnv>, engine: Engine, faults: FaultRegistry, journal?: Journal): void {
  app.post('/_emulator/reset', async (c) => {
    const body = await adminBody(c.req.raw)
    const namespace = optionalString(body, 'namespace')
    const basin = optionalString(body, 'basin')
    const stream = optionalString(body, 'stream')
    for (const key of Object.keys(body)) {
      if (!['namespace', 'basin', 'stream'].includes(key)) {
        throw new S2Error('bad_json', `${key}: unknown field; a reset takes "namespace", "basin" and "stream"`)
      }
    }
    if (stream !== undefined && basin === undefined) throw new S2Error('bad_json', 'stream: needs "basin" too')
    const scope = { namespace, basin, stream }
    engine.reset(scope)
    const faultsRemoved = faults.clearScope(scope)
    // A namespace reset (or a full one) starts its journal afresh too; basin and stream resets keep it.
    if (basin === undefined) journal?.clear(namespace)
    return json(200, { reset: { namespace: namespace ?? null, basin: basin ?? null, stream: stream ?? null }, faultsRemoved })
  })

  app.get('/_emulator/namespaces', () => {
    const namespaces = engine.store.namespaces().map((namespace) => {
      const account = engine.store.account(namespace)
      let streams = 0
      for (const basin of account.basins.values()) streams += basin.streams.size
      return { namespace, basins: account.basins.size, streams }
    })
    return json(200, { namespaces })
  })
}
