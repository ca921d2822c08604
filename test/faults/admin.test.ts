import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { connectS2Emulator, namespaceName, S2EmulatorError, startS2Emulator, type FaultRuleInput } from '../../src/index.ts'
import { ACTION_TYPES, TRANSPORTS } from '../../src/server/faults/rule.ts'
import { OPERATIONS } from '../../src/server/operations.ts'
import { raw, startError, useEmulator, type RawResponse } from '../support/emulator.ts'
import { expectErrorBody } from '../support/state.ts'
import { holdPort, killAll, run, spawnProcess, started as cliStarted, type Spawned } from '../support/process.ts'

/**
 * The control surfaces of fault injection: the admin HTTP API under `/_emulator`, its OpenAPI
 * document, the TypeScript client (`connectS2Emulator(url).faults`), the `faults`/`faultSeed`
 * options and the CLI's `--faults` / `--fault-seed`.
 */

const t = useEmulator()

afterEach(async () => {
  await t.raw('DELETE', '/_emulator/faults')
})

interface RuleView {
  id: string
  match: Record<string, unknown>
  action: Record<string, unknown>
  matched: number
  fired: number
  [key: string]: unknown
}
interface ErrorBody {
  code: string
  message: string
}

const post = (rule: unknown): Promise<RawResponse> => t.raw('POST', '/_emulator/faults', { body: rule })
const listRules = async (): Promise<{ seed: number; rules: RuleView[] }> => {
  const res = await t.raw('GET', '/_emulator/faults')
  expect(res.status, res.text).toBe(200)
  return res.json as { seed: number; rules: RuleView[] }
}
async function arm(rule: unknown): Promise<RuleView> {
  const res = await post(rule)
  expect(res.status, res.text).toBe(201)
  return res.json as RuleView
}

const checkTail = (basin: string, stream: string): Promise<RawResponse> =>
  t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })

describe('admin API: arming, listing and removing rules', () => {
  it('POST arms a rule and answers 201 with its id and zero counts', async () => {
    const input = {
      id: 'append-503',
      description: 'one failed append',
      match: { operation: 'append', basin: { prefix: 'chaos-' } },
      action: { type: 'error', status: 503 },
      times: 1,
    }
    const res = await post(input)
    expect(res.status, res.text).toBe(201)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json).toEqual({ ...input, matched: 0, fired: 0 })
  })

  it('POST without an id generates one, and an absent match is reported as {}', async () => {
    const a = await arm({ action: { type: 'latency', ms: 1 } })
    const b = await arm({ action: { type: 'latency', ms: 1 } })
    expect(a.id).toMatch(/^fault-\d+$/)
    expect(b.id).toMatch(/^fault-\d+$/)
    expect(a.id).not.toBe(b.id)
    expect(a).toEqual({ id: a.id, match: {}, action: { type: 'latency', ms: 1 }, matched: 0, fired: 0 })
  })

  it('GET lists the rules in the order they were armed, with the seed', async () => {
    const first = await arm({ id: 'first', match: { operation: 'read' }, action: { type: 'latency', ms: 5 } })
    const second = await arm({ id: 'second', match: { operation: 'append' }, action: { type: 'reset' } })
    const seed = await t.raw('GET', '/_emulator/faults/seed')
    const list = await listRules()
    expect(list).toEqual({ seed: (seed.json as { seed: number }).seed, rules: [first, second] })
    expect(Number.isInteger(list.seed)).toBe(true)
  })

  it('GET /_emulator/faults/:id returns one rule with its accounting', async () => {
    const { basin, stream } = await t.stream()
    await arm({ id: 'tail-latency', match: { basin, operation: 'check_tail' }, action: { type: 'latency', ms: 1 } })
    expect((await checkTail(basin, stream)).status).toBe(200)
    expect((await checkTail(basin, stream)).status).toBe(200)
    const res = await t.raw('GET', '/_emulator/faults/tail-latency')
    expect(res.status, res.text).toBe(200)
    expect(res.json).toMatchObject({ id: 'tail-latency', matched: 2, fired: 2 })
  })

  it('a rule that matches but is outside its budget counts as matched, not fired', async () => {
    const { basin, stream } = await t.stream()
    await arm({ id: 'budget', match: { basin, operation: 'check_tail' }, action: { type: 'error', status: 503 }, after: 1, times: 1 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await checkTail(basin, stream)).status)
    expect(statuses).toEqual([200, 503, 200, 200])
    expect((await t.raw('GET', '/_emulator/faults/budget')).json).toMatchObject({ matched: 4, fired: 1 })
  })

  it('DELETE /_emulator/faults/:id answers 204, after which the rule is 404 fault_not_found', async () => {
    await arm({ id: 'doomed', action: { type: 'latency', ms: 1 } })
    await arm({ id: 'kept', action: { type: 'latency', ms: 1 } })
    const del = await t.raw('DELETE', '/_emulator/faults/doomed')
    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    for (const method of ['GET', 'DELETE']) {
      const res = await t.raw(method, '/_emulator/faults/doomed')
      expect(res.status, `${method} ${res.text}`).toBe(404)
      expect(res.json).toEqual({ code: 'fault_not_found', message: expect.stringContaining('"doomed"') })
    }
    expect((await listRules()).rules.map((r) => r.id)).toEqual(['kept'])
  })

  it('DELETE /_emulator/faults removes every rule and says how many', async () => {
    for (let i = 0; i < 3; i++) await arm({ action: { type: 'latency', ms: 1 } })
    const res = await t.raw('DELETE', '/_emulator/faults')
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ removed: 3 })
    expect((await listRules()).rules).toEqual([])
    expect((await t.raw('DELETE', '/_emulator/faults')).json).toEqual({ removed: 0 })
  })

  it("DELETE /_emulator/faults?namespace= is refused: a namespace's rules are cleared through its own routes", async () => {
    await arm({ id: 'ns-a', match: { namespace: namespaceName('tenant-a') }, action: { type: 'latency', ms: 1 } })
    await arm({ id: 'global', action: { type: 'latency', ms: 1 } })
    const res = await t.raw('DELETE', `/_emulator/faults?namespace=${namespaceName('tenant-a')}`)
    expect(expectErrorBody(res, 400, 'bad_query').message).toMatch(/DELETE \/_emulator\/namespaces\/\{name\}\/faults/)
    expect((await listRules()).rules.map((r) => r.id)).toEqual(['ns-a', 'global'])
  })

  it('refuses a match.namespace that is not a namespace name, saying how to name a token\'s namespace', async () => {
    const res = await post({ match: { namespace: 'tenant-a' }, action: { type: 'latency', ms: 1 } })
    expect(expectErrorBody(res, 400, 'bad_json').message).toMatch(/match\.namespace: "tenant-a" is not a namespace name.*emulator\.namespace\(token\)/)
    expect((await listRules()).rules).toEqual([])
  })
})

