/**
 * A seeded generator of malformed and edge-case requests to the emulator: JSON, base64 and
 * protobuf bodies, S2S frames, headers, queries, paths and the admin API, with a share of valid
 * requests so that state exists and mutation paths are reached. The same seed gives the same
 * requests, so a failure is replayed from its seed and index.
 */
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { b64, fenceRecord, recordsPath, trimBody } from '../support/append-helpers.ts'
import { rng } from '../support/random.ts'
import { encodeAppendInput, FLAG_GZIP, FLAG_TERMINAL, FLAG_ZSTD, frame, MAX_FRAME_LENGTH, rawFrame, terminalFrameBytes } from '../support/wire.ts'
import type { Transport } from '../support/wire.ts'
import { namespaceName } from '../../src/index.ts'

export const CATEGORIES = ['valid', 'json', 'base64', 'proto', 's2s', 'sse', 'header', 'query', 'path', 'admin'] as const
export type Category = (typeof CATEGORIES)[number]

/** One request as sent: a failure prints exactly this. */
export interface FuzzRequest {
  readonly index: number
  readonly category: Category
  readonly transport: Transport
  readonly method: string
  /** Sent as written (no normalisation). */
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: Uint8Array
  /** An S2S append session: the body is written in these pieces, then the request ends. */
  readonly pieces?: readonly Uint8Array[]
  /** Asks to wait for records (a positive `wait`): it may legitimately outlast the deadline. */
  readonly mayWait: boolean
}

// ---------------------------------------------------------------------------------------------
// The world the requests are about: names that exist, names that could, names that never can

/** Bearer tokens of the namespaces requests act in (isolation `token`); null sends no Authorization. */
export const TOKENS: readonly (string | null)[] = [null, 'fuzz-a', 'fuzz-b']
/**
 * Authorization values requests send. Each one enters a namespace on first use (by design), so
 * the runner enters them all before fuzzing: a rejection never makes a namespace appear. ASCII
 * only and no whitespace at either end: other bytes reach the server differently by client and
 * transport (HTTP/1.1 trims the value, h2 drops it as malformed, and a non-ASCII character goes
 * out as latin1 or UTF-8 depending on how the client writes its head), so the runner could not
 * enter the same namespaces the requests land in.
 */
export const AUTHORIZATIONS: readonly (string | null)[] = [
  null, 'Bearer fuzz-a', 'Bearer fuzz-b', 'bearer fuzz-a', 'Bearer', 'Basic Zm9vOmJhcg==', 'Bearer \t fuzz-b', 'x', 'Bearer %C3%A9',
]
/** Basins the runner creates before fuzzing, and the valid share keeps re-creating. */
export const FIXTURE_BASINS = { plain: 'fuzz-plain', enc: 'fuzz-enc', auto: 'fuzz-auto' } as const
export const FIXTURE_STREAMS = ['log', 'other'] as const
/** The key of the encrypted basin's streams. */
export const KEY = Buffer.alloc(32, 9).toString('base64')
const OTHER_KEY = Buffer.alloc(32, 3).toString('base64')

const VALID_BASINS = [...Object.values(FIXTURE_BASINS), 'fuzz-new-one', 'fuzz-new-two', 'fuzz-missing-basin']
const BAD_BASINS = ['', 'a', 'ab', 'short', '-leading', 'trailing-', 'under_score', 'UPPER-CASE-BASIN', 'x'.repeat(49), 'fuzz plain', 'fuzz.plain', 'fuzz-plain\u00e9', '..', '.']
const VALID_STREAMS = [...FIXTURE_STREAMS, 'new-0', 'new-1', 'missing', 'back\\slash', '.dot', 'a'.repeat(512)]
const BAD_STREAMS = ['', 'a'.repeat(513), '.', '..', 'x\u0000y']
const SNAPSHOTS = ['fuzz-snap', 'fuzz-snap-2', 'missing-snap', '', 'a/b', '..', 'x'.repeat(300)]

const NUMBERS = [
  '0', '1', '-1', '-0', '1.0', '1.5', '1e3', '1E-3', '9007199254740993', '18446744073709551615', '18446744073709551616',
  '-9223372036854775809', '1e400', '0x10', '00', '"1"', 'true', 'null', '[]', '{}', 'NaN', 'Infinity',
]
const VALUES = ['null', 'true', 'false', '""', '"x"', '[]', '{}', '[1,2]', '{"a":1}', '"\\u0000"', '"\\ud800"', '"é"', ...NUMBERS]
const QUERY_VALUES = [
  '', 'abc', '-1', '0', '1', '1.5', '1e3', '18446744073709551616', '99999999999999999999999', '0x10', '%20', '%00', '%ff', '%', '%zz',
  'true', 'false', '+1', ' 1', '1%20', '4294967296', '2147483648', '-0', 'null', '[]', 'a,b', 'fuzz-plain',
]
const READ_PARAMS = ['seq_num', 'timestamp', 'tail_offset', 'count', 'bytes', 'wait', 'clamp', 'until']
const LIST_PARAMS = ['start_after', 'limit', 'prefix']
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/vnd.x+json', 'text/plain', '', ';', 'application/protobuf',
  'application/x-protobuf', 's2s/proto', 'text/event-stream', 'application/json, application/protobuf', 'application/', '*/*',
]
const ACCEPTS = ['application/json', 'application/protobuf', 'text/event-stream', 's2s/proto', '*/*', 'text/html', '', 'text/event-stream;q=0', 'a,,b']
const FORMATS = ['raw', 'base64', 'BASE64', 'json', 'hex', '', ' raw', 'base64,raw']
const ENCODINGS = ['gzip', 'zstd', 'br', 'deflate', 'identity', 'gzip, zstd', 'GZIP', 'x', '']
const ENCRYPTION_KEYS = [KEY, OTHER_KEY, '', 'not base64!', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), 'AAAA', KEY.slice(0, -1)]
const BASE64_GARBAGE = ['!!!', 'abc', 'a', '====', 'YQ', 'YQ=', 'Y Q==', 'YQ==\n', '-_-_', 'AAAA====', '\u00e9', '%%']
const FAULT_ACTIONS = ['error', 'delay', 'drop', 'reset', 'hang', 'truncate', 'corrupt', 'nope', '']

