import { S2EmulatorError } from '../../server/errors/index.ts'
import { CASSETTE_FORMAT, CASSETTE_VERSION, type Cassette, type CassetteEntry } from './types.ts'

type Obj = Record<string, unknown>
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Migrations from older format versions, each to the next one. Version 1 is the first, so there
 * are none yet; a file of an older version fails with a clear error instead.
 */
const MIGRATIONS: Readonly<Record<number, (old: Obj) => Obj>> = {}

const bad = (where: string, message: string): S2EmulatorError =>
  new S2EmulatorError('S2EMU_BAD_CASSETTE', `${where}: ${message}`)

/**
 * Checks a parsed cassette (`where` names the file in messages): its format marker and version
 * first, migrating older versions where a migration exists, then the shape of every entry.
 */
export function validateCassette(raw: unknown, where: string): Cassette {
  if (!isObject(raw) || raw.format !== CASSETTE_FORMAT) {
    throw bad(where, `not an s2-emulator cassette (no "format": "${CASSETTE_FORMAT}" at the top)`)
  }
  let doc: Obj = raw
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version)) throw bad(where, '"version" must be an integer')
  if (doc.version > CASSETTE_VERSION) {
    throw new S2EmulatorError(
      'S2EMU_CASSETTE_VERSION',
      `${where}: cassette format version ${doc.version} is newer than this s2-emulator reads (up to ${CASSETTE_VERSION}); upgrade s2-emulator`,
    )
  }
  while ((doc.version as number) < CASSETTE_VERSION) {
    const migrate = MIGRATIONS[doc.version as number]
    if (!migrate) {
      throw new S2EmulatorError(
        'S2EMU_CASSETTE_VERSION',
        `${where}: cassette format version ${doc.version} is no longer read (this s2-emulator reads version ${CASSETTE_VERSION}); record the cassette again`,
      )
    }
    doc = migrate(doc)
  }
  if (typeof doc.recordedAt !== 'string' || Number.isNaN(Date.parse(doc.recordedAt))) {
    throw bad(where, '"recordedAt" must be an ISO 8601 time')
  }
  if (!Array.isArray(doc.entries)) throw bad(where, '"entries" must be an array')
  const redaction = isObject(doc.redaction) ? doc.redaction : {}
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])
  const ids = new Set<number>()
  doc.entries.forEach((entry, i) => {
    const at = `${where}: entries[${i}]`
    checkEntry(entry, at)
    if (ids.has(entry.id)) throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `${at}: id ${entry.id} is used twice`)
    ids.add(entry.id)
  })
  return {
    format: CASSETTE_FORMAT,
    version: CASSETTE_VERSION,
    recordedAt: doc.recordedAt,
    ...(typeof doc.recorder === 'string' ? { recorder: doc.recorder } : {}),
    ...(isObject(doc.upstream) && typeof doc.upstream.account === 'string'
      ? {
          upstream: {
            account: doc.upstream.account,
            ...(typeof doc.upstream.basin === 'string' ? { basin: doc.upstream.basin } : {}),
          },
        }
      : {}),
    redaction: { headers: strings(redaction.headers), jsonFields: strings(redaction.jsonFields) },
    entries: doc.entries as CassetteEntry[],
  }
}

function checkEntry(entry: unknown, at: string): asserts entry is CassetteEntry {
  const fail = (message: string): never => {
    throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `${at}: ${message}`)
  }
  if (!isObject(entry)) return fail('must be an object')
  if (typeof entry.id !== 'number') fail('"id" must be a number')
  for (const key of ['start', 'duration']) if (typeof entry[key] !== 'number') fail(`"${key}" must be a number`)
  if (entry.protocol !== 'http/1.1' && entry.protocol !== 'h2') fail('"protocol" must be "http/1.1" or "h2"')
  if (entry.transport !== 'unary' && entry.transport !== 'sse' && entry.transport !== 's2s') {
    fail('"transport" must be "unary", "sse" or "s2s"')
  }
  const request = entry.request
  if (!isObject(request)) return fail('"request" must be an object')
  if (typeof request.method !== 'string' || typeof request.path !== 'string') fail('"request" needs "method" and "path"')
  if (!isObject(request.headers)) fail('"request.headers" must be an object')
  checkBody(request.body, `${at}.request.body`)
  const response = entry.response
  if (!isObject(response)) return fail('"response" must be an object')
  if (typeof response.status !== 'number') fail('"response.status" must be a number')
  if (!isObject(response.headers)) fail('"response.headers" must be an object')
  checkBody(response.body, `${at}.response.body`)
  if (entry.session !== undefined) {
    const session = entry.session
    if (!isObject(session) || !Array.isArray(session.output) || !isObject(session.end)) {
      fail('"session" needs an "output" array and an "end"')
    }
    const s = session as Obj
    for (const list of ['input', 'output']) {
      const items = s[list]
      if (items === undefined) continue
      if (!Array.isArray(items)) fail(`"session.${list}" must be an array`)
      ;(items as unknown[]).forEach((item, j) => {
        if (!isObject(item) || typeof item.at !== 'number') fail(`session.${list}[${j}] needs a number "at"`)
      })
    }
  }
}

function checkBody(body: unknown, at: string): void {
  if (body === undefined) return
  const ok =
    isObject(body) &&
    ('json' in body ||
      ('proto' in body && 'message' in body) ||
      typeof body.text === 'string' ||
      typeof body.base64 === 'string')
  if (!ok) throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `${at}: a body holds one of "json", "proto" + "message", "text" or "base64"`)
}
