import type { JsonValue } from '../errors/index.ts'
import type { SelectedFault } from './registry.ts'
import { defaultCode, type Delay, type FaultAction, type FaultScope, type SessionPoint } from './rule.ts'

/**
 * What the fault rules chosen for one request ask the protocol layer to do, as plain steps. The
 * protocol layer carries them out (sleeping, answering, dropping the connection); this module
 * knows rules, the protocol layer does not.
 */

/** An error to answer with: an HTTP response, a terminal S2S frame or an SSE error event. */
export interface FaultError {
  readonly status: number
  readonly body: JsonValue
  readonly headers: Readonly<Record<string, string>>
}

export type Step =
  | { readonly kind: 'sleep'; readonly ms: number }
  /** Send nothing for `ms`, or until the client goes away when `ms` is Infinity. */
  | { readonly kind: 'stall'; readonly ms: number }
  | { readonly kind: 'fail'; readonly error: FaultError }
  /** Reset the request (RST_STREAM CANCEL on HTTP/2) or drop the whole connection. */
  | { readonly kind: 'drop'; readonly scope: FaultScope }
  /** End a read session early: cleanly, after half an event or frame, or with RST_STREAM. */
  | { readonly kind: 'truncate'; readonly mode: 'clean' | 'partial' | 'rst' }

interface Trigger {
  readonly point: SessionPoint
  readonly step: Step
  /** For append sessions: act after the commit of the input instead of before it (lose_ack). */
  readonly afterCommit: boolean
}

function errorOf(status: number, code: string | undefined, message: string | undefined, body?: JsonValue, retryAfter?: number): FaultError {
  const c = code ?? defaultCode(status)
  return {
    status,
    body: body ?? { code: c, message: message ?? `fault injected by s2-emulator: ${status} ${c}` },
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
  }
}

const stallStep = (ms: number | undefined): Step => ({ kind: 'stall', ms: ms ?? Infinity })
/** A fault resets only the request it hit unless its rule asks for the whole connection. */
const dropStep = (scope: FaultScope | undefined): Step => ({ kind: 'drop', scope: scope ?? 'request' })

export class FaultPlan {
  static readonly none = new FaultPlan([], () => 0)

  readonly ruleIds: readonly string[]
  readonly #actions: readonly FaultAction[]
  readonly #delay: (d: Delay) => number
  /** Session triggers not yet reached, in the order their rules were armed. */
  #triggers: Trigger[]

  constructor(selected: readonly SelectedFault[], delay: (d: Delay) => number) {
    this.ruleIds = selected.map((s) => s.ruleId)
    this.#actions = selected.map((s) => s.action)
    this.#delay = delay
    this.#triggers = []
    for (const action of this.#actions) {
      const trigger = sessionTrigger(action)
      if (trigger) this.#triggers.push(trigger)
    }
  }

  get empty(): boolean {
    return this.#actions.length === 0
  }