describe('admin API: the seed', () => {
  it('PUT sets the seed, and GET and the rule list report it', async () => {
    const put = await t.raw('PUT', '/_emulator/faults/seed', { body: { seed: 4242 } })
    expect(put.status, put.text).toBe(200)
    expect(put.json).toEqual({ seed: 4242 })
    expect((await t.raw('GET', '/_emulator/faults/seed')).json).toEqual({ seed: 4242 })
    expect((await listRules()).seed).toBe(4242)
  })

  it('the same seed replays the same sequence of probabilistic fires', async () => {
    const { basin, stream } = await t.stream()
    const pattern = async (): Promise<number[]> => {
      await t.raw('PUT', '/_emulator/faults/seed', { body: { seed: 123 } })
      await arm({ id: 'coin', match: { basin }, action: { type: 'error', status: 503 }, probability: 0.5 })
      const statuses: number[] = []
      for (let i = 0; i < 24; i++) statuses.push((await checkTail(basin, stream)).status)
      await t.raw('DELETE', '/_emulator/faults/coin')
      return statuses
    }
    const first = await pattern()
    expect(first).toContain(200)
    expect(first).toContain(503)
    expect(await pattern()).toEqual(first)
  })

  it.each([
    ['a negative seed', { seed: -1 }],
    ['a fractional seed', { seed: 1.5 }],
    ['a seed above 2^32-1', { seed: 2 ** 32 }],
    ['a string seed', { seed: '7' }],
    ['no seed', {}],
  ])('PUT with %s is 400 bad_json naming the seed, and leaves it unchanged', async (_label, body) => {
    await t.raw('PUT', '/_emulator/faults/seed', { body: { seed: 77 } })
    const res = await t.raw('PUT', '/_emulator/faults/seed', { body })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ code: 'bad_json', message: expect.stringMatching(/^seed: .*4294967295/) })
    expect((await t.raw('GET', '/_emulator/faults/seed')).json).toEqual({ seed: 77 })
  })
})

