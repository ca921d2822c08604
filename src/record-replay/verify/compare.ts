import { mediaKind } from '../../server/http/request/media.ts'
import type { Body, CassetteEntry, FrameEntry, JsonValue, SseEventEntry } from '../cassette/types.ts'
import { preview } from '../match/json-diff.ts'
import { semanticDifferences, type SemanticOptions } from './semantic.ts'

/**
 * Compares an exchange as recorded with the same request's answer from the emulator, by meaning:
 * status, error code (and the bodies of 412 and 416, which carry no code), acked positions,
 * record content, and how sessions ended. Times compare by meaning (see semantic.ts); heartbeats
 * and batch boundaries do not count: a session's records are compared as one sequence.
 */
export function compareEntries(recorded: CassetteEntry, actual: CassetteEntry, options: SemanticOptions): string[] {
  const out: string[] = []
  const rs = recorded.response.status
  const as = actual.response.status
  if (rs !== as) {
    out.push(`status: recorded ${rs}, emulator ${as}${as >= 400 ? errorSummary(actual.response.body) : ''}`)
    return out
  }
  if (recorded.session === undefined || rs >= 300) {
    if (rs >= 400) out.push(...errorDifferences(recorded.response.body, actual.response.body, options))
    else out.push(...unaryDifferences(recorded, actual, options))
    return out
  }
  out.push(...sessionDifferences(recorded, actual, options))
  return out
}

function errorSummary(body: Body | undefined): string {
  const value = bodyJson(body)
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.code === 'string') {
    return ` (${value.code}${typeof value.message === 'string' ? `: ${value.message}` : ''})`
  }
  return value === undefined ? '' : ` (${preview(value, 100)})`
}

function bodyJson(body: Body | undefined): JsonValue | undefined {
  if (body === undefined) return undefined
  if ('json' in body) return body.json
  if ('proto' in body) return body.message
  if ('text' in body) return body.text
  return body.base64
}

/** Error bodies: the `code`; a codeless body (412, 416) by its content. Messages are wording, not meaning. */
function errorDifferences(recorded: Body | undefined, actual: Body | undefined, options: SemanticOptions): string[] {
  const r = bodyJson(recorded)
  const a = bodyJson(actual)
  const obj = (v: JsonValue | undefined): { [key: string]: JsonValue } | null =>
    v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : null
  const ro = obj(r)
  const ao = obj(a)
  if (ro && typeof ro.code === 'string') {
    return ro.code === ao?.code ? [] : [`error code: recorded ${ro.code}, emulator ${preview(ao?.code ?? a)}`]
  }
  const { message: _rm, ...rest } = ro ?? {}
  const { message: _am, ...actualRest } = ao ?? {}
  return semanticDifferences(ro ? rest : r, ao ? actualRest : a, options, 'error body')
}

function unaryDifferences(recorded: CassetteEntry, actual: CassetteEntry, options: SemanticOptions): string[] {
  const out: string[] = []
  const rk = mediaKind(recorded.response.headers['content-type'])
  const ak = mediaKind(actual.response.headers['content-type'])
  if (rk !== ak) out.push(`content type: recorded ${recorded.response.headers['content-type']}, emulator ${actual.response.headers['content-type']}`)
  const rp = recorded.response.headers['s2-provision-result']
  const ap = actual.response.headers['s2-provision-result']
  if (rp !== ap) out.push(`s2-provision-result: recorded ${rp ?? '(none)'}, emulator ${ap ?? '(none)'}`)
  out.push(...semanticDifferences(bodyJson(recorded.response.body), bodyJson(actual.response.body), options, 'body'))
  return out
}

interface SessionSummary {
  /** Records of every batch, in order (read sessions). */
  readonly records: JsonValue[]
  /** Acks in order (append sessions). */
  readonly acks: JsonValue[]
  /** A terminal frame or SSE error event: its status (S2S) and body. */
  readonly failure: { status?: number; body: JsonValue } | null
  /** SSE `data: [DONE]` seen. */
  readonly done: boolean
  readonly end: string
  /** Frames that did not decode. */
  readonly undecoded: number
}

function summarise(entry: CassetteEntry): SessionSummary {
  const records: JsonValue[] = []
  const acks: JsonValue[] = []
  let failure: SessionSummary['failure'] = null
  let done = false
  let undecoded = 0
  for (const item of entry.session?.output ?? []) {
    if ('type' in item) summariseFrame(item)
    else summariseEvent(item)
  }
  function summariseFrame(frame: FrameEntry): void {
    if (frame.type === 'terminal') failure = { status: frame.status, body: frame.body }
    else if (frame.type === 'bytes') undecoded++
    else if (frame.type === 'AppendAck') acks.push(frame.message)
    else if (frame.type === 'ReadBatch') records.push(...batchRecords(frame.message))
  }
  function summariseEvent(event: SseEventEntry): void {
    if (event.event === 'batch' && event.data !== undefined) records.push(...batchRecords(event.data))
    else if (event.event === 'error') failure = { body: event.data ?? event.text ?? null }
    else if (event.event === undefined && event.text === '[DONE]') done = true
  }
  // A session the recording stopped in the middle of ends, in verification, as the client closing it.
  const end = entry.session?.end.kind ?? 'complete'
  return { records, acks, failure, done, end: end === 'recording_stopped' ? 'client_closed' : end, undecoded }
}

function batchRecords(batch: JsonValue): JsonValue[] {
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) return []
  return Array.isArray(batch.records) ? batch.records : []
}

function sessionDifferences(recorded: CassetteEntry, actual: CassetteEntry, options: SemanticOptions): string[] {
  const r = summarise(recorded)
  const a = summarise(actual)
  const out: string[] = []
  if (r.acks.length > 0 || a.acks.length > 0) out.push(...semanticDifferences(r.acks, a.acks, options, 'acks'))
  if (r.records.length > 0 || a.records.length > 0) out.push(...semanticDifferences(r.records, a.records, options, 'records'))
  if (r.failure === null && a.failure !== null) {
    out.push(`session failure: recorded none, emulator ${a.failure.status ?? 'error event'} ${preview(a.failure.body, 100)}`)
  } else if (r.failure !== null && a.failure === null) {
    out.push(`session failure: recorded ${r.failure.status ?? 'error event'} ${preview(r.failure.body, 100)}, emulator none`)
  } else if (r.failure !== null && a.failure !== null) {
    if (r.failure.status !== a.failure.status) out.push(`session failure status: recorded ${r.failure.status}, emulator ${a.failure.status}`)
    else {
      const body = (f: { body: JsonValue }): Body => ({ json: f.body })
      out.push(...errorDifferences(body(r.failure), body(a.failure), options).map((d) => `session failure ${d}`))
    }
  }
  if (r.done !== a.done) out.push(`session [DONE]: recorded ${r.done ? 'sent' : 'not sent'}, emulator ${a.done ? 'sent' : 'not sent'}`)
  if (r.end !== a.end) out.push(`session end: recorded ${r.end}, emulator ${a.end === 'client_closed' ? 'still open when verify gave up' : a.end}`)
  if (r.undecoded !== a.undecoded) out.push(`undecodable frames: recorded ${r.undecoded}, emulator ${a.undecoded}`)
  return out
}
