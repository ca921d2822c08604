import {
  REDACTED,
  type Body,
  type CassetteEntry,
  type FrameEntry,
  type HeaderMap,
  type JsonValue,
  type RedactionRules,
  type SseEventEntry,
} from './types.ts'

/** Always redacted: the access token and the stream encryption key. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = ['authorization', 's2-encryption-key']
/** Always redacted: access tokens issued by the account API. */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = ['access_token']

/** The default rules plus the user's, names lower-cased and deduplicated. */
export function redactionRules(extra: { headers?: readonly string[]; jsonFields?: readonly string[] } = {}): RedactionRules {
  const headers = new Set([...DEFAULT_REDACTED_HEADERS, ...(extra.headers ?? []).map((h) => h.trim().toLowerCase())])
  const jsonFields = new Set([...DEFAULT_REDACTED_FIELDS, ...(extra.jsonFields ?? []).map((f) => f.trim())])
  headers.delete('')
  jsonFields.delete('')
  return { headers: [...headers], jsonFields: [...jsonFields] }
}

/** Two rule sets together (a cassette's own and the loader's). */
export function mergeRules(a: RedactionRules, b: RedactionRules): RedactionRules {
  return redactionRules({ headers: [...a.headers, ...b.headers], jsonFields: [...a.jsonFields, ...b.jsonFields] })
}

export function redactHeaders(headers: HeaderMap, rules: RedactionRules): HeaderMap {
  const names = new Set(rules.headers.map((h) => h.toLowerCase()))
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name] = names.has(name.toLowerCase()) ? REDACTED : value
  return out
}

interface Compiled {
  readonly anywhere: Set<string>
  readonly paths: readonly (readonly string[])[]
}

function compile(rules: RedactionRules): Compiled {
  const anywhere = new Set<string>()
  const paths: string[][] = []
  for (const field of rules.jsonFields) {
    if (field.includes('.')) paths.push(field.split('.'))
    else anywhere.add(field)
  }
  return { anywhere, paths }
}

/**
 * The value with the named fields replaced by `[REDACTED]`, and whether anything changed. Array
 * elements are transparent to paths: `records.body` names the body of every record.
 */
export function redactJson(value: JsonValue, rules: RedactionRules): { value: JsonValue; changed: boolean } {
  const compiled = compile(rules)
  if (compiled.anywhere.size === 0 && compiled.paths.length === 0) return { value, changed: false }
  let changed = false
  const walk = (node: JsonValue, depth: number, live: readonly (readonly string[])[]): JsonValue => {
    if (Array.isArray(node)) return node.map((item) => walk(item, depth, live))
    if (node === null || typeof node !== 'object') return node
    const out: { [key: string]: JsonValue } = {}
    for (const [key, child] of Object.entries(node)) {
      const next = live.filter((p) => p[depth] === key || p[depth] === '*')
      const hit = compiled.anywhere.has(key) || next.some((p) => p.length === depth + 1)
      if (hit && child !== REDACTED) {
        changed = true
        out[key] = REDACTED
      } else out[key] = hit ? child : walk(child, depth + 1, next.filter((p) => p.length > depth + 1))
    }
    return out
  }
  const result = walk(value, 0, compiled.paths)
  return { value: result, changed }
}

function redactBody<B extends Body | undefined>(body: B, rules: RedactionRules): B {
  if (body === undefined) return body
  if ('json' in body) {
    const { value, changed } = redactJson(body.json, rules)
    return (changed ? { json: value } : body) as B
  }
  if ('proto' in body) {
    const { value, changed } = redactJson(body.message, rules)
    if (!changed) return body
    const { raw: _raw, ...rest } = body
    return { ...rest, message: value } as B
  }
  return body
}

function redactOutput(item: FrameEntry | SseEventEntry, rules: RedactionRules): FrameEntry | SseEventEntry {
  if ('type' in item) {
    if (item.type === 'terminal') return { ...item, body: redactJson(item.body, rules).value }
    if (item.type === 'bytes') return item
    const { value, changed } = redactJson(item.message, rules)
    if (!changed) return item
    const { raw: _raw, ...rest } = item
    return { ...rest, message: value }
  }
  if (item.data === undefined) return item
  const { value, changed } = redactJson(item.data, rules)
  if (!changed) return item
  const { raw: _raw, ...rest } = item
  return { ...rest, data: value }
}

/** An entry with the rules applied again (at load: a cassette may come from elsewhere, or predate a rule). */
export function redactEntry(entry: CassetteEntry, rules: RedactionRules): CassetteEntry {
  const out: CassetteEntry = {
    ...entry,
    request: { ...entry.request, headers: redactHeaders(entry.request.headers, rules), body: redactBody(entry.request.body, rules) },
    response: { ...entry.response, headers: redactHeaders(entry.response.headers, rules), body: redactBody(entry.response.body, rules) },
  }
  if (entry.session === undefined) return out
  const session = entry.session
  return {
    ...out,
    session: {
      ...session,
      ...(session.input ? { input: session.input.map((f) => redactOutput(f, rules) as FrameEntry) } : {}),
      output: session.output.map((item) => redactOutput(item, rules)),
    },
  }
}