describe('admin API: invalid rules', () => {
  const ok = { type: 'error', status: 503 }
  const cases: [string, unknown, string[]][] = [
    ['an unknown action type', { action: { type: 'explode' } }, ['action.type: "explode" is not one of', ...ACTION_TYPES.map((a) => `"${a}"`)]],
    ['an error without a status', { action: { type: 'error' } }, ['action.status: must be an HTTP status from 100 to 599']],
    ['status 700', { action: { type: 'error', status: 700 } }, ['action.status: must be an HTTP status from 100 to 599']],
    [
      'a bad operation name',
      { match: { operation: ['append', 'apend'] }, action: ok },
      ['match.operation: "apend" is not one of', ...OPERATIONS.map((o) => `"${o}"`)],
    ],
    ['a bad transport', { match: { transport: 'http2' }, action: ok }, ['match.transport: "http2" is not one of "unary", "sse", "s2s"']],
    ['times 0', { action: ok, times: 0 }, ['times: must be an integer >= 1']],
    ['probability 2', { action: ok, probability: 2 }, ['probability: must be a number from 0 to 1']],
    [
      'an unknown top-level field',
      { action: ok, when: 'always' },
      ['when: unknown field; allowed: "id", "description", "match", "action", "times", "after", "every", "probability"'],
    ],
    ['an unknown action field', { action: { type: 'latency', ms: 5, jitter: 1 } }, ['action.jitter: unknown field; allowed: "type", "ms", "when"']],
    ['truncate without after', { action: { type: 'truncate' } }, ['action.after: required']],
    [
      'a session point with two keys',
      { action: { type: 'truncate', after: { records: 1, batches: 1 } } },
      ['action.after: give exactly one of "records", "batches" or "acks"'],
    ],
    ['latency [5, 1]', { action: { type: 'latency', ms: [5, 1] } }, ['action.ms: must be milliseconds >= 0, or [min, max] with min <= max']],
    ['a bad truncate mode', { action: { type: 'truncate', after: { records: 1 }, mode: 'half' } }, ['action.mode: "half" is not one of "clean", "partial", "rst"']],
    ['no action', { match: { operation: 'read' } }, ['action: required']],
    ['an invalid id', { id: 'has space', action: ok }, ['id: must be 1 to 64 characters']],
    [
      'several problems at once',
      { match: { basin: 5 }, action: { type: 'error', status: 99 }, every: 0 },
      ['match.basin: must be a name (string) or {"prefix": string}', 'action.status: must be', 'every: must be an integer >= 1'],
    ],
  ]

  it.each(cases)('a rule with %s is 400 bad_json naming each bad field and what is allowed', async (_label, rule, fragments) => {
    const before = await listRules()
    const res = await post(rule)
    expect(res.status, res.text).toBe(400)
    const body = res.json as ErrorBody
    expect(Object.keys(body).sort()).toEqual(['code', 'message'])
    expect(body.code).toBe('bad_json')
    for (const fragment of fragments) expect(body.message).toContain(fragment)
    expect(await listRules()).toEqual(before)
  })

  it('a duplicate id is 400 bad_json, and the armed rule is left as it was', async () => {
    const original = await arm({ id: 'twice', match: { operation: 'read' }, action: { type: 'latency', ms: 1 } })
    const before = await listRules()
    const res = await post({ id: 'twice', action: { type: 'error', status: 500 } })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ code: 'bad_json', message: expect.stringContaining('id: a rule with id "twice" is already armed') })
    expect(await listRules()).toEqual(before)
    expect((await t.raw('GET', '/_emulator/faults/twice')).json).toEqual(original)
  })

  it('the id "seed", which names the seed route, is rejected', async () => {
    const res = await post({ id: 'seed', action: { type: 'reset' }, match: { basin: 'nowhere-basin' } })
    expect(res.status).toBe(400)
    expect((res.json as ErrorBody).message).toContain('id:')
  })

  it('a body that is not JSON, or not an object, is 400 bad_json', async () => {
    const notJson = await t.raw('POST', '/_emulator/faults', { headers: { 'content-type': 'application/json' }, body: '{"action":' })
    expect(notJson.status).toBe(400)
    expect((notJson.json as ErrorBody).code).toBe('bad_json')
    const array = await post([{ action: { type: 'reset' } }])
    expect(array.status).toBe(400)
    expect((array.json as ErrorBody).message).toContain('rule: must be an object')
    expect((await listRules()).rules).toEqual([])
  })
})