// ---------------------------------------------------------------------------------------------

class Gen {
  readonly #next: () => number
  constructor(seed: number) {
    this.#next = rng(seed)
  }
  float(): number {
    return this.#next()
  }
  int(n: number): number {
    return Math.floor(this.#next() * n)
  }
  chance(p: number): boolean {
    return this.#next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8')
const json = (value: unknown): Buffer => utf8(JSON.stringify(value))

interface Target {
  basin: string
  stream: string
}

interface Draft {
  method: string
  path: string
  headers: Record<string, string>
  body: Uint8Array
  pieces?: Uint8Array[]
}

/** Generates the requests of one seed. */
export class RequestGenerator {
  readonly #g: Gen
  #index = 0

  constructor(seed: number) {
    this.#g = new Gen(seed)
  }

  next(): FuzzRequest {
    const g = this.#g
    const category = this.#category()
    const transport: Transport = g.chance(0.35) ? 'h2' : 'http1'
    const draft = this.#draft(category)
    if (!('authorization' in draft.headers)) {
      const token = g.pick(TOKENS)
      const auth = g.chance(0.9) ? (token === null ? null : `Bearer ${token}`) : g.pick(AUTHORIZATIONS)
      if (auth !== null) draft.headers['authorization'] = auth
    }
    // A body travels with its length (chunked only for a session), so every method frames it alike.
    if (draft.pieces === undefined && draft.body.length > 0) draft.headers['content-length'] = String(draft.body.length)
    const request: FuzzRequest = {
      index: this.#index++,
      category,
      transport,
      method: draft.method,
      // Clients refuse to send other bytes in a path: they travel percent-encoded.
      path: draft.path.replace(/\{ns:([^}]*)\}/g, (_, token: string) => namespaceName(token)).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)),
      headers: draft.headers,
      body: draft.body,
      mayWait: mayWait(draft.path),
      ...(draft.pieces === undefined ? {} : { pieces: draft.pieces }),
    }
    return request
  }