  /** Bytes per second to limit the response body to, if a throttle fired. */
  get throttle(): number | null {
    let limit: number | null = null
    for (const a of this.#actions) if (a.type === 'throttle') limit = Math.min(limit ?? Infinity, a.bytesPerSecond)
    return limit
  }

  /** Steps before a unary request (or a session's start) is handled. */
  beforeHandling(session: boolean): Step[] {
    const steps: Step[] = []
    for (const a of this.#actions) {
      switch (a.type) {
        case 'latency':
          if (!session && a.when !== 'after') steps.push({ kind: 'sleep', ms: this.#delay(a.ms) })
          break
        case 'error':
          if (a.after === undefined) steps.push({ kind: 'fail', error: errorOf(a.status, a.code, a.message, a.body, a.retryAfter) })
          break
        case 'reset':
          if (a.after === undefined && a.when !== 'after') steps.push(dropStep(a.scope))
          break
        case 'stall':
          if (a.after === undefined && !session) steps.push(stallStep(a.ms))
          break
        case 'reject_before_commit':
          if (!session) steps.push({ kind: 'fail', error: errorOf(a.status ?? 503, a.code, a.message) })
          break
        default:
          break
      }
    }
    return steps
  }

  /** Steps after a unary request was handled, before its response; `committed`: an append succeeded. */
  afterHandling(committed: boolean): Step[] {
    const steps: Step[] = []
    for (const a of this.#actions) {
      if (a.type === 'latency' && a.when === 'after') steps.push({ kind: 'sleep', ms: this.#delay(a.ms) })
      else if (a.type === 'reset' && a.when === 'after' && a.after === undefined) steps.push(dropStep(a.scope))
      else if (a.type === 'lose_ack' && committed) {
        steps.push(a.mode === 'error' ? { kind: 'fail', error: errorOf(a.status ?? 500, a.code, a.message) } : dropStep(a.scope))
      }
    }
    return steps
  }

  /** Delay before each session frame or event (latency rules). */
  eventDelay(): number {
    let ms = 0
    for (const a of this.#actions) if (a.type === 'latency') ms += this.#delay(a.ms)
    return ms
  }

  /**
   * For a read session that has sent `records` records in `batches` batches: how many records of
   * the next batch may go out before a trigger is reached (Infinity if none is near).
   */
  recordsUntilTrigger(records: number, batches: number): number {
    let room = Infinity
    for (const t of this.#triggers) {
      if (isImmediate(t.point)) room = 0
      else if (t.point.records !== undefined) room = Math.min(room, Math.max(0, t.point.records - records))
      else if (t.point.batches !== undefined && batches >= t.point.batches) room = 0
    }
    return room
  }

  /** The steps of read-session triggers reached at this point; each fires once. */
  readTriggers(records: number, batches: number): Step[] {
    return this.#take(
      (p) =>
        isImmediate(p) || (p.records !== undefined && records >= p.records) || (p.batches !== undefined && batches >= p.batches),
      false,
    )
  }

  /** Steps before append input `index` (0-based) of a session is applied. */
  beforeAppend(index: number): Step[] {
    return this.#take((p) => (p.acks ?? p.records ?? p.batches ?? 0) <= index, false)
  }

  /** Steps after append input `index` committed, before its ack (lose_ack). */
  afterAppend(index: number): Step[] {
    return this.#take((p) => (p.acks ?? p.records ?? p.batches ?? 0) <= index, true)
  }

  #take(reached: (p: SessionPoint) => boolean, afterCommit: boolean): Step[] {
    const steps: Step[] = []
    this.#triggers = this.#triggers.filter((t) => {
      if (t.afterCommit !== afterCommit || !reached(t.point)) return true
      steps.push(t.step)
      return false
    })
    return steps
  }
}

/** A point with no count: at once. */
const isImmediate = (p: SessionPoint): boolean => p.records === undefined && p.batches === undefined && p.acks === undefined

/** The session trigger of an action: where in a session it acts, and how. */
function sessionTrigger(action: FaultAction): Trigger | null {
  switch (action.type) {
    case 'truncate':
      return { point: action.after, step: { kind: 'truncate', mode: action.mode ?? 'clean' }, afterCommit: false }
    case 'error':
      return action.after
        ? { point: action.after, step: { kind: 'fail', error: errorOf(action.status, action.code, action.message, action.body) }, afterCommit: false }
        : null
    case 'reset':
      return action.after ? { point: action.after, step: dropStep(action.scope), afterCommit: false } : null
    case 'stall':
      return { point: action.after ?? {}, step: stallStep(action.ms), afterCommit: false }
    case 'reject_before_commit':
      return { point: action.after ?? { acks: 0 }, step: { kind: 'fail', error: errorOf(action.status ?? 503, action.code, action.message) }, afterCommit: false }
    case 'lose_ack':
      return {
        point: action.after ?? { acks: 0 },
        step:
          action.mode === 'error' ? { kind: 'fail', error: errorOf(action.status ?? 500, action.code, action.message) } : dropStep(action.scope),
        afterCommit: true,
      }
    default:
      return null
  }
}