describe('admin API: methods and the OpenAPI document', () => {
  it.each([
    ['PATCH', '/_emulator/faults', 'DELETE,GET,HEAD,POST'],
    ['PUT', '/_emulator/faults', 'DELETE,GET,HEAD,POST'],
    ['POST', '/_emulator/faults/some-rule', 'DELETE,GET,HEAD'],
    ['PATCH', '/_emulator/faults/seed', 'GET,HEAD,PUT'],
    ['POST', '/_emulator/openapi.json', 'GET,HEAD'],
  ])('%s %s is a bare 405 with Allow: %s', async (method, path, allow) => {
    const res = await t.raw(method, path, { body: {} })
    expect(res.status).toBe(405)
    expect(res.text).toBe('')
    expect(String(res.headers['allow']).split(',').sort().join(',')).toBe(allow)
  })

  it('an unknown admin path is a bare 404', async () => {
    const res = await t.raw('GET', '/_emulator/nothing-here')
    expect(res.status).toBe(404)
    expect(res.text).toBe('')
  })

  interface OpenApiDoc {
    openapi: string
    info: { title: string; version: string }
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown>; requestBody?: unknown }>>
    components: { schemas: Record<string, Record<string, unknown>> }
  }
  const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']

  async function openApi(): Promise<OpenApiDoc> {
    const res = await t.raw('GET', '/_emulator/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    return res.json as OpenApiDoc
  }
  const operationsOf = (doc: OpenApiDoc): [string, string][] =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => METHODS.includes(k)).map((m): [string, string] => [m.toUpperCase(), path]))

  it('is served as an OpenAPI 3.1 document with unique operation ids and resolvable $refs', async () => {
    const doc = await openApi()
    expect(doc.openapi).toMatch(/^3\.1\./)
    expect(doc.info.title).toEqual(expect.any(String))
    const ids = operationsOf(doc).map(([m, p]) => doc.paths[p]?.[m.toLowerCase()]?.operationId)
    expect(ids.every((id) => typeof id === 'string')).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string)
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref)
  })

  it('documents every admin route there is, and every documented route exists with exactly the documented methods', async () => {
    const doc = await openApi()
    const documented = operationsOf(doc)
    const known: [string, string][] = [
      ['GET', '/_emulator/faults'],
      ['POST', '/_emulator/faults'],
      ['DELETE', '/_emulator/faults'],
      ['GET', '/_emulator/faults/seed'],
      ['PUT', '/_emulator/faults/seed'],
      ['GET', '/_emulator/faults/{id}'],
      ['DELETE', '/_emulator/faults/{id}'],
      ['GET', '/_emulator/openapi.json'],
    ]
    expect(documented).toEqual(expect.arrayContaining(known))
    expect(documented.every(([, path]) => path.startsWith('/_emulator/'))).toBe(true)

    // Probed on an emulator of its own: some admin routes (reset, clock) change global state.
    const emulator = await startS2Emulator()
    try {
      const call = (method: string, path: string, body?: unknown): Promise<RawResponse> =>
        raw(emulator.url, method, path, body === undefined ? {} : { body })
      const concrete = (path: string): string => path.replace(/\{[^}]+\}/g, 'doc-probe')
      const isKnown = (method: string, path: string): boolean => known.some(([m, p]) => m === method && p === path)
      for (const [method, path] of documented) {
        if (path === '/_emulator/faults/{id}') {
          await call('DELETE', '/_emulator/faults/doc-probe')
          expect((await call('POST', '/_emulator/faults', { id: 'doc-probe', action: { type: 'latency', ms: 1 } })).status).toBe(201)
        }
        const operation = doc.paths[path]?.[method.toLowerCase()]
        // The fault routes get valid input and must succeed; others get `{}` and must at least be routed.
        const body =
          path === '/_emulator/faults' && method === 'POST'
            ? { action: { type: 'latency', ms: 1 } }
            : path === '/_emulator/faults/seed' && method === 'PUT'
              ? { seed: 5 }
              : operation?.requestBody !== undefined
                ? {}
                : undefined
        const res = await call(method, concrete(path), body)
        const label = `${method} ${path} -> ${res.status} ${res.text.slice(0, 200)}`
        expect(res.status, label).not.toBe(405)
        if (res.status === 404) expect(res.text, `${label}: a bare 404 means no such route`).not.toBe('')
        expect(Object.keys(operation?.responses ?? {}), `${label}: the status is documented`).toContain(String(res.status))
        if (isKnown(method, path)) expect(res.status, label).toBeLessThan(300)
      }
      // The server's own table of methods (its 405 Allow header) agrees with the document, path by path.
      for (const path of Object.keys(doc.paths)) {
        const res = await call('PATCH', concrete(path), {})
        expect(res.status, path).toBe(405)
        const methods = documented.filter(([, p]) => p === path).map(([m]) => m)
        expect(String(res.headers['allow']).split(',').filter((m) => m !== 'HEAD').sort(), path).toEqual(methods.sort())
      }
    } finally {
      await emulator.stop()
    }
  })

  interface Schema {
    $ref?: string
    properties?: Record<string, Schema>
    oneOf?: Schema[]
    enum?: string[]
    const?: string
    items?: Schema
    required?: string[]
  }
  const resolve = (doc: OpenApiDoc, schema: Schema | undefined): Schema => {
    const ref = schema?.$ref?.replace('#/components/schemas/', '')
    return (ref === undefined ? schema : (doc.components.schemas[ref] as Schema | undefined)) ?? {}
  }
  /** The fields the validator allows, from its "unknown field; allowed: ..." message. */
  async function allowedFields(rule: unknown, field: string): Promise<string[]> {
    const res = await post(rule)
    const message = (res.json as ErrorBody).message
    const match = new RegExp(`${field.replace('.', '\\.')}: unknown field; allowed: ([^;]*)`).exec(message)
    if (!match) throw new Error(`no allowed list for ${field} in: ${message}`)
    return [...(match[1] as string).matchAll(/"([^"]+)"/g)].map((m) => m[1] as string)
  }

  it('the FaultRuleInput schema lists every action type, with the fields the validator allows for each', async () => {
    const doc = await openApi()
    const input = resolve(doc, { $ref: '#/components/schemas/FaultRuleInput' })
    const variants = resolve(doc, input.properties?.action).oneOf ?? []
    const types = variants.map((v) => v.properties?.type?.const)
    expect([...types].sort()).toEqual([...ACTION_TYPES].sort())
    for (const variant of variants) {
      const type = variant.properties?.type?.const as string
      const allowed = await allowedFields({ action: { type, bogus: 1 } }, 'action.bogus')
      expect(Object.keys(variant.properties ?? {}).sort(), type).toEqual(allowed.sort())
    }
    expect(Object.keys(input.properties ?? {}).sort()).toEqual((await allowedFields({ action: { type: 'reset' }, bogus: 1 }, 'bogus')).sort())
    expect(input.required).toEqual(['action'])
  })

  it('the FaultMatch schema lists every operation, transport and match field', async () => {
    const doc = await openApi()
    const match = resolve(doc, resolve(doc, { $ref: '#/components/schemas/FaultRuleInput' }).properties?.match)
    const enumOf = (s: Schema | undefined): string[] => s?.oneOf?.[0]?.enum ?? []
    expect(enumOf(match.properties?.operation)).toEqual([...OPERATIONS])
    expect(enumOf(match.properties?.transport)).toEqual([...TRANSPORTS])
    const allowed = await allowedFields({ match: { bogus: 1 }, action: { type: 'reset' } }, 'match.bogus')
    expect(Object.keys(match.properties ?? {}).sort()).toEqual(allowed.sort())
  })
})

