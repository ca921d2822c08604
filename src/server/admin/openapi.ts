import type { JsonValue } from '../errors/index.ts'
import { OPERATIONS } from '../operations.ts'

/**
 * The OpenAPI 3.1 description of the admin API (`/_emulator/...`), served at
 * `/_emulator/openapi.json`. A test checks that every admin route is described here.
 */

const ref = (name: string): JsonValue => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonValue): JsonValue => ({ 'application/json': { schema } })
const error = (description: string): JsonValue => ({ description, content: json(ref('Error')) })
const count: JsonValue = { type: 'integer', minimum: 0 }
const nameMatch: JsonValue = {
  oneOf: [{ type: 'string' }, { type: 'object', required: ['prefix'], properties: { prefix: { type: 'string' } }, additionalProperties: false }],
}
const oneOrMany = (items: JsonValue): JsonValue => ({ oneOf: [items, { type: 'array', items, minItems: 1 }] })
const action = (type: string, properties: Record<string, JsonValue>, required: string[] = [], description = ''): JsonValue => ({
  type: 'object',
  description,
  required: ['type', ...required],
  properties: { type: { const: type }, ...properties },
  additionalProperties: false,
})
const status: JsonValue = { type: 'integer', minimum: 100, maximum: 599 }

export const adminOpenApi: JsonValue = {
  openapi: '3.1.0',
  info: {
    title: 's2-emulator admin API',
    version: '1',
    description:
      'Controls of the s2-emulator, served on the same port as the S2 API under /_emulator. Admin routes are never subject to faults.',
  },
  paths: {
    '/_emulator/faults': {
      get: {
        operationId: 'list_faults',
        summary: 'The armed fault rules, with how often each matched and fired, and the seed.',
        responses: {
          200: {
            description: 'The rules in the order they were armed.',
            content: json({
              type: 'object',
              required: ['seed', 'rules'],
              properties: { seed: count, rules: { type: 'array', items: ref('FaultRule') } },
            }),
          },
        },
      },
      post: {
        operationId: 'add_fault',
        summary: 'Arms a fault rule.',
        requestBody: { required: true, content: json(ref('FaultRuleInput')) },
        responses: {
          201: { description: 'The armed rule.', content: json(ref('FaultRule')) },
          400: error('The rule is invalid; the message names every bad field and what it allows.'),
        },
      },
      delete: {
        operationId: 'clear_faults',
        summary: 'Removes every rule, or only the rules matching one namespace.',
        parameters: [{ name: 'namespace', in: 'query', required: false, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'How many rules were removed.',
            content: json({ type: 'object', required: ['removed'], properties: { removed: count } }),
          },
        },
      },
    },
    '/_emulator/faults/seed': {
      get: {
        operationId: 'get_fault_seed',
        summary: 'The seed that fault probabilities and latency ranges draw from.',
        responses: { 200: { description: 'The seed.', content: json(ref('Seed')) } },
      },
      put: {
        operationId: 'set_fault_seed',
        summary: 'Restarts the generator with a seed, to replay a run exactly.',
        requestBody: { required: true, content: json(ref('Seed')) },
        responses: { 200: { description: 'The seed now in use.', content: json(ref('Seed')) }, 400: error('Not a valid seed.') },
      },
    },
    '/_emulator/faults/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'get_fault',
        summary: 'One rule and its accounting.',
        responses: { 200: { description: 'The rule.', content: json(ref('FaultRule')) }, 404: error('No such rule.') },
      },
      delete: {
        operationId: 'delete_fault',
        summary: 'Removes one rule.',
        responses: { 204: { description: 'Removed.' }, 404: error('No such rule.') },
      },
    },
    '/_emulator/reset': {
      post: {
        operationId: 'reset',
        summary:
          'Removes state at once, as if it never existed: everything (no body), a namespace, a basin or a stream. Open sessions on it end with an error; fault rules confined to it are removed.',
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            properties: { namespace: { type: 'string' }, basin: { type: 'string' }, stream: { type: 'string' } },
            additionalProperties: false,
          }),
        },
        responses: {
          200: {
            description: 'What was reset and how many fault rules went with it.',
            content: json({ type: 'object', required: ['reset', 'faultsRemoved'], properties: { reset: { type: 'object' }, faultsRemoved: count } }),
          },
          400: error('A bad scope.'),
        },
      },
    },
    '/_emulator/namespaces': {
      get: {
        operationId: 'list_namespaces',
        summary: 'Namespaces in use (with isolation off there is one, ""), with their basin and stream counts.',
        responses: {
          200: {
            description: 'The namespaces.',
            content: json({
              type: 'object',
              required: ['namespaces'],
              properties: {
                namespaces: {
                  type: 'array',
                  items: { type: 'object', properties: { namespace: { type: 'string' }, basins: count, streams: count } },
                },
              },
            }),
          },
        },
      },
    },
    '/_emulator/snapshots': {
      get: {
        operationId: 'list_snapshots',
        summary: 'The named in-memory snapshots.',
        responses: {
          200: {
            description: 'The snapshots.',
            content: json({ type: 'object', required: ['snapshots'], properties: { snapshots: { type: 'array', items: ref('SnapshotInfo') } } }),
          },
        },
      },
      post: {
        operationId: 'take_snapshot',
        summary: 'Takes (or replaces) a named snapshot of everything, or of one namespace. Cheap: records are shared, not copied.',
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } }),
        },
        responses: { 201: { description: 'The snapshot.', content: json(ref('SnapshotInfo')) }, 400: error('A bad name.') },
      },
    },
    '/_emulator/snapshots/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'get_snapshot',
        summary: 'One snapshot.',
        responses: { 200: { description: 'The snapshot.', content: json(ref('SnapshotInfo')) }, 404: error('No such snapshot.') },
      },
      delete: {
        operationId: 'delete_snapshot',
        summary: 'Forgets a snapshot.',
        responses: { 204: { description: 'Deleted.' }, 404: error('No such snapshot.') },
      },
    },
    '/_emulator/snapshots/{name}/restore': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        operationId: 'restore_snapshot',
        summary:
          'Puts a snapshot back exactly (records, tails, configs, fencing tokens, trim points, deletion states): all namespaces, or the one it holds. It can be restored again.',
        responses: { 200: { description: 'The snapshot restored.', content: json(ref('SnapshotInfo')) }, 404: error('No such snapshot.') },
      },
    },
    '/_emulator/clock': {
      get: { operationId: 'get_clock', summary: 'The clock: its mode and time.', responses: { 200: { description: 'The clock.', content: json(ref('Clock')) } } },
      put: {
        operationId: 'set_clock',
        summary: 'Sets the time; forward fires everything that falls due on the way.',
        requestBody: { required: true, content: json({ type: 'object', required: ['now'], properties: { now: ref('Time') } }) },
        responses: { 200: { description: 'The clock.', content: json(ref('Clock')) }, 400: error('A bad time.'), 409: error('The clock belongs to the host.') },
      },
    },
    '/_emulator/clock/freeze': {
      post: {
        operationId: 'freeze_clock',
        summary: 'Stops time (now, or at a given time): it then moves only by set or advance.',
        requestBody: { required: false, content: json({ type: 'object', properties: { at: ref('Time') } }) },
        responses: { 200: { description: 'The clock.', content: json(ref('Clock')) }, 409: error('The clock belongs to the host.') },
      },
    },
    '/_emulator/clock/resume': {
      post: {
        operationId: 'resume_clock',
        summary: 'Lets time run with the wall clock again, from where it stands.',
        responses: { 200: { description: 'The clock.', content: json(ref('Clock')) }, 409: error('The clock belongs to the host.') },
      },
    },
    '/_emulator/clock/advance': {
      post: {
        operationId: 'advance_clock',
        summary: 'Moves time forward, firing retention, delete-on-empty, purges, waits and heartbeats that fall due on the way.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['by'],
            properties: { by: { oneOf: [{ type: 'string', examples: ['7d', '90s', '1h 30m'] }, { type: 'number', minimum: 0 }] } },
          }),
        },
        responses: { 200: { description: 'The clock.', content: json(ref('Clock')) }, 400: error('A bad duration.'), 409: error('The clock belongs to the host.') },
      },
    },
    '/_emulator/openapi.json': {
      get: {
        operationId: 'get_openapi',
        summary: 'This document.',
        responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
      SnapshotInfo: {
        type: 'object',
        required: ['name', 'namespace', 'takenAt', 'basins', 'streams', 'records'],
        properties: {
          name: { type: 'string' },
          namespace: { type: ['string', 'null'] },
          takenAt: { type: 'number' },
          basins: count,
          streams: count,
          records: count,
        },
      },
      Clock: {
        type: 'object',
        required: ['mode', 'now', 'iso'],
        properties: { mode: { enum: ['system', 'virtual', 'host'] }, now: { type: 'number' }, iso: { type: 'string' } },
      },
      Time: { oneOf: [{ type: 'number', description: 'ms since the epoch' }, { type: 'string', description: 'ISO 8601' }] },
      Seed: { type: 'object', required: ['seed'], properties: { seed: { type: 'integer', minimum: 0, maximum: 4294967295 } } },
      FaultMatch: {
        type: 'object',
        description: 'Which requests a rule applies to; every given field must match. An empty match matches everything.',
        properties: {
          operation: oneOrMany({ enum: [...OPERATIONS] }),
          basin: nameMatch,
          stream: nameMatch,
          transport: oneOrMany({ enum: ['unary', 'sse', 's2s'] }),
          namespace: { type: 'string' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
        },
        additionalProperties: false,
      },
      SessionPoint: {
        type: 'object',
        description: 'A point in a session: after this many records or batches (reads) or acks (appends). Exactly one field.',
        properties: { records: count, batches: count, acks: count },
        minProperties: 1,
        maxProperties: 1,
        additionalProperties: false,
      },
      FaultAction: {
        oneOf: [
          action(
            'latency',
            {
              ms: { oneOf: [{ type: 'number', minimum: 0 }, { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 2, maxItems: 2 }] },
              when: { enum: ['before', 'after'] },
            },
            ['ms'],
            'Delay: a unary response (before or after handling), or every frame or event of a session.',
          ),
          action(
            'error',
            { status, code: { type: 'string' }, message: { type: 'string' }, body: {}, retryAfter: count, after: ref('SessionPoint') },
            ['status'],
            'Answer with an error instead of handling the request; in a session after a point, as a terminal frame or SSE error event.',
          ),
          action('reset', { when: { enum: ['before', 'after'] }, after: ref('SessionPoint') }, [], 'Drop the connection.'),
          action(
            'truncate',
            { after: ref('SessionPoint'), mode: { enum: ['clean', 'partial', 'rst'] } },
            ['after'],
            'End a read session early.',
          ),
          action('stall', { ms: { type: 'number', minimum: 0 }, after: ref('SessionPoint') }, [], 'Send nothing for a while, or for ever.'),
          action('throttle', { bytesPerSecond: { type: 'number', minimum: 1 } }, ['bytesPerSecond'], 'Limit the response bandwidth.'),
          action(
            'lose_ack',
            { mode: { enum: ['reset', 'error'] }, status, code: { type: 'string' }, message: { type: 'string' }, after: ref('SessionPoint') },
            [],
            'Commit an append, then fail to deliver its ack.',
          ),
          action(
            'reject_before_commit',
            { status, code: { type: 'string' }, message: { type: 'string' }, after: ref('SessionPoint') },
            [],
            'Fail an append before it is applied (a definite failure).',
          ),
        ],
      },
      FaultRuleInput: {
        type: 'object',
        required: ['action'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          description: { type: 'string' },
          match: ref('FaultMatch'),
          action: ref('FaultAction'),
          times: { type: 'integer', minimum: 1 },
          after: count,
          every: { type: 'integer', minimum: 1 },
          probability: { type: 'number', minimum: 0, maximum: 1 },
        },
        additionalProperties: false,
      },
      FaultRule: {
        allOf: [
          ref('FaultRuleInput'),
          {
            type: 'object',
            required: ['id', 'match', 'matched', 'fired'],
            properties: { id: { type: 'string' }, matched: count, fired: count },
          },
        ],
      },
    },
  },
}
