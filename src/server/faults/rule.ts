import { S2_ERROR_STATUS, type JsonValue } from '../errors/index.ts'
import { namespaceNameProblem } from '../namespaces/names.ts'
import { OPERATIONS, type Operation } from '../operations.ts'

/**
 * Fault rules: plain JSON-able data, the same whether they come from a test, a file or the
 * admin API. A rule is a match, an action and a budget.
 */

export const TRANSPORTS = ['unary', 'sse', 's2s'] as const
export type Transport = (typeof TRANSPORTS)[number]

/** A name filter: the exact name, or every name with a prefix. */
export type NameMatch = string | { readonly prefix: string }

export interface FaultMatch {
  /** OpenAPI operation ids (`append`, `read`, `check_tail`, `create_stream`, ...). */
  readonly operation?: Operation | readonly Operation[]
  readonly basin?: NameMatch
  readonly stream?: NameMatch
  readonly transport?: Transport | readonly Transport[]
  /**
   * The request's namespace, by name (`default`, or `ns-...` for a token's namespace with isolation
   * on). Rules added through a namespace's handle match only that namespace anyway.
   */
  readonly namespace?: string
  /** Request headers that must be present with exactly these values (names are case-insensitive). */
  readonly headers?: Readonly<Record<string, string>>
}

/** A point in a session after which a session fault acts: after N records, N batches or N acks. */
export interface SessionPoint {
  readonly records?: number
  readonly batches?: number
  readonly acks?: number
}

/**
 * What a `reset` (or a `lose_ack` in mode `reset`) breaks: only the request it hit (RST_STREAM
 * CANCEL on HTTP/2, where the SDK shares one connection among sessions; on HTTP/1.1 the connection,
 * which carries one request at a time), or the whole connection with every request on it.
 */
export const FAULT_SCOPES = ['request', 'connection'] as const
export type FaultScope = (typeof FAULT_SCOPES)[number]

/** Milliseconds, fixed or drawn uniformly from [min, max] with the fault seed. */
export type Delay = number | readonly [number, number]

export type FaultAction =
  | {
      readonly type: 'latency'
      readonly ms: Delay
      /** Unary: delay before handling the request (default) or after, before the response. Sessions delay every frame or event. */
      readonly when?: 'before' | 'after'
    }
  | {
      readonly type: 'error'
      readonly status: number
      /** S2 error code for the `{code, message}` body; defaults to the code S2 uses for the status. */
      readonly code?: string
      readonly message?: string
      /** A body to send instead of `{code, message}` (e.g. `{"seq_num_mismatch": 5}` or `{"tail": {...}}`). */
      readonly body?: JsonValue
      /** Seconds, sent as `retry-after`. */
      readonly retryAfter?: number
      /** In a session: fail mid-stream (a terminal frame or an SSE error event) after this point instead of before it starts. */
      readonly after?: SessionPoint
    }
  | {
      readonly type: 'reset'
      /** Drop the connection before the request is handled (default), or after it was handled, before the response. */
      readonly when?: 'before' | 'after'
      /** In a session: drop the connection after this point. */
      readonly after?: SessionPoint
      /** `request` (default): reset only this request (RST_STREAM on HTTP/2); `connection`: drop the whole connection. */
      readonly scope?: FaultScope
    }
  | {
      readonly type: 'truncate'
      /** End a read session after this point. */
      readonly after: SessionPoint
      /** `clean`: a normal end of the body; `partial`: half an event or frame first; `rst`: HTTP/2 RST_STREAM (HTTP/1.1: connection dropped). */
      readonly mode?: 'clean' | 'partial' | 'rst'
    }
  | {
      readonly type: 'stall'
      /** How long to send nothing; absent: for ever (the connection stays open). */
      readonly ms?: number
      /** In a session: stall after this point (default: at once). */
      readonly after?: SessionPoint
    }
  | { readonly type: 'throttle'; readonly bytesPerSecond: number }
  | {
      readonly type: 'lose_ack'
      /** After the append commits: drop the connection (default), or answer with an error. */
      readonly mode?: 'reset' | 'error'
      /** With mode `error`: the status (default 500, code `other`). */
      readonly status?: number
      readonly code?: string
      readonly message?: string
      /** In an S2S append session: lose the ack of the input after this many acks (default the first). */
      readonly after?: SessionPoint
      /** With mode `reset`: `request` (default) resets only this request (RST_STREAM on HTTP/2); `connection` drops the whole connection. */
      readonly scope?: FaultScope
    }
  | {
      readonly type: 'reject_before_commit'
      /** The status of the definite failure (default 503 `unavailable`). */
      readonly status?: number
      readonly code?: string
      readonly message?: string
      /** In an S2S append session: reject the input after this many acks (default the first). */
      readonly after?: SessionPoint
    }

export const ACTION_TYPES = ['latency', 'error', 'reset', 'truncate', 'stall', 'throttle', 'lose_ack', 'reject_before_commit'] as const
export type ActionType = (typeof ACTION_TYPES)[number]