describe('admin API: never subject to faults', () => {
  it('a rule with no match fails every S2 call but no admin, health or metrics call', async () => {
    const { basin, stream } = await t.stream()
    await arm({ id: 'everything', action: { type: 'error', status: 503, code: 'unavailable', message: 'all down' } })
    await arm({ id: 'slow-everything', action: { type: 'latency', ms: 1 } })

    const s2 = [
      await t.raw('GET', '/v1/basins'),
      await checkTail(basin, stream),
      await t.raw('POST', `/v1/streams/${stream}/records`, { headers: { 's2-basin': basin }, body: { records: [{ body: 'x' }] } }),
    ]
    for (const res of s2) expect({ status: res.status, body: res.json }).toEqual({ status: 503, body: { code: 'unavailable', message: 'all down' } })

    expect((await t.raw('GET', '/_emulator/faults')).status).toBe(200)
    expect((await t.raw('GET', '/_emulator/faults/everything')).status).toBe(200)
    expect((await t.raw('GET', '/_emulator/faults/seed')).status).toBe(200)
    expect((await t.raw('PUT', '/_emulator/faults/seed', { body: { seed: 3 } })).status).toBe(200)
    expect((await t.raw('GET', '/_emulator/openapi.json')).status).toBe(200)
    expect((await post({ id: 'another', action: { type: 'reset' } })).status).toBe(201)
    expect((await t.raw('DELETE', '/_emulator/faults/another')).status).toBe(204)
    expect((await t.raw('GET', '/health')).status).toBe(200)
    expect((await t.raw('GET', '/metrics')).status).toBe(200)
    // Every documented admin GET without path parameters (whatever admin routes exist) answers 200.
    const doc = (await t.raw('GET', '/_emulator/openapi.json')).json as { paths: Record<string, Record<string, unknown>> }
    for (const [path, item] of Object.entries(doc.paths)) {
      if ('get' in item && !path.includes('{')) expect((await t.raw('GET', path)).status, path).toBe(200)
    }
    // Only the three S2 calls were seen by the rules.
    expect((await t.raw('GET', '/_emulator/faults/everything')).json).toMatchObject({ matched: 3, fired: 3 })
    expect((await t.raw('DELETE', '/_emulator/faults')).json).toEqual({ removed: 2 })
    expect((await checkTail(basin, stream)).status).toBe(200)
  })

  it('a reset rule with no match drops S2 connections while admin calls are still answered', async () => {
    await arm({ id: 'drop-all', action: { type: 'reset' } })
    await expect(t.raw('GET', '/v1/basins')).rejects.toThrow()
    const list = await listRules()
    expect(list.rules).toMatchObject([{ id: 'drop-all', matched: 1, fired: 1 }])
  })
})

