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