  #category(): Category {
    const r = this.#g.float()
    if (r < 0.25) return 'valid'
    return this.#g.pick(CATEGORIES.slice(1))
  }

  #target(validNames = true): Target {
    const g = this.#g
    return {
      basin: validNames || g.chance(0.5) ? g.pick(VALID_BASINS) : g.pick(BAD_BASINS),
      stream: validNames || g.chance(0.5) ? g.pick(VALID_STREAMS) : g.pick(BAD_STREAMS),
    }
  }

  #draft(category: Category): Draft {
    switch (category) {
      case 'valid':
        return this.#valid()
      case 'json':
        return this.#badJson()
      case 'base64':
        return this.#badBase64()
      case 'proto':
        return this.#badProto()
      case 's2s':
        return this.#badS2s()
      case 'sse':
        return this.#badSse()
      case 'header':
        return this.#badHeaders()
      case 'query':
        return this.#badQuery()
      case 'path':
        return this.#badPath()
      case 'admin':
        return this.#badAdmin()
    }
  }

  // ----- valid requests ----------------------------------------------------------------------

  #basinHeaders(t: Target): Record<string, string> {
    const headers: Record<string, string> = { 's2-basin': t.basin }
    if (t.basin === FIXTURE_BASINS.enc) headers['s2-encryption-key'] = KEY
    return headers
  }

  #validRecords(n: number): { body: string; headers?: [string, string][]; timestamp?: number }[] {
    const g = this.#g
    return Array.from({ length: n }, (_, i) => {
      if (g.chance(0.05)) return fenceRecord(g.chance(0.5) ? '' : `fence-${g.int(3)}`)
      if (g.chance(0.03)) return { headers: [['', 'trim']], body: Buffer.from(trimBody(g.int(5)), 'base64').toString('latin1') }
      const record: { body: string; headers?: [string, string][]; timestamp?: number } = { body: `r${i}-${g.int(1000)}` }
      if (g.chance(0.3)) record.headers = [['k', `v${g.int(9)}`]]
      if (g.chance(0.2)) record.timestamp = g.int(2_000_000_000_000)
      return record
    })
  }

  #valid(): Draft {
    const g = this.#g
    const t = this.#target()
    const headers = this.#basinHeaders(t)
    const records = recordsPath(t.stream)
    switch (g.int(14)) {
      case 0: {
        const basin = g.pick(VALID_BASINS)
        const config = basin === FIXTURE_BASINS.enc ? { stream_cipher: 'aegis-256' } : basin === FIXTURE_BASINS.auto ? { create_stream_on_append: true, create_stream_on_read: true } : {}
        return { method: 'PUT', path: `/v1/basins/${basin}`, headers: { 'content-type': 'application/json' }, body: json({ config }) }
      }
      case 1:
        return { method: 'PUT', path: `/v1/streams/${encodeURIComponent(t.stream)}`, headers, body: new Uint8Array(0) }
      case 2:
      case 3: {
        const body = { records: this.#validRecords(1 + g.int(4)), ...(g.chance(0.1) ? { match_seq_num: g.int(20) } : {}) }
        return { method: 'POST', path: records, headers: { ...headers, 'content-type': 'application/json' }, body: json(body) }
      }
      case 4: {
        const input = encodeAppendInput({ records: this.#validRecords(1 + g.int(3)).map((r) => ({ body: r.body, headers: (r.headers ?? []).map(([name, value]) => ({ name, value })) })) })
        return { method: 'POST', path: records, headers: { ...headers, 'content-type': 'application/protobuf' }, body: input }
      }
      case 5: {
        const frames = Array.from({ length: 1 + g.int(3) }, () =>
          frame(encodeAppendInput({ records: this.#validRecords(1 + g.int(3)).map((r) => ({ body: r.body })) }), g.pick(['none', 'zstd', 'gzip'] as const)),
        )
        return { method: 'POST', path: records, headers: { ...headers, 'content-type': 's2s/proto' }, body: Buffer.concat(frames), pieces: frames }
      }
      case 6:
        return { method: 'GET', path: `${records}?seq_num=${g.int(10)}&count=${1 + g.int(20)}&clamp=true`, headers: { ...headers, accept: g.pick(['application/json', 'application/protobuf']), ...(g.chance(0.5) ? { 's2-format': 'base64' } : {}) }, body: new Uint8Array(0) }
      case 7:
        return { method: 'GET', path: `${records}?${g.pick(['seq_num=0', 'tail_offset=2', 'timestamp=0'])}&count=5`, headers: { ...headers, accept: 'text/event-stream' }, body: new Uint8Array(0) }
      case 8:
        return { method: 'GET', path: `${records}?seq_num=0&count=5`, headers: { ...headers, 'content-type': 's2s/proto' }, body: new Uint8Array(0) }
      case 9:
        return { method: 'GET', path: `${records}/tail`, headers, body: new Uint8Array(0) }
      case 10:
        return { method: 'GET', path: g.pick(['/v1/basins', '/v1/streams', `/v1/basins/${t.basin}`, `/v1/streams/${encodeURIComponent(t.stream)}`]), headers, body: new Uint8Array(0) }
      case 11:
        return { method: 'PATCH', path: `/v1/streams/${encodeURIComponent(t.stream)}`, headers: { ...headers, 'content-type': 'application/json' }, body: json({ retention_policy: g.chance(0.5) ? { age: 3600 } : { infinite: {} } }) }
      case 12:
        if (g.chance(0.3)) return { method: 'DELETE', path: g.chance(0.3) ? `/v1/basins/${t.basin}` : `/v1/streams/${encodeURIComponent(t.stream)}`, headers, body: new Uint8Array(0) }
        return { method: 'POST', path: '/_emulator/clock/advance', headers: { 'content-type': 'application/json' }, body: json({ by: g.pick(['1s', '1m', '2h']) }) }
      default: {
        const scope = this.#adminScope()
        return g.pick<Draft>([
          { method: 'POST', path: `${scope}/snapshots`, headers: { 'content-type': 'application/json' }, body: json({ name: g.pick(SNAPSHOTS.slice(0, 2)) }) },
          { method: 'POST', path: `${scope}/snapshots/${g.pick(SNAPSHOTS.slice(0, 2))}/restore`, headers: {}, body: new Uint8Array(0) },
          { method: 'GET', path: `${scope}/journal?limit=5`, headers: {}, body: new Uint8Array(0) },
          { method: 'GET', path: '/_emulator/namespaces', headers: {}, body: new Uint8Array(0) },
          { method: 'GET', path: `/_emulator/basins/${t.basin}/streams/${encodeURIComponent(t.stream)}/records`, headers: {}, body: new Uint8Array(0) },
        ])
      }
    }
  }

  // ----- JSON --------------------------------------------------------------------------------

  /** A JSON text made wrong in one way (or left as it is now and then). */
  #mutateJson(value: Record<string, unknown>): Buffer {
    const g = this.#g
    const text = JSON.stringify(value)
    const keys = collectKeys(value)
    switch (g.int(12)) {
      case 0:
        return utf8(text.slice(0, g.int(text.length)))
      case 1: {
        const key = g.pick(keys)
        return utf8(text.replace(new RegExp(`"${escapeRegExp(key)}":`), `"${key}":${g.pick(VALUES)},"${key}":`))
      }
      case 2: {
        const key = g.pick(keys)
        return utf8(replaceValue(text, key, g.pick(VALUES)))
      }
      case 3: {
        const key = g.pick(keys)
        return utf8(replaceValue(text, key, g.pick(NUMBERS)))
      }
      case 4:
        return utf8(text.replace(/^\{/, `{"${g.pick(['unknown', 'extra_field', '__proto__', 'constructor'])}":${g.pick(VALUES)},`))
      case 5: {
        const key = g.pick(keys)
        return utf8(text.replace(new RegExp(`"${escapeRegExp(key)}":`), `"${key}_":`))
      }
      case 6:
        return utf8(g.pick(['', 'null', '[]', '"x"', '1', '{', '}', '{}}', '{"a":1,}', '\ufeff{}', '{"a":1}{"b":2}', ' ', '{"a":\u0000}', '[' .repeat(5000), '{"a":' .repeat(3000)]))
      case 7:
        return g.bytes(1 + g.int(64))
      case 8:
        return Buffer.concat([utf8(text.slice(0, -1)), Buffer.from([0xff, 0xfe, 0xc3]), utf8('}')])
      case 9: {
        const key = g.pick(keys)
        return utf8(replaceValue(text, key, JSON.stringify('x'.repeat(g.pick([37, 513, 70_000])))))
      }
      case 10:
        return utf8(text.replace(/\[/, `[${g.pick(VALUES)},`))
      default:
        return utf8(text)
    }
  }

  #jsonTemplate(t: Target): { method: string; path: string; value: Record<string, unknown>; headers: Record<string, string> } {
    const g = this.#g
    const headers = this.#basinHeaders(t)
    const records = [{ body: 'x', headers: [['k', 'v']], timestamp: 5 }, { body: 'y' }]
    return g.pick([
      { method: 'POST', path: '/v1/basins', headers: {}, value: { basin: t.basin, config: { default_stream_config: { retention_policy: { age: 10 }, storage_class: 'standard', timestamping: { mode: 'arrival', uncapped: false }, delete_on_empty: { min_age_secs: 5 } }, create_stream_on_append: false, create_stream_on_read: false } } },
      { method: 'PUT', path: `/v1/basins/${t.basin}`, headers: {}, value: { config: { create_stream_on_read: true, stream_cipher: 'aegis-256' } } },
      { method: 'PATCH', path: `/v1/basins/${t.basin}`, headers: {}, value: { default_stream_config: { retention_policy: { infinite: {} } }, create_stream_on_append: null } },
      { method: 'POST', path: '/v1/streams', headers, value: { stream: t.stream, config: { retention_policy: { age: 60 }, timestamping: { mode: 'client-require' } } } },
      { method: 'PUT', path: `/v1/streams/${encodeURIComponent(t.stream)}`, headers, value: { storage_class: 'express', delete_on_empty: { min_age_secs: 1 } } },
      { method: 'PATCH', path: `/v1/streams/${encodeURIComponent(t.stream)}`, headers, value: { timestamping: { mode: 'client-prefer', uncapped: true } } },
      { method: 'POST', path: recordsPath(t.stream), headers, value: { records, match_seq_num: 3, fencing_token: 'tok' } },
      { method: 'POST', path: recordsPath(t.stream), headers, value: { records } },
      { method: 'POST', path: '/v1/access-tokens', headers: {}, value: { id: 'tok-1', expires_at: '2030-01-01T00:00:00Z', auto_prefix_streams: false, scope: { basins: { prefix: 'x' }, ops: ['append'] } } },
      { method: 'PUT', path: '/v1/locations/default', headers: {}, value: { location: 'aws:us-east-1' } },
    ])
  }

  #badJson(): Draft {
    const g = this.#g
    const t = this.#target(g.chance(0.8))
    const template = this.#jsonTemplate(t)
    const headers = { ...template.headers, 'content-type': g.chance(0.9) ? 'application/json' : g.pick(CONTENT_TYPES) }
    return { method: template.method, path: template.path, headers, body: this.#mutateJson(template.value) }
  }

  // ----- base64 ------------------------------------------------------------------------------

  #badBase64(): Draft {
    const g = this.#g
    const t = this.#target()
    const bad = (): string => g.pick(BASE64_GARBAGE)
    const good = (s: string): string => b64(s)
    const record: Record<string, unknown> = { body: good('x'), headers: [[good('k'), good('v')]] }
    switch (g.int(4)) {
      case 0:
        record['body'] = bad()
        break
      case 1:
        record['headers'] = [[bad(), good('v')]]
        break
      case 2:
        record['headers'] = [[good('k'), bad()]]
        break
      default:
        record['headers'] = g.pick([[[good('k')]], [[good('k'), good('v'), good('w')]], [good('k')], 'x', [[1, 2]], { k: 'v' }])
    }
    const body = json({ records: [{ body: good('ok') }, record], ...(g.chance(0.2) ? { fencing_token: bad() } : {}) })
    const headers = { ...this.#basinHeaders(t), 'content-type': 'application/json', 's2-format': g.chance(0.9) ? 'base64' : g.pick(FORMATS) }
    return { method: 'POST', path: recordsPath(t.stream), headers, body }
  }

  // ----- protobuf ----------------------------------------------------------------------------

  /** A valid AppendInput's bytes made wrong: cut, flipped, a wrong wire type, a lying length, garbage. */
  #badProtoBytes(): Buffer {
    const g = this.#g
    const valid = encodeAppendInput({
      records: [{ body: 'x', headers: [{ name: 'k', value: 'v' }], timestamp: 7 }, { body: 'yz' }],
      ...(g.chance(0.3) ? { match_seq_num: 2 } : {}),
      ...(g.chance(0.3) ? { fencing_token: 'tok' } : {}),
    })
    switch (g.int(9)) {
      case 0:
        return valid.subarray(0, g.int(valid.length))
      case 1: {
        const out = Buffer.from(valid)
        for (let i = 0; i < 1 + g.int(4); i++) {
          const at = g.int(out.length)
          out[at] = (out[at] as number) ^ (1 << g.int(8))
        }
        return out
      }
      case 2:
        // field 1 (records) with wire type 0, 1, 3, 5 or 7 instead of 2
        return Buffer.concat([Buffer.from([(1 << 3) | g.pick([0, 1, 3, 5, 7]), 0x01, 0x02]), valid])
      case 3:
        // records with a length far beyond the message
        return Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0x03]), valid.subarray(2)])
      case 4:
        // an over-long varint (11 bytes) as match_seq_num
        return Buffer.concat([valid, Buffer.from([0x10, ...Array(10).fill(0xff), 0x01])])
      case 5:
        // a negative timestamp (10-byte varint) inside a record
        return Buffer.concat([Buffer.from([0x0a, 0x0d, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x1a, 0x01, 0x78])])
      case 6:
        return Buffer.concat([valid, Buffer.from([(99 << 3) | 2, 0x03, 0x61, 0x62, 0x63])]) // an unknown field: ignored
      case 7:
        // a header with no name field and a body of invalid UTF-8, or a field number 0
        return g.chance(0.5) ? Buffer.from([0x0a, 0x06, 0x12, 0x02, 0x12, 0x00, 0x1a, 0x00]) : Buffer.from([0x02, 0x00])
      default:
        return g.bytes(g.int(48))
    }
  }

  #badProto(): Draft {
    const g = this.#g
    const t = this.#target()
    const headers: Record<string, string> = { ...this.#basinHeaders(t), 'content-type': g.chance(0.9) ? 'application/protobuf' : 'application/x-protobuf' }
    if (g.chance(0.2)) headers['accept'] = g.pick(ACCEPTS)
    return { method: 'POST', path: recordsPath(t.stream), headers, body: this.#badProtoBytes() }
  }

  // ----- S2S ---------------------------------------------------------------------------------

  #badFrame(): Buffer {
    const g = this.#g
    const payload = encodeAppendInput({ records: [{ body: 'f' }] })
    switch (g.int(11)) {
      case 0:
        return rawFrame(0, 0) // length 0: not even a flag byte
      case 1:
        return rawFrame(payload.length + 1 + 1 + g.int(50), 0, payload) // longer than what follows
      case 2:
        return rawFrame(MAX_FRAME_LENGTH + 1 + g.int(1000), 0) // beyond the frame limit
      case 3:
        return rawFrame(payload.length + 1, FLAG_ZSTD | FLAG_GZIP, payload) // compression bits 11
      case 4:
        return rawFrame(payload.length + 1, g.pick([FLAG_ZSTD, FLAG_GZIP]), payload) // says compressed, is not
      case 5:
        return terminalFrameBytes(g.pick([200, 400, 500]), { code: 'x', message: 'client sent a terminal frame' })
      case 6:
        return rawFrame(payload.length + 1, 1 << g.int(5), payload) // reserved flag bits
      case 7:
        return frame(this.#badProtoBytes(), g.pick(['none', 'zstd', 'gzip'] as const))
      case 8:
        return frame(encodeAppendInput({ records: [] })) // an empty batch: 422
      case 9: {
        const compressed = g.chance(0.5) ? zstdCompressSync(payload) : gzipSync(payload)
        return rawFrame(compressed.length + 1, g.chance(0.5) ? FLAG_ZSTD : FLAG_GZIP, compressed.subarray(0, compressed.length - 3))
      }
      default:
        return Buffer.concat([Buffer.from([0x00, 0x00]), g.bytes(g.int(6))]) // a frame cut inside its header
    }
  }

  #badS2s(): Draft {
    const g = this.#g
    const t = this.#target(g.chance(0.9))
    const headers: Record<string, string> = { ...this.#basinHeaders(t), 'content-type': 's2s/proto' }
    if (g.chance(0.3)) headers['accept-encoding'] = g.pick(['zstd', 'gzip', 'br', '*', 'zstd;q=0'])
    if (g.chance(0.3) || g.chance(0.1)) {
      // a read session with a bad query
      return { method: 'GET', path: `${recordsPath(t.stream)}?${this.#badReadQuery()}`, headers, body: new Uint8Array(0) }
    }
    const good = () => frame(encodeAppendInput({ records: [{ body: `s${g.int(100)}` }] }), g.pick(['none', 'zstd', 'gzip'] as const))
    const pieces: Buffer[] = []
    for (let i = g.int(3); i > 0; i--) pieces.push(good())
    pieces.push(this.#badFrame())
    if (g.chance(0.3)) pieces.push(good())
    // Sometimes one frame is split across writes, as chunking on the wire would.
    if (g.chance(0.3)) {
      const all = Buffer.concat(pieces)
      const cut = g.int(all.length)
      return { method: 'POST', path: recordsPath(t.stream), headers, body: all, pieces: [all.subarray(0, cut), all.subarray(cut)] }
    }
    return { method: 'POST', path: recordsPath(t.stream), headers, body: Buffer.concat(pieces), pieces }
  }

  // ----- SSE ---------------------------------------------------------------------------------

  #badSse(): Draft {
    const g = this.#g
    const t = this.#target(g.chance(0.9))
    const headers: Record<string, string> = { ...this.#basinHeaders(t), accept: 'text/event-stream' }
    const lastEventId = g.chance(0.5)
    if (lastEventId) headers['last-event-id'] = g.pick(['', 'x', '1', '1,2', '1,2,3', '-1,0,0', '1,2,3,4', '18446744073709551616,0,0', 'a,b,c', '1,,3', ' 1,2,3'])
    const query = lastEventId && g.chance(0.5) ? 'seq_num=0' : this.#badReadQuery()
    return { method: 'GET', path: `${recordsPath(t.stream)}?${query}`, headers, body: new Uint8Array(0) }
  }

  // ----- headers -----------------------------------------------------------------------------

  #badHeaders(): Draft {
    const g = this.#g
    const base = g.chance(0.5) ? this.#valid() : this.#badJson()
    const headers = { ...base.headers }
    for (let n = 1 + g.int(2); n > 0; n--) {
      switch (g.int(10)) {
        case 0:
          headers['content-type'] = g.pick(CONTENT_TYPES)
          break
        case 1:
          headers['s2-format'] = g.pick(FORMATS)
          break
        case 2:
          headers['s2-encryption-key'] = g.pick(ENCRYPTION_KEYS)
          break
        case 3:
          headers['accept'] = g.pick(ACCEPTS)
          break
        case 4:
          headers['content-encoding'] = g.pick(ENCODINGS)
          break
        case 5:
          headers['s2-basin'] = g.pick([...BAD_BASINS.filter((b) => b !== ''), 'fuzz-plain, fuzz-enc', ' fuzz-plain'])
          break
        case 6:
          headers['s2-request-token'] = g.pick(['', 'x', 'y'.repeat(36), 'z'.repeat(37), '\u00e9'.repeat(19)])
          break
        case 7: {
          const auth = g.pick(AUTHORIZATIONS)
          if (auth === null) delete headers['authorization']
          else headers['authorization'] = auth
          break
        }
        case 8:
          headers['accept-encoding'] = g.pick(['zstd', 'gzip', 'br', '*', '', 'gzip;q=0', 'x'])
          break
        default:
          headers[g.pick(['last-event-id', 's2-namespace-token', 's2-stream-config', 'expect', 'te'])] = g.pick(['', 'x', '1,2,3', '{"a":1}', 'trailers', '100-continue'])
      }
    }
    delete headers['expect'] // a request that waits for 100-continue is the client's business, not the server's
    if (headers['te'] !== undefined && headers['te'] !== 'trailers') delete headers['te'] // h2 allows only `te: trailers`
    return { ...base, headers }
  }

  // ----- queries -----------------------------------------------------------------------------

  #badReadQuery(): string {
    const g = this.#g
    const parts: string[] = []
    for (let n = 1 + g.int(3); n > 0; n--) {
      const name = g.chance(0.9) ? g.pick(READ_PARAMS) : g.pick(['unknown', 'seq_num[]', 'SEQ_NUM', '', '%73eq_num'])
      let value = g.pick(QUERY_VALUES)
      // A positive wait really waits, on a frozen clock for ever: rare, and the runner knows
      if (name === 'wait' && /^\+?\s?\d+$/.test(value.trim()) && Number(value) > 0 && g.chance(0.9)) value = 'abc'
      parts.push(g.chance(0.1) ? name : `${name}=${value}`)
    }
    if (g.chance(0.3)) parts.push(parts[0] as string) // a parameter given twice
    return parts.join(g.chance(0.95) ? '&' : ';')
  }

  #badQuery(): Draft {
    const g = this.#g
    const t = this.#target()
    const headers = this.#basinHeaders(t)
    if (g.chance(0.6)) {
      const tail = g.chance(0.15) ? '/tail' : ''
      if (g.chance(0.2)) headers['accept'] = g.pick(['application/protobuf', 'text/event-stream'])
      return { method: 'GET', path: `${recordsPath(t.stream)}${tail}?${this.#badReadQuery()}`, headers, body: new Uint8Array(0) }
    }
    const parts: string[] = []
    for (let n = 1 + g.int(3); n > 0; n--) parts.push(`${g.pick(LIST_PARAMS)}=${g.pick([...QUERY_VALUES, ...BAD_BASINS.map(encodeURIComponent), 'fuzz-', 'x'.repeat(60)])}`)
    if (g.chance(0.3)) parts.push(parts[0] as string)
    const path = g.pick(['/v1/basins', '/v1/streams', '/v1/access-tokens', '/v1/metrics', `/v1/metrics/${t.basin}`, '/_emulator/journal', '/_emulator/basins/fuzz-plain/streams/log/records'])
    const metricsQuery = path.startsWith('/v1/metrics') && g.chance(0.5) ? `set=${g.pick(['active-basins', 'account-ops', 'storage', 'x', ''])}&${g.pick(['start', 'end', 'interval'])}=${g.pick(QUERY_VALUES)}` : parts.join('&')
    const journalQuery = path.startsWith('/_emulator') ? `${g.pick(['limit', 'since', 'operation', 'basin', 'stream', 'namespace', 'status', 'offset', 'seq_num', 'count'])}=${g.pick(QUERY_VALUES)}` : metricsQuery
    return { method: 'GET', path: `${path}?${journalQuery}`, headers, body: new Uint8Array(0) }
  }

  // ----- paths -------------------------------------------------------------------------------

  #badPath(): Draft {
    const g = this.#g
    const t = this.#target(false)
    const headers = this.#basinHeaders(t)
    const name = g.pick([...BAD_BASINS, ...BAD_STREAMS, '%2F', 'a%2Fb', '%00', '%ff', '%', '%zz', '%2e%2e', 'x'.repeat(g.pick([100, 1000, 8000])), '%E2%82%AC', 'a%20b', '%c3%28'])
    const encoded = name.replace(/[?#]/g, encodeURIComponent)
    const path = g.pick([
      `/v1/basins/${encoded}`,
      `/v1/streams/${encoded}`,
      `/v1/streams/${encoded}/records`,
      `/v1/streams/${encoded}/records/tail`,
      `/v1/access-tokens/${encoded}`,
      `/v1/metrics/${encoded}/${encoded}`,
      `/v1/streams/log/records/${encoded}`,
      `/v1/nope`, `/v2/basins`, `/v1`, `/`, `//v1/basins`, `/v1//basins`, `/v1/basins/`, `/v1/streams/log/records/tail/x`, '/v1/basins/fuzz-plain/streams',
      '/V1/BASINS', '/v1/./basins', '/v1/basins/..', '/_emulator', '/_emulator/', '/_emulator/nope', '/health/x', '/metrics/', '*',
    ])
    const method = g.chance(0.6) ? g.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) : g.pick(['HEAD', 'OPTIONS', 'TRACE', 'FOO', 'PROPFIND', 'get'])
    const body = method === 'GET' || method === 'HEAD' ? new Uint8Array(0) : g.chance(0.5) ? json({ basin: t.basin, stream: t.stream, records: [{ body: 'x' }] }) : new Uint8Array(0)
    if (body.length > 0) headers['content-type'] = 'application/json'
    return { method, path: path === '*' ? '/*' : path, headers, body }
  }

  // ----- the admin API -----------------------------------------------------------------------

  #adminScope(): string {
    const g = this.#g
    if (g.chance(0.6)) return '/_emulator'
    const names = ['default', 'ns-00000000000000000000', 'nope', '..', '%2e%2e', 'x'.repeat(300), '%00']
    return `/_emulator/namespaces/${g.chance(0.7) ? `{ns:${g.pick(TOKENS.filter((t) => t !== null))}}` : g.pick(names)}`
  }

  #badAdmin(): Draft {
    const g = this.#g
    const scope = this.#adminScope()
    const headers: Record<string, string> = {}
    if (scope !== '/_emulator' && g.chance(0.3)) headers['s2-namespace-token'] = g.pick(['fuzz-a', 'fuzz-b', 'wrong', ''])
    if (g.chance(0.05)) headers[g.pick(['origin', 'sec-fetch-site'])] = g.pick(['http://evil.example', 'cross-site', 'same-origin', 'null'])
    const snapshot = g.pick(SNAPSHOTS)
    const rule = {
      match: { operation: g.pick(['append', 'read', 'create_basin', 'nope']), basin: { prefix: 'fuzz-nothing-matches-' } },
      action: { type: g.pick(FAULT_ACTIONS), status: g.pick([500, 503, 418, 99, 1000]) },
      times: g.pick([1, 0, -1, 1.5]),
    }
    const options: { method: string; path: string; value?: Record<string, unknown>; raw?: Uint8Array }[] = [
      { method: 'POST', path: `${scope}/faults`, value: rule },
      { method: 'DELETE', path: `${scope}/faults/${g.pick(['1', 'nope', '-1', '99999999999999999999'])}` },
      { method: 'GET', path: `${scope}/faults/${g.pick(['1', 'nope', '%00'])}` },
      { method: 'PUT', path: `${scope}/faults/seed`, value: { seed: 42 } },
      { method: 'POST', path: `${scope}/reset`, value: { basin: 'fuzz-nothing', stream: 'nothing' } },
      { method: 'POST', path: '/_emulator/namespaces', value: { label: 'fuzz', token: 'fuzz-created', faultSeed: 3, timing: { profile: 'lite' } } },
      { method: 'DELETE', path: `/_emulator/namespaces/${g.pick(['nope', 'ns-00000000000000000000', '%00'])}` },
      { method: 'POST', path: `${scope}/snapshots`, value: { name: 'fuzz-snap' } },
      { method: g.pick(['GET', 'DELETE']), path: `${scope}/snapshots/${snapshot}` },
      { method: 'POST', path: `${scope}/snapshots/${snapshot}/restore` },
      { method: 'POST', path: `${scope}/snapshots/import`, value: { name: 'fuzz-snap', path: g.pick(['x.s2snap', '../x', '/etc/passwd']), restore: true } },
      { method: 'POST', path: `${scope}/snapshots/${snapshot}/export`, value: { path: 'x.s2snap' } },
      { method: 'PUT', path: `${scope}/snapshots/${snapshot}/file${g.chance(0.5) ? '?restore=true' : ''}`, raw: g.chance(0.5) ? Buffer.concat([Buffer.from('S2EMSNAP\u0000\u0000\u0000\u0001\u0001\u0000\u0000\u0000'), g.bytes(g.int(40))]) : g.bytes(g.int(40)) },
      { method: 'GET', path: `${scope}/snapshots/${snapshot}/file` },
      { method: 'PUT', path: `${scope}/clock`, value: { now: g.pick([0, -1, 1e20, '2030-01-01T00:00:00Z', 'yesterday']) } },
      { method: 'POST', path: `${scope}/clock/freeze`, value: { at: g.pick(['soon', -5, 1.5, '2030-13-45']) } },
      { method: 'POST', path: `${scope}/clock/advance`, value: { by: g.pick(['-1s', '1x', '', 0, -5, '1e400d', '99999999999d']) } },
      { method: 'PUT', path: `${scope}/timing`, value: { profile: g.pick(['lite', 'nope']), append: { ackDelay: '-1ms' } } },
      { method: 'POST', path: `${scope}/init`, value: { basins: [{ name: g.pick(BAD_BASINS), streams: [{ name: 'x', config: { retention_policy: { age: -1 } } }] }] } },
      { method: 'GET', path: `${scope}/journal?${g.pick(['limit', 'operation', 'status', 'since'])}=${g.pick(QUERY_VALUES)}` },
      { method: 'GET', path: `${scope}/basins/${g.pick([...BAD_BASINS, 'fuzz-plain'])}/streams/${g.pick(['log', '%00', 'x'.repeat(600)])}/records?${g.pick(READ_PARAMS)}=${g.pick(QUERY_VALUES)}` },
      { method: 'DELETE', path: `${scope}/access-tokens/${g.pick(['x', '%00', 'y'.repeat(100)])}` },
      { method: g.pick(['PATCH', 'PUT', 'DELETE']), path: g.pick([`${scope}/clock/advance`, `${scope}/journal`, '/_emulator/openapi.json', `${scope}/reset`]) },
    ]
    const choice = g.pick(options)
    let body: Uint8Array = new Uint8Array(0)
    if (choice.raw !== undefined) body = choice.raw
    else if (choice.value !== undefined) {
      body = this.#mutateJson(choice.value)
      headers['content-type'] = g.chance(0.9) ? 'application/json' : g.pick(CONTENT_TYPES)
    } else if (choice.method !== 'GET' && g.chance(0.3)) {
      body = g.bytes(g.int(32))
      headers['content-type'] = g.pick(CONTENT_TYPES)
    }
    return { method: choice.method, path: choice.path, headers, body }
  }
}

/** Whether a query asks to wait for records (a positive integer `wait`). */
function mayWait(path: string): boolean {
  const query = path.split('?')[1] ?? ''
  return query.split(/[&;]/).some((part) => {
    const [name, value = ''] = part.split('=')
    if (name !== 'wait') return false
    const decoded = safeDecode(value).trim()
    return /^\+?\d+$/.test(decoded) && Number(decoded) > 0
  })
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

function collectKeys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, out)
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      out.push(key)
      collectKeys(inner, out)
    }
  }
  return out.length === 0 ? ['x'] : out
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Replaces the first value of `"key":` in a JSON text (a scalar, or a whole object or array). */
function replaceValue(text: string, key: string, replacement: string): string {
  const at = text.indexOf(`"${key}":`)
  if (at < 0) return text
  const start = at + key.length + 3
  let depth = 0
  let inString = false
  let end = start
  for (; end < text.length; end++) {
    const c = text[end]
    if (inString) {
      if (c === '\\') end++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      if (depth === 0) break
      depth--
    } else if (c === ',' && depth === 0) break
    if (depth === 0 && (c === '}' || c === ']')) {
      end++
      break
    }
  }
  return text.slice(0, start) + replacement + text.slice(end)
}