/** A rule as a caller writes it. */
export interface FaultRuleInput {
  /** An id to refer to the rule by; generated (`fault-1`, ...) when absent. */
  readonly id?: string
  /** Free text shown when the rule is listed or did not fire. */
  readonly description?: string
  readonly match?: FaultMatch
  readonly action: FaultAction
  /** Fire at most this many times. */
  readonly times?: number
  /** Skip the first N matching requests. */
  readonly after?: number
  /** Fire on every Nth matching request (after `after`). */
  readonly every?: number
  /** Fire with this probability (0..1), drawn from the seeded generator. */
  readonly probability?: number
}

/** A rule as the emulator holds and reports it. */
export interface FaultRule extends FaultRuleInput {
  readonly id: string
  readonly match: FaultMatch
  /** Requests that matched `match`. */
  readonly matched: number
  /** Requests the rule acted on. */
  readonly fired: number
}

// ---- validation ----

type Problems = string[]

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const list = (items: readonly string[]): string => items.map((i) => `"${i}"`).join(', ')

function checkKeys(obj: Record<string, unknown>, path: string, allowed: readonly string[], problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${path}${key}: unknown field; allowed: ${list(allowed)}`)
  }
}

function checkOneOrMany(value: unknown, path: string, allowed: readonly string[], problems: Problems): void {
  const values = Array.isArray(value) ? value : [value]
  if (values.length === 0) problems.push(`${path}: must not be an empty list`)
  for (const v of values) {
    if (typeof v !== 'string' || !allowed.includes(v)) {
      problems.push(`${path}: ${JSON.stringify(v)} is not one of ${list(allowed)}`)
    }
  }
}

function checkName(value: unknown, path: string, problems: Problems): void {
  if (typeof value === 'string') return
  if (isObject(value) && typeof value.prefix === 'string' && Object.keys(value).length === 1) return
  problems.push(`${path}: must be a name (string) or {"prefix": string}`)
}

function checkMatch(value: unknown, problems: Problems): void {
  if (value === undefined) return
  if (!isObject(value)) {
    problems.push('match: must be an object')
    return
  }
  checkKeys(value, 'match.', ['operation', 'basin', 'stream', 'transport', 'namespace', 'headers'], problems)
  if (value.operation !== undefined) checkOneOrMany(value.operation, 'match.operation', OPERATIONS, problems)
  if (value.transport !== undefined) checkOneOrMany(value.transport, 'match.transport', TRANSPORTS, problems)
  if (value.basin !== undefined) checkName(value.basin, 'match.basin', problems)
  if (value.stream !== undefined) checkName(value.stream, 'match.stream', problems)
  if (value.namespace !== undefined) {
    const problem = typeof value.namespace === 'string' ? namespaceNameProblem(value.namespace) : 'must be a string'
    if (problem !== null) problems.push(`match.namespace: ${problem}`)
  }
  if (value.headers !== undefined) {
    if (!isObject(value.headers) || Object.values(value.headers).some((v) => typeof v !== 'string')) {
      problems.push('match.headers: must be an object of header names to string values')
    }
  }
}

function checkPoint(value: unknown, path: string, problems: Problems, required = false): void {
  if (value === undefined) {
    if (required) problems.push(`${path}: required: {"records": N} or {"batches": N} (or {"acks": N} for appends)`)
    return
  }
  if (!isObject(value)) {
    problems.push(`${path}: must be {"records": N}, {"batches": N} or {"acks": N}`)
    return
  }
  checkKeys(value, `${path}.`, ['records', 'batches', 'acks'], problems)
  const given = (['records', 'batches', 'acks'] as const).filter((k) => value[k] !== undefined)
  if (given.length !== 1) problems.push(`${path}: give exactly one of "records", "batches" or "acks"`)
  for (const key of given) if (!isCount(value[key])) problems.push(`${path}.${key}: must be an integer >= 0`)
}

function checkStatus(value: unknown, path: string, problems: Problems, required: boolean): void {
  if (value === undefined && !required) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    problems.push(`${path}: must be an HTTP status from 100 to 599`)
  }
}

function checkCode(value: unknown, path: string, problems: Problems): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) problems.push(`${path}: must be a non-empty string`)
}

function checkAction(value: unknown, problems: Problems): void {
  if (!isObject(value)) {
    problems.push(`action: required: an object with "type", one of ${list(ACTION_TYPES)}`)
    return
  }
  const type = value.type
  if (typeof type !== 'string' || !(ACTION_TYPES as readonly string[]).includes(type)) {
    problems.push(`action.type: ${JSON.stringify(type)} is not one of ${list(ACTION_TYPES)}`)
    return
  }
  const fields: Record<ActionType, readonly string[]> = {
    latency: ['ms', 'when'],
    error: ['status', 'code', 'message', 'body', 'retryAfter', 'after'],
    reset: ['when', 'after', 'scope'],
    truncate: ['after', 'mode'],
    stall: ['ms', 'after'],
    throttle: ['bytesPerSecond'],
    lose_ack: ['mode', 'status', 'code', 'message', 'after', 'scope'],
    reject_before_commit: ['status', 'code', 'message', 'after'],
  }
  checkKeys(value, 'action.', ['type', ...fields[type as ActionType]], problems)
  const when = (allowed: readonly string[]): void => {
    if (value.when !== undefined && !allowed.includes(value.when as string)) {
      problems.push(`action.when: ${JSON.stringify(value.when)} is not one of ${list(allowed)}`)
    }
  }
  if (value.scope !== undefined && !(FAULT_SCOPES as readonly unknown[]).includes(value.scope)) {
    problems.push(`action.scope: ${JSON.stringify(value.scope)} is not one of ${list(FAULT_SCOPES)}`)
  }
  switch (type as ActionType) {
    case 'latency': {
      const ms = value.ms
      const ok = isMs(ms) || (Array.isArray(ms) && ms.length === 2 && ms.every(isMs) && (ms[0] as number) <= (ms[1] as number))
      if (!ok) problems.push('action.ms: must be milliseconds >= 0, or [min, max] with min <= max')
      when(['before', 'after'])
      break
    }
    case 'error':
      checkStatus(value.status, 'action.status', problems, true)
      checkCode(value.code, 'action.code', problems)
      if (value.message !== undefined && typeof value.message !== 'string') problems.push('action.message: must be a string')
      if (value.retryAfter !== undefined && !isCount(value.retryAfter)) problems.push('action.retryAfter: must be whole seconds >= 0')
      checkPoint(value.after, 'action.after', problems)
      break
    case 'reset':
      when(['before', 'after'])
      checkPoint(value.after, 'action.after', problems)
      if (value.after !== undefined && value.when !== undefined) problems.push('action: give "when" or "after", not both')
      break
    case 'truncate':
      checkPoint(value.after, 'action.after', problems, true)
      if (value.mode !== undefined && !['clean', 'partial', 'rst'].includes(value.mode as string)) {
        problems.push(`action.mode: ${JSON.stringify(value.mode)} is not one of "clean", "partial", "rst"`)
      }
      break
    case 'stall':
      if (value.ms !== undefined && !isMs(value.ms)) problems.push('action.ms: must be milliseconds >= 0 (omit it to stall for ever)')
      checkPoint(value.after, 'action.after', problems)
      break
    case 'throttle':
      if (typeof value.bytesPerSecond !== 'number' || !(value.bytesPerSecond >= 1)) {
        problems.push('action.bytesPerSecond: must be a number >= 1')
      }
      break
    case 'lose_ack':
      if (value.mode !== undefined && !['reset', 'error'].includes(value.mode as string)) {
        problems.push(`action.mode: ${JSON.stringify(value.mode)} is not one of "reset", "error"`)
      }
      checkStatus(value.status, 'action.status', problems, false)
      checkCode(value.code, 'action.code', problems)
      checkPoint(value.after, 'action.after', problems)
      if (value.mode === 'error' && value.scope !== undefined) problems.push('action.scope: applies only to mode "reset"')
      break
    case 'reject_before_commit':
      checkStatus(value.status, 'action.status', problems, false)
      checkCode(value.code, 'action.code', problems)
      checkPoint(value.after, 'action.after', problems)
      break
  }
}

/** Every problem with a rule, each naming its field and what is allowed; empty when valid. */
export function ruleProblems(value: unknown): string[] {
  const problems: Problems = []
  if (!isObject(value)) return ['rule: must be an object with "action" (and optionally "match", "times", "after", "every", "probability")']
  checkKeys(value, '', ['id', 'description', 'match', 'action', 'times', 'after', 'every', 'probability'], problems)
  if (value.id !== undefined && (typeof value.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(value.id))) {
    problems.push('id: must be 1 to 64 characters of letters, digits, ".", "_" and "-"')
  } else if (value.id === 'seed') {
    problems.push('id: "seed" is reserved (it names the seed route of the admin API)')
  }
  if (value.description !== undefined && typeof value.description !== 'string') problems.push('description: must be a string')
  checkMatch(value.match, problems)
  checkAction(value.action, problems)
  if (value.times !== undefined && !(isCount(value.times) && value.times >= 1)) problems.push('times: must be an integer >= 1')
  if (value.after !== undefined && !isCount(value.after)) problems.push('after: must be an integer >= 0')
  if (value.every !== undefined && !(isCount(value.every) && value.every >= 1)) problems.push('every: must be an integer >= 1')
  if (value.probability !== undefined) {
    if (typeof value.probability !== 'number' || !(value.probability >= 0 && value.probability <= 1)) {
      problems.push('probability: must be a number from 0 to 1')
    }
  }
  return problems
}

/** The S2 code a status travels with, for error bodies a rule does not spell out. */
export function defaultCode(status: number): string {
  const preferred: Record<number, string> = { 500: 'other', 503: 'unavailable', 409: 'transaction_conflict', 400: 'bad_json' }
  if (preferred[status]) return preferred[status]
  for (const [code, s] of Object.entries(S2_ERROR_STATUS)) if (s === status) return code
  return 'other'
}
