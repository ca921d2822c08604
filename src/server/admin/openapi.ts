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
const namespaceParameter: JsonValue = {
  name: 'namespace',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^(default|ns-[0-9a-f]{20})$' },
  description: 'A namespace name: "default", or "ns-" and 20 hex digits of the SHA-256 of its token.',
}
const namespaceTokenHeader: JsonValue = {
  name: 's2-namespace-token',
  in: 'header',
  required: false,
  schema: { type: 'string' },
  description: "The namespace's token: lets a handle act on a token's namespace before the token's first request.",
}
/** What a reset breaks: the request (default) or the whole connection. */
const faultScope: JsonValue = { enum: ['request', 'connection'] }

const document: { paths: Record<string, Record<string, JsonValue>> } & Record<string, JsonValue> = {
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
        summary: 'Removes every rule of this scope.',
        responses: {
          200: {
            description: 'How many rules were removed.',
            content: json({ type: 'object', required: ['removed'], properties: { removed: count } }),
          },
          400: error("A namespace query: a namespace's rules are cleared through its own routes."),
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
          "Removes state at once, as if it never existed: everything in the scope (no body: data, fault rules and journal; not clocks or snapshots), or a basin or a stream of it (for the emulator: of the default namespace). Open sessions on it end with an error; fault rules confined to it are removed.",
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            properties: { basin: { type: 'string' }, stream: { type: 'string' } },
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
        summary:
          'Every namespace (with isolation off there is one, "default"), by name: a digest of its token, never the token. With each: its basins, streams, own fault rules, snapshots and clock.',
        responses: {
          200: {
            description: 'The namespaces, oldest first, and the isolation mode.',
            content: json({
              type: 'object',
              required: ['isolation', 'namespaces'],
              properties: { isolation: { enum: ['none', 'token'] }, namespaces: { type: 'array', items: ref('NamespaceInfo') } },
            }),
          },
        },
      },
      post: {
        operationId: 'create_namespace',
        summary:
          'Makes a fresh namespace, a private emulator for one test, with a new unguessable token (or the one given). The answer is the only one that carries a token. Needs isolation token.',
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            properties: {
              label: { type: 'string', maxLength: 256, description: 'For people reading listings; not an identifier.' },
              token: { type: 'string', description: 'The bearer token that enters it (default: a new one).' },
              faultSeed: { type: 'integer', minimum: 0, maximum: 4294967295 },
              timing: { oneOf: [{ enum: ['instant', 'lite', 'cloud'] }, ref('TimingSpec')], description: "Its timing (default: the emulator's)." },
            },
            additionalProperties: false,
          }),
        },
        responses: {
          201: {
            description: 'The namespace, with its token.',
            content: json({ allOf: [ref('NamespaceInfo'), { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }] }),
          },
          400: error('A bad label, token, seed or timing.'),
          409: error("Isolation is off (isolation_off), or the given token's namespace is in use (namespace_exists)."),
        },
      },
    },
    '/_emulator/namespaces/{namespace}': {
      parameters: [namespaceParameter, namespaceTokenHeader],
      get: {
        operationId: 'get_namespace',
        summary: 'One namespace.',
        responses: {
          200: { description: 'The namespace.', content: json(ref('NamespaceInfo')) },
          400: error('Not a namespace name (bad_path).'),
          404: error('No such namespace (namespace_not_found).'),
          409: error('Isolation is off: the only namespace is "default" (isolation_off).'),
        },
      },
      delete: {
        operationId: 'drop_namespace',
        summary: 'Forgets a namespace: its data, fault rules and seed, clock, snapshots and journal. Its token enters a fresh one if used again.',
        responses: {
          204: { description: 'Dropped.' },
          400: error('Not a namespace name (bad_path).'),
          404: error('No such namespace (namespace_not_found).'),
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
        summary: "Takes (or replaces) a named snapshot of the scope (the whole emulator, or the namespace; names are the scope's own). Cheap: records are shared, not copied.",
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
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
    '/_emulator/snapshots/import': {
      post: {
        operationId: 'import_snapshot',
        summary:
          "Reads a snapshot file (docs/snapshot-format.md) in the snapshot directory (--snapshot-dir; without one, files move only by download and upload) into a named snapshot. It replaces the current state only with restore: true (or a later restore). A corrupt or truncated file, or one of a newer format version, is a 400 and changes nothing. A namespace loads a file holding one namespace (any one) into itself.",
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['name', 'path'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
              path: { type: 'string', description: 'Relative paths are from the snapshot directory, and no path may leave it.' },
              restore: { type: 'boolean', default: false },
            },
          }),
        },
        responses: {
          201: {
            description: 'The snapshot read, and whether it was restored.',
            content: json({ allOf: [ref('SnapshotInfo'), { type: 'object', required: ['restored'], properties: { restored: { type: 'boolean' } } }] }),
          },
          400: error('A bad name or path (a path outside the snapshot directory; snapshot_file_io: no such file...), or not a valid snapshot file (snapshot_file_invalid: corrupt, truncated, newer format).'),
          403: error('No snapshot directory was configured (snapshot_files_off).'),
          500: error('The file system failed (snapshot_file_io).'),
        },
      },
    },
    '/_emulator/snapshots/{name}/export': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        operationId: 'export_snapshot',
        summary:
          "Writes a named snapshot to a file in the snapshot directory (--snapshot-dir; without one, files move only by download and upload), atomically (temporary file, fsync, rename): a crash mid-write leaves any previous file at the path intact. Format: docs/snapshot-format.md (gzip-compressed, versioned).",
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['path'],
            properties: { path: { type: 'string', description: 'Relative paths are from the snapshot directory, and no path may leave it.' } },
          }),
        },
        responses: {
          200: {
            description: 'The snapshot written, the absolute path and the size of the file.',
            content: json({
              allOf: [ref('SnapshotInfo'), { type: 'object', required: ['path', 'bytes'], properties: { path: { type: 'string' }, bytes: count } }],
            }),
          },
          400: error('No path, a path outside the snapshot directory, or a path that cannot be written (snapshot_file_io).'),
          403: error('No snapshot directory was configured (snapshot_files_off).'),
          404: error('No such snapshot.'),
          500: error('The file system failed (snapshot_file_io).'),
        },
      },
    },
    '/_emulator/snapshots/{name}/file': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'download_snapshot',
        summary: 'The bytes of a snapshot file of a named snapshot (for emulators in containers), streamed.',
        responses: {
          200: { description: 'A snapshot file.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          404: error('No such snapshot.'),
        },
      },
      put: {
        operationId: 'upload_snapshot',
        summary:
          'Reads the bytes of a snapshot file into a named snapshot (replacing one of that name); with ?restore=true it is also restored. A corrupt, truncated or newer-format file is a 400 and changes nothing.',
        parameters: [{ name: 'restore', in: 'query', required: false, schema: { type: 'boolean', default: false } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          201: {
            description: 'The snapshot read, and whether it was restored.',
            content: json({ allOf: [ref('SnapshotInfo'), { type: 'object', required: ['restored'], properties: { restored: { type: 'boolean' } } }] }),
          },
          400: error('A bad name, or not a valid snapshot file (snapshot_file_invalid).'),
        },
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
        responses: {
          200: { description: 'The clock.', content: json(ref('Clock')) },
          400: error('A bad time.'),
          409: error('The clock belongs to the host.'),
        },
      },
    },
    '/_emulator/clock/resume': {
      post: {
        operationId: 'resume_clock',
        summary: "Lets time run again from where it stands: with the wall clock, or for a namespace with the emulator's clock.",
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
    '/_emulator/timing': {
      get: {
        operationId: 'get_timing',
        summary: 'The timing profile in effect: its delays per storage class, its seed, and the appends it holds and answers it delays.',
        responses: { 200: { description: 'The timing.', content: json(ref('Timing')) } },
      },
      put: {
        operationId: 'set_timing',
        summary:
          "Sets the timing profile: instant, lite (s2-lite's flush: appends acknowledged and readable at the next flush boundary), cloud (s2.dev's latencies per storage class), or delays of your own, with seeded jitter. Appends held under the old timing become stable at once. The emulator's applies to every namespace that has set none.",
        requestBody: { required: true, content: json(ref('TimingSpec')) },
        responses: { 200: { description: 'The timing.', content: json(ref('Timing')) }, 400: error('A bad spec (bad_json), naming each problem.') },
      },
      delete: {
        operationId: 'clear_timing',
        summary: "Back to the default: for the emulator instant, for a namespace the emulator's timing. Held appends become stable at once.",
        responses: { 200: { description: 'The timing.', content: json(ref('Timing')) } },
      },
    },
    '/_emulator/init': {
      post: {
        operationId: 'apply_init',
        summary:
          "Applies an init spec (s2-lite's init file format) now, as --init does at start: each basin is ensured (its config replaced), then each of its streams. Applying the same spec again changes nothing.",
        requestBody: { required: true, content: json(ref('InitSpec')) },
        responses: {
          200: {
            description: 'What happened to each basin and stream.',
            content: json({
              type: 'object',
              required: ['namespace', 'basins'],
              properties: {
                namespace: { type: 'string' },
                basins: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['name', 'result', 'streams'],
                    properties: {
                      name: { type: 'string' },
                      result: ref('ProvisionResult'),
                      streams: {
                        type: 'array',
                        items: { type: 'object', required: ['name', 'result'], properties: { name: { type: 'string' }, result: ref('ProvisionResult') } },
                      },
                    },
                  },
                },
              },
            }),
          },
          400: error('The spec is invalid; the message names every bad field by its path, e.g. basins[1].streams[0].config.retention_policy.'),
          409: error('A basin or stream of the spec is being deleted (the message names it by its path).'),
        },
      },
    },
    '/_emulator/basins/{basin}/streams/{stream}/records': {
      parameters: [
        { name: 'basin', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'stream', in: 'path', required: true, schema: { type: 'string' }, description: 'Percent-encoded, as in the S2 API.' },
      ],
      get: {
        operationId: 'inspect_stream_records',
        summary:
          "A stream's readable records (trimmed and expired ones skipped), for a test that looks without touching: no fault rule applies, the journal does not record it, no encryption key is needed and no stream is created (the emulator's: of the default namespace).",
        parameters: [
          { name: 'seq_num', in: 'query', required: false, schema: count, description: 'Where to start. [default 0]' },
          { name: 'count', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 10000 }, description: 'At most this many records (and 8 MiB). [default 1000]' },
        ],
        responses: {
          200: {
            description: 'The records, the tail, and where the next page starts (the tail\'s seqNum once everything was read).',
            content: json({
              type: 'object',
              required: ['records', 'tail', 'next'],
              properties: {
                records: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['seqNum', 'timestamp', 'headers', 'body', 'encoding'],
                    properties: {
                      seqNum: count,
                      timestamp: { type: 'number' },
                      headers: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
                      body: { type: 'string' },
                      encoding: { enum: ['utf-8', 'base64'], description: 'How headers and body are written: text, or base64 when any of them is not valid UTF-8.' },
                    },
                  },
                },
                tail: { type: 'object', required: ['seqNum', 'timestamp'], properties: { seqNum: count, timestamp: { type: 'number' } } },
                next: count,
              },
            }),
          },
          400: error('seq_num or count is not an integer in range.'),
          404: error('No such basin (basin_not_found) or stream (stream_not_found).'),
        },
      },
    },
    '/_emulator/journal': {
      get: {
        operationId: 'list_journal',
        summary:
          'The request journal: the recent S2 requests and sessions of each namespace (the newest journalSize per namespace), oldest first, with their headers and the records appends carried (within journalRecordBytes per entry and journalNamespaceBytes per namespace). Entries hold no secrets: the values of Authorization and s2-encryption-key read [redacted].',
        parameters: [
          { name: 'namespace', in: 'query', required: false, schema: { type: 'string' }, description: "Only this namespace, by name (the emulator's journal only)." },
          { name: 'operation', in: 'query', required: false, schema: { enum: [...OPERATIONS] } },
          { name: 'basin', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'stream', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'since', in: 'query', required: false, schema: count, description: 'Only entries with a larger seq.' },
          { name: 'limit', in: 'query', required: false, schema: count, description: 'At most this many (the oldest that match).' },
        ],
        responses: {
          200: {
            description: 'The entries, oldest first, and the journal size per namespace (0: the journal is off).',
            content: json({ type: 'object', required: ['size', 'entries'], properties: { size: count, entries: { type: 'array', items: ref('JournalEntry') } } }),
          },
          400: error("since or limit is not a non-negative integer, or a namespace filter on a namespace's journal."),
        },
      },
      delete: {
        operationId: 'clear_journal',
        summary: "Forgets every entry of the scope. A reset of everything or of a namespace does this too.",
        responses: {
          200: { description: 'How many entries were removed.', content: json({ type: 'object', required: ['removed'], properties: { removed: count } }) },
          400: error("A namespace query: a namespace's journal is cleared through its own routes."),
        },
      },
    },
    '/_emulator/access-tokens': {
      get: {
        operationId: 'list_access_tokens',
        summary:
          "Cloud profile: the access tokens issued through the S2 API in every namespace, by id, as the S2 API lists them (never the tokens themselves), with their namespace and whether they have expired on its clock.",
        responses: {
          200: {
            description: 'The tokens, by namespace and id (none in the lite profile), and the profile.',
            content: json({
              type: 'object',
              required: ['profile', 'tokens'],
              properties: { profile: { enum: ['lite', 'cloud'] }, tokens: { type: 'array', items: ref('AccessToken') } },
            }),
          },
        },
      },
    },
    '/_emulator/access-tokens/{id}': {
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 96 } },
        {
          name: 'namespace',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: 'The namespace the token was issued in (the emulator\'s route only). [default "default"]',
        },
      ],
      delete: {
        operationId: 'revoke_access_token',
        summary: 'Cloud profile: revokes an access token by id; requests carrying it are refused (401) from then on.',
        responses: {
          204: { description: 'Revoked.' },
          400: error('Not an access token id (bad_path), or a bad namespace query (bad_query).'),
          404: error('No token by that id in the namespace, or the lite profile, which has none (access_token_not_found).'),
        },
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
      AccessToken: {
        type: 'object',
        required: ['namespace', 'id', 'expires_at', 'auto_prefix_streams', 'scope', 'expired'],
        properties: {
          namespace: { type: 'string' },
          id: { type: 'string' },
          expires_at: { type: ['string', 'null'], format: 'date-time' },
          auto_prefix_streams: { type: 'boolean' },
          scope: { type: 'object', description: "The token's scope, as the S2 API's AccessTokenScope." },
          expired: { type: 'boolean' },
        },
      },
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
        properties: {
          mode: { enum: ['system', 'virtual', 'host'] },
          now: { type: 'number' },
          iso: { type: 'string' },
          follows: { type: 'boolean', description: "A namespace's clock: whether it still follows the emulator's (it never moved its own)." },
        },
      },
      NamespaceInfo: {
        type: 'object',
        required: ['name', 'label', 'origin', 'basins', 'streams', 'faults', 'snapshots', 'clock'],
        properties: {
          name: { type: 'string', pattern: '^(default|ns-[0-9a-f]{20})$' },
          label: { type: ['string', 'null'] },
          origin: { enum: ['api', 'token', 'default'] },
          basins: count,
          streams: count,
          faults: count,
          snapshots: count,
          clock: {
            type: 'object',
            required: ['mode', 'follows', 'now'],
            properties: { mode: { enum: ['system', 'virtual'] }, follows: { type: 'boolean' }, now: { type: 'number' } },
          },
        },
      },
      TimingSpec: {
        type: 'object',
        description: 'Every field is optional; delays given replace the profile\'s. A delay is whole ms, or [min, max] drawn per request from the seed.',
        properties: {
          profile: { enum: ['instant', 'lite', 'cloud'], default: 'instant' },
          flushIntervalMs: { type: 'integer', minimum: 1, default: 5, description: 'lite only: the flush interval (s2-lite SL8_FLUSH_INTERVAL).' },
          commitMs: ref('TimingDelay'),
          ackMs: ref('TimingDelay'),
          readMs: ref('TimingDelay'),
          deliverMs: ref('TimingDelay'),
          jitterMs: { type: 'integer', minimum: 0, default: 0, description: 'Adds up to this many ms to every delay, drawn per request.' },
          seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Seed of every draw (default: random, reported).' },
        },
        additionalProperties: false,
      },
      TimingDelay: {
        oneOf: [
          { type: 'integer', minimum: 0, maximum: 3600000 },
          { type: 'array', items: { type: 'integer', minimum: 0, maximum: 3600000 }, minItems: 2, maxItems: 2, description: '[min, max]' },
        ],
      },
      TimingDelays: {
        type: 'object',
        required: ['commitMs', 'ackMs', 'readMs', 'deliverMs'],
        description: '[min, max] ms, jitter included: commit (arrival to stable), ack (stable to ack), read (a read to its first answer), deliver (stable to a following session).',
        properties: Object.fromEntries(
          ['commitMs', 'ackMs', 'readMs', 'deliverMs'].map((k) => [k, { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 }]),
        ),
      },
      Timing: {
        type: 'object',
        required: ['profile', 'flushIntervalMs', 'jitterMs', 'seed', 'delays', 'pending', 'waiting'],
        properties: {
          profile: { enum: ['instant', 'lite', 'cloud'] },
          flushIntervalMs: { type: ['integer', 'null'] },
          jitterMs: { type: 'integer', minimum: 0 },
          seed: { type: ['integer', 'null'], description: 'The seed every draw comes from; null while nothing was set.' },
          delays: { type: 'object', required: ['express', 'standard'], properties: { express: ref('TimingDelays'), standard: ref('TimingDelays') } },
          inherited: { type: 'boolean', description: "A namespace: whether it follows the emulator's timing (it set none)." },
          pending: { ...count, description: 'Appends sequenced and not yet stable.' },
          waiting: { ...count, description: 'Answers waiting out a latency (acks, reads, deliveries).' },
        },
      },
      Time: { oneOf: [{ type: 'number', description: 'ms since the epoch' }, { type: 'string', description: 'ISO 8601' }] },
      ProvisionResult: { enum: ['created', 'updated', 'noop'] },
      InitStreamConfig: {
        type: 'object',
        description: 'A stream config as init files write it; unset fields fall back to the basin defaults, then the system defaults.',
        properties: {
          storage_class: { enum: ['standard', 'express', null] },
          retention_policy: { type: ['string', 'null'], description: '"infinite" or a humantime age of at least 1s', examples: ['infinite', '7days', '1w'] },
          timestamping: {
            type: ['object', 'null'],
            properties: { mode: { enum: ['client-prefer', 'client-require', 'arrival', null] }, uncapped: { type: ['boolean', 'null'] } },
            additionalProperties: false,
          },
          delete_on_empty: {
            type: ['object', 'null'],
            properties: { min_age: { type: ['string', 'null'], description: 'humantime; "0s" disables', examples: ['1day', '2h 30m'] } },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      InitSpec: {
        type: 'object',
        description: "s2-lite's init file (resource spec). Unknown fields are rejected except at the top level; basin names are unique, stream names unique within a basin.",
        properties: {
          namespace: { type: 'string', description: 'Emulator extension: the namespace to create them in (isolation "token"). Default "".' },
          basins: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string' },
                config: {
                  type: ['object', 'null'],
                  properties: {
                    default_stream_config: { oneOf: [ref('InitStreamConfig'), { type: 'null' }] },
                    stream_cipher: { enum: ['aegis-256', 'aes-256-gcm', null] },
                    create_stream_on_append: { type: ['boolean', 'null'] },
                    create_stream_on_read: { type: ['boolean', 'null'] },
                  },
                  additionalProperties: false,
                },
                streams: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['name'],
                    properties: { name: { type: 'string' }, config: { oneOf: [ref('InitStreamConfig'), { type: 'null' }] } },
                    additionalProperties: false,
                  },
                },
              },
              additionalProperties: false,
            },
          },
        },
      },
      JournalError: {
        type: ['object', 'null'],
        required: ['status', 'code'],
        properties: { status, code: { type: ['string', 'null'] } },
      },
      JournalEntry: {
        type: 'object',
        required: ['seq', 'time', 'iso', 'namespace', 'operation', 'method', 'path', 'query', 'basin', 'stream', 'transport', 'status', 'error', 'durationMs', 'faults', 'authorization', 'encryptionKey', 'headers', 'records', 'session'],
        properties: {
          seq: { type: 'integer', minimum: 1, description: 'Increases by one per entry, across namespaces, in the order responses were produced.' },
          time: { type: 'number', description: 'Emulator-clock time the request arrived, ms since the epoch.' },
          iso: { type: 'string' },
          namespace: { type: 'string' },
          operation: { enum: [...OPERATIONS] },
          method: { type: 'string' },
          path: { type: 'string', description: 'As sent.' },
          query: { type: 'string', description: 'The query string without "?".' },
          basin: { type: ['string', 'null'] },
          stream: { type: ['string', 'null'] },
          transport: { enum: ['unary', 'sse', 's2s'] },
          status: { type: ['integer', 'null'], description: 'null: no answer was delivered (a fault dropped the connection, or the client left during a fault).' },
          error: ref('JournalError'),
          durationMs: { type: 'number', description: 'Real time to the response (for sessions: to the start of the body).' },
          faults: { type: 'array', items: { type: 'string' }, description: 'Ids of the fault rules that fired for the request.' },
          authorization: { type: 'boolean', description: 'An Authorization header was sent (its value is never recorded).' },
          encryptionKey: { type: 'boolean', description: 'An s2-encryption-key header was sent (its value is never recorded).' },
          headers: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description: 'The request headers, names in lower case; the values of authorization and s2-encryption-key read "[redacted]".',
          },
          records: ref('JournalRecords'),
          session: {
            type: ['object', 'null'],
            description: 'SSE and S2S sessions: reads count records, batches and heartbeats sent; appends count inputs received, records appended and acks sent.',
            required: ['kind', 'end', 'endedAt', 'endedIso', 'durationMs', 'error'],
            properties: {
              kind: { enum: ['read', 'append'] },
              end: { enum: ['open', 'complete', 'client_closed', 'error', 'fault'] },
              endedAt: { type: ['number', 'null'] },
              endedIso: { type: ['string', 'null'] },
              durationMs: { type: ['number', 'null'] },
              error: ref('JournalError'),
              records: count,
              batches: count,
              heartbeats: count,
              inputs: count,
              acks: count,
            },
          },
        },
      },
      JournalRecords: {
        type: ['object', 'null'],
        description:
          'Appends (unary, and S2S sessions across their inputs): the records sent, kept up to journalRecordBytes of bodies and header names and values per entry and journalNamespaceBytes per namespace. null for other operations.',
        required: ['count', 'items', 'truncated', 'evicted'],
        properties: {
          count: { ...count, description: 'How many records the request carried.' },
          items: {
            type: 'array',
            description: 'The records kept, in order.',
            items: {
              type: 'object',
              required: ['headers', 'body', 'encoding', 'timestamp', 'bodyBytes', 'truncated'],
              properties: {
                headers: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
                body: { type: 'string' },
                encoding: { enum: ['utf-8', 'base64'], description: 'How headers and body are written: text, or base64 when any of them is not valid UTF-8.' },
                timestamp: { type: ['number', 'null'], description: 'The timestamp the client gave, if any.' },
                bodyBytes: { ...count, description: 'Size of the body as sent (also when truncated).' },
                truncated: { type: 'boolean', description: 'The per-entry bound cut this record short: body holds only its first bytes.' },
              },
            },
          },
          truncated: { type: 'boolean', description: 'The per-entry bound was reached: later records were not kept.' },
          evicted: { type: 'boolean', description: 'The per-namespace bound dropped the records of this entry for newer ones.' },
        },
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
          action(
            'reset',
            { when: { enum: ['before', 'after'] }, after: ref('SessionPoint'), scope: faultScope },
            [],
            'Reset the request (RST_STREAM CANCEL on HTTP/2), or with scope "connection" drop the whole connection.',
          ),
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
            { mode: { enum: ['reset', 'error'] }, status, code: { type: 'string' }, message: { type: 'string' }, after: ref('SessionPoint'), scope: faultScope },
            [],
            'Commit an append, then fail to deliver its ack (mode reset: the request is reset, or with scope "connection" the connection).',
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

/** The controls served for the whole emulator under /_emulator and for each namespace under /_emulator/namespaces/{namespace}. */
const CONTROLS = ['/faults', '/reset', '/journal', '/snapshots', '/clock', '/init', '/access-tokens', '/timing', '/basins']

/** The same operation, on one namespace: its id prefixed, the namespace's own errors added. */
function scoped(operation: JsonValue): JsonValue {
  const op = operation as { operationId: string; summary: string; responses: Record<string, JsonValue> }
  return {
    ...op,
    operationId: `namespace_${op.operationId}`,
    summary: `${op.summary} (This namespace only.)`,
    responses: {
      ...op.responses,
      400: op.responses['400'] ?? error('Not a namespace name (bad_path).'),
      404: op.responses['404'] ?? error('No such namespace (namespace_not_found), or no such rule or snapshot.'),
      409: op.responses['409'] ?? error('Isolation is off: the only namespace is "default" (isolation_off).'),
    },
  }
}

const namespacePaths: Record<string, Record<string, JsonValue>> = {}
for (const [path, item] of Object.entries(document.paths)) {
  const control = path.slice('/_emulator'.length)
  if (!CONTROLS.some((c) => control === c || control.startsWith(`${c}/`))) continue
  const copy: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(item)) {
    copy[key] = key === 'parameters' ? value : scoped(value)
  }
  const parameters = (item.parameters as JsonValue[] | undefined) ?? []
  namespacePaths[`/_emulator/namespaces/{namespace}${control}`] = { ...copy, parameters: [namespaceParameter, namespaceTokenHeader, ...parameters] }
}

/** Every admin operation may be refused to a web page (403) or, with an admin token, without it (401). */
const guarded = (paths: Record<string, Record<string, JsonValue>>): Record<string, JsonValue> =>
  Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]) => {
          if (key === 'parameters') return [key, value]
          const op = value as { responses: Record<string, JsonValue> }
          return [
            key,
            {
              ...op,
              responses: {
                ...op.responses,
                401: error('This emulator has an admin token, and the request did not carry it (admin_unauthorized).'),
                403: op.responses['403'] ?? error('A cross-site browser request (admin_forbidden).'),
              },
            },
          ]
        }),
      ),
    ]),
  )

export const adminOpenApi: JsonValue = {
  ...document,
  info: {
    ...(document.info as Record<string, JsonValue>),
    description:
      'Controls of the s2-emulator, served on the same port as the S2 API under /_emulator: for the whole emulator, and the same controls for each namespace under /_emulator/namespaces/{namespace}. Admin routes are never subject to faults, send no CORS headers, refuse cross-site browser requests, and need the admin token when one is configured (Authorization: Bearer <token>).',
  },
  paths: guarded({ ...document.paths, ...namespacePaths }),
}
