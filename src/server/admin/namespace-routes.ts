import { S2Error, type JsonValue } from '../errors/index.ts'
import type { App } from '../http/route.ts'
import { empty, json } from '../http/respond.ts'
import type { Controls } from '../namespaces/controls.ts'
import { adminBody, optionalString } from './body.ts'
import { timingFromBody } from './timing-routes.ts'

const view = (value: unknown): JsonValue => value as JsonValue

/**
 * `/_emulator/namespaces`: list them, make a fresh one (the one answer that carries a token: its
 * creator needs it), inspect one, drop one.
 */
export function namespaceRoutes(app: App, controls: Controls): void {
  app.get('/_emulator/namespaces', () =>
    json(200, { isolation: controls.directory.isolation, namespaces: view(controls.list()) }),
  )
  app.post('/_emulator/namespaces', async (c) => {
    const body = await adminBody(c.req.raw)
    for (const key of Object.keys(body)) {
      if (!['label', 'token', 'faultSeed', 'timing'].includes(key)) {
        throw new S2Error('bad_json', `${key}: unknown field; a namespace takes "label", "token", "faultSeed" and "timing"`)
      }
    }
    const label = optionalString(body, 'label')
    const token = optionalString(body, 'token')
    if (label !== undefined && label.length > 256) throw new S2Error('bad_json', 'label: at most 256 characters')
    if (token !== undefined && (token === '' || token.length > 512 || /[\s\u0000-\u001f\u007f]/.test(token))) {
      throw new S2Error('bad_json', 'token: 1 to 512 characters, without spaces or control characters (it is sent as a bearer token)')
    }
    const seed = body.faultSeed
    if (seed !== undefined && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new S2Error('bad_json', 'faultSeed: must be an integer from 0 to 4294967295')
    }
    const timing = body.timing === undefined ? undefined : timingFromBody(body.timing)
    const made = controls.create({ label, token, faultSeed: seed as number | undefined, ...(timing === undefined ? {} : { timing }) })
    return json(201, view({ ...controls.info(made.name), token: made.token }))
  })
  app.get('/_emulator/namespaces/:namespace', (c) => {
    const name = c.req.param('namespace')
    controls.scope(name, c.req.header('s2-namespace-token'))
    return json(200, view(controls.info(name)))
  })
  app.delete('/_emulator/namespaces/:namespace', (c) => {
    controls.drop(c.req.param('namespace'))
    return empty(204)
  })
}