describe('TypeScript client: connectS2Emulator(url).faults', () => {
  it('adds, lists, gets, removes and clears rules, and reads and sets the seed', async () => {
    const { faults } = connectS2Emulator(t.url)
    const added = await faults.add({ id: 'client-1', match: { operation: 'check_tail' }, action: { type: 'latency', ms: 1 } })
    expect(added).toEqual({ id: 'client-1', match: { operation: 'check_tail' }, action: { type: 'latency', ms: 1 }, matched: 0, fired: 0 })
    const generated = await faults.add({ action: { type: 'reset' }, match: { basin: 'nowhere-basin' } })
    expect(generated.id).toMatch(/^fault-\d+$/)
    expect((await faults.list()).map((r) => r.id)).toEqual(['client-1', generated.id])
    expect(await faults.get('client-1')).toEqual(added)
    await faults.remove('client-1')
    expect((await faults.list()).map((r) => r.id)).toEqual([generated.id])
    await faults.add({ match: { namespace: namespaceName('ns-x') }, action: { type: 'reset' } })
    expect(await faults.clear()).toBe(2)
    expect(await faults.list()).toEqual([])
    await faults.setSeed(99)
    expect(await faults.seed()).toBe(99)
    expect((await t.raw('GET', '/_emulator/faults/seed')).json).toEqual({ seed: 99 })
  })

  it('a URL with a trailing slash works the same', async () => {
    const client = connectS2Emulator(`${t.url}/`)
    expect(client.url).toBe(t.url)
    await client.faults.setSeed(5)
    expect(await client.faults.seed()).toBe(5)
  })

  it("the started emulator's own faults client controls the same rules", async () => {
    await t.emulator.faults.add({ id: 'in-process', action: { type: 'latency', ms: 1 } })
    expect((await listRules()).rules.map((r) => r.id)).toEqual(['in-process'])
  })

  it('assertAllFired rejects naming each rule that never fired, then resolves once all fired', async () => {
    const { basin, stream } = await t.stream()
    const { faults } = connectS2Emulator(t.url)
    await faults.add({ id: 'will-fire', description: 'slow tail', match: { basin, operation: 'check_tail' }, action: { type: 'latency', ms: 1 } })
    await faults.add({ id: 'never', description: 'appends fail', match: { basin, operation: 'append' }, action: { type: 'error', status: 500 } })
    await faults.setSeed(31)
    await checkTail(basin, stream)
    const error = await faults.assertAllFired().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_FAULT_NOT_FIRED')
    expect((error as S2EmulatorError).message).toContain('never (appends fail): matched 0 request(s)')
    expect((error as S2EmulatorError).message).not.toContain('will-fire')
    expect((error as S2EmulatorError).message).toContain('Fault seed: 31')
    await faults.remove('never')
    await expect(faults.assertAllFired()).resolves.toBeUndefined()
  })

  it('a bad rule rejects with S2EMU_ADMIN_REQUEST_FAILED naming the field', async () => {
    const { faults } = connectS2Emulator(t.url)
    const bad = { action: { type: 'error', status: 700 } } as unknown as FaultRuleInput
    const error = await faults.add(bad).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_ADMIN_REQUEST_FAILED')
    expect((error as S2EmulatorError).message).toContain('400')
    expect((error as S2EmulatorError).message).toContain('action.status: must be an HTTP status from 100 to 599')
    await expect(faults.get('missing-rule')).rejects.toMatchObject({ code: 'S2EMU_ADMIN_REQUEST_FAILED', message: expect.stringContaining('fault_not_found') })
    await expect(faults.remove('missing-rule')).rejects.toMatchObject({ code: 'S2EMU_ADMIN_REQUEST_FAILED' })
    await expect(faults.setSeed(-1)).rejects.toMatchObject({ code: 'S2EMU_ADMIN_REQUEST_FAILED', message: expect.stringContaining('seed') })
  })

  it('an unreachable URL rejects with S2EMU_UNREACHABLE', async () => {
    const held = await holdPort()
    await held.close()
    const { faults } = connectS2Emulator(`http://127.0.0.1:${held.port}`)
    const error = await faults.list().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_UNREACHABLE')
    expect((error as S2EmulatorError).message).toContain(`127.0.0.1:${held.port}`)
  })
})

describe('startS2Emulator({ faults, faultSeed })', () => {
  it('arms the rules from the start and reports the seed', async () => {
    const emulator = await startS2Emulator({
      faults: [
        { id: 'opt-1', match: { operation: 'list_basins' }, action: { type: 'error', status: 429 }, times: 1 },
        { match: { operation: 'append' }, action: { type: 'latency', ms: 1 } },
      ],
      faultSeed: 7,
    })
    try {
      expect(await emulator.faults.seed()).toBe(7)
      const rules = await emulator.faults.list()
      expect(rules.map((r) => r.id)).toEqual(['opt-1', expect.stringMatching(/^fault-\d+$/)])
      const first = await fetch(`${emulator.url}/v1/basins`)
      expect(first.status).toBe(429)
      expect(await first.json()).toMatchObject({ code: 'rate_limited' })
      expect((await fetch(`${emulator.url}/v1/basins`)).status).toBe(200)
      expect(await emulator.faults.get('opt-1')).toMatchObject({ matched: 2, fired: 1 })
    } finally {
      await emulator.stop()
    }
  })

  it('invalid rules throw S2EMU_BAD_OPTIONS naming faults[i].field', async () => {
    const faults = [
      { action: { type: 'latency', ms: 1 } },
      { action: { type: 'error', status: 700 } },
      { match: { transport: 'grpc' }, action: { type: 'reset' } },
    ] as unknown as FaultRuleInput[]
    const error = await startError({ faults })
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_BAD_OPTIONS')
    expect((error as S2EmulatorError).message).toContain('faults[1].action.status: must be an HTTP status from 100 to 599')
    expect((error as S2EmulatorError).message).toContain('faults[2].match.transport: "grpc" is not one of')
    expect((error as S2EmulatorError).message).not.toContain('faults[0]')
  })

  it('a bad faultSeed throws S2EMU_BAD_OPTIONS', async () => {
    await expect(startS2Emulator({ faultSeed: -3 })).rejects.toMatchObject({ code: 'S2EMU_BAD_OPTIONS', message: expect.stringContaining('faultSeed') })
  })

  it('two rules with the same id throw S2EMU_BAD_OPTIONS', async () => {
    const error = await startError({
      faults: [
        { id: 'same', action: { type: 'reset' } },
        { id: 'same', action: { type: 'reset' } },
      ],
    })
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_BAD_OPTIONS')
    expect((error as S2EmulatorError).message).toContain('faults[1].id')
  })
})

describe('CLI: --faults and --fault-seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-faults-'))
  const file = (name: string, content: string): string => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  const cli = (...args: string[]): Spawned => spawnProcess(process.execPath, ['src/cli.ts', ...args])

  afterEach(async () => {
    await killAll()
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  const started = async (p: Spawned): Promise<string> => (await cliStarted(p)).url
  const rules = [
    { id: 'cli-append', match: { operation: 'append' }, action: { type: 'error', status: 503 }, times: 1 },
    { match: { operation: 'read', transport: 'sse' }, action: { type: 'truncate', after: { records: 1 } } },
  ]

  it('--faults FILE arms the rules in a JSON array, and --fault-seed sets the seed it prints', async () => {
    const p = cli('--port', '0', '--faults', file('array.json', JSON.stringify(rules)), '--fault-seed', '9')
    const url = await started(p)
    expect(p.stdout()).toContain('fault seed: 9 (2 fault rule(s) armed)\n')
    const res = await fetch(`${url}/_emulator/faults`)
    const body = (await res.json()) as { seed: number; rules: RuleView[] }
    expect(body.seed).toBe(9)
    expect(body.rules).toEqual([
      { ...rules[0], matched: 0, fired: 0 },
      { ...rules[1], id: expect.stringMatching(/^fault-\d+$/), matched: 0, fired: 0 },
    ])
    p.child.kill('SIGTERM')
    expect((await p.exited).code).toBe(0)
  })

  it('a {"seed": N, "rules": [...]} file sets the seed, and --fault-seed overrides it', async () => {
    const path = file('object.json', JSON.stringify({ seed: 11, rules }))
    const fromFile = cli('--port', '0', '--faults', path)
    const url = await started(fromFile)
    expect(fromFile.stdout()).toContain('fault seed: 11 (2 fault rule(s) armed)\n')
    expect(((await (await fetch(`${url}/_emulator/faults/seed`)).json()) as { seed: number }).seed).toBe(11)
    fromFile.child.kill('SIGTERM')
    await fromFile.exited

    const overridden = cli('--port', '0', '--faults', path, '--fault-seed', '9')
    const url2 = await started(overridden)
    expect(overridden.stdout()).toContain('fault seed: 9 (2 fault rule(s) armed)\n')
    expect(((await (await fetch(`${url2}/_emulator/faults`)).json()) as { rules: unknown[] }).rules).toHaveLength(2)
  })

  it('without --faults it prints the (random) seed it uses, with no rule count', async () => {
    const p = cli('--port', '0', '--fault-seed', '123')
    const url = await started(p)
    expect(p.stdout()).toMatch(/^fault seed: 123\n/m)
    expect(((await (await fetch(`${url}/_emulator/faults`)).json()) as { seed: number; rules: unknown[] })).toEqual({ seed: 123, rules: [] })
  })

  it.each([
    ['a missing file', () => join(dir, 'does-not-exist.json'), /cannot read the faults file .*does-not-exist\.json/],
    ['invalid JSON', () => file('broken.json', '[{"action": '), /the faults file .*broken\.json is not valid JSON/],
    ['a file that is neither an array nor {rules}', () => file('shape.json', '{"rules": 5}'), /must hold a JSON array of rules, or \{"seed": N, "rules": \[\.\.\.\]\}/],
    ['a non-numeric seed in the file', () => file('seed.json', '{"seed": "x", "rules": []}'), /"seed" must be a number/],
    [
      'an invalid rule',
      () => file('invalid-rule.json', JSON.stringify([rules[0], { action: { type: 'error', status: 700 } }])),
      /faults\[1\]\.action\.status: must be an HTTP status from 100 to 599/,
    ],
  ])('%s exits non-zero with a clear message and serves nothing', async (_label, path, message) => {
    const result = await run(process.execPath, ['src/cli.ts', '--port', '0', '--faults', path()])
    expect(result.code).not.toBe(0)
    expect(result.code).not.toBeNull()
    expect(result.stderr).toMatch(message)
    expect(result.stdout).not.toContain('listening on')
  })

  it.each(['-1', '4294967296', 'abc', '1.5'])('--fault-seed=%s exits 2 with a usage message', async (seed) => {
    const result = await run(process.execPath, ['src/cli.ts', '--port', '0', `--fault-seed=${seed}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--fault-seed must be an integer from 0 to 4294967295')
  })

  it('a file with two rules sharing an id exits 1 with a clear message and no stack trace', async () => {
    const path = file('duplicate.json', JSON.stringify([rules[0], rules[0]]))
    const result = await run(process.execPath, ['src/cli.ts', '--port', '0', '--faults', path])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('faults[1].id')
    expect(result.stderr).not.toContain('unexpected failure')
  })

  it('--help documents --faults and --fault-seed', async () => {
    const result = await run(process.execPath, ['src/cli.ts', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/--faults <file>\s+\S/)
    expect(result.stdout).toMatch(/--fault-seed <n>\s+\S/)
    expect(result.stdout).toContain('{"seed": N, "rules": [...]}')
  })
})
