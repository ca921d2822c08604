import { boundS2Namespace, type S2MatcherScope } from './namespace-binding.ts'
import { describe } from './record-pattern.ts'
import { toRecordView, type S2RecordView } from './record-view.ts'

/**
 * What the matchers take as `expect(subject)`: a stream (an SDK handle, or a `{ basin, stream }`
 * reference resolved in the test's namespace) or a scope (a namespace handle or the emulator's
 * controls) for what it received and its faults.
 */

/** The part of the SDK's `S2Stream` (`basin.stream(name)`) the matchers use. */
export interface S2StreamHandleLike {
  readonly name: string
  checkTail(): Promise<{ readonly tail: { readonly seqNum: number } }>
  read(input: unknown, options: { as: 'bytes' }): Promise<{ readonly records: readonly unknown[] }>
}

/** A stream by name, read in the test's namespace (or in `namespace`) through the admin API. */
export interface S2StreamRef {
  readonly basin: string
  readonly stream: string
  /** Where to look: a namespace handle or the emulator's controls. [default the test's namespace: see `bindS2Namespace`] */
  readonly namespace?: S2MatcherScope
}

export type S2StreamSubject = S2StreamHandleLike | S2StreamRef

/** A stream the matchers can read: its name for messages, its records and its tail. */
export interface StreamReader {
  readonly label: string
  /** Every readable record, oldest first. */
  records(): Promise<S2RecordView[]>
  tail(): Promise<number>
}

const isHandle = (value: unknown): value is S2StreamHandleLike =>
  typeof value === 'object' && value !== null && typeof (value as S2StreamHandleLike).read === 'function' &&
  typeof (value as S2StreamHandleLike).checkTail === 'function' && typeof (value as S2StreamHandleLike).name === 'string'

const isRef = (value: unknown): value is S2StreamRef =>
  typeof value === 'object' && value !== null && typeof (value as S2StreamRef).basin === 'string' && typeof (value as S2StreamRef).stream === 'string'

export const isScope = (value: unknown): value is S2MatcherScope =>
  typeof value === 'object' && value !== null && typeof (value as S2MatcherScope).inspectStream === 'function' &&
  typeof (value as S2MatcherScope).journal?.list === 'function' && typeof (value as S2MatcherScope).faults?.list === 'function'

const NO_NAMESPACE =
  'a { basin, stream } reference is read in the test\'s namespace, and none is bound: use the s2Emulator fixture of s2-emulator/vitest (or the jest environment of s2-emulator/jest), call bindS2Namespace(ns) in beforeEach, or pass { basin, stream, namespace: ns }'

/** The namespace a test uses: bound by a fixture or by hand. */
export function testScope(task: unknown, matcher: string): S2MatcherScope {
  const scope = boundS2Namespace(task)
  if (scope === null) throw new TypeError(`[s2-emulator] ${matcher}: ${NO_NAMESPACE}`)
  return scope
}

/** Basin name of an SDK handle, for messages only (the SDK keeps it private). */
function handleBasin(handle: S2StreamHandleLike): string | undefined {
  const basin = (handle as unknown as { transportConfig?: { basinName?: unknown } }).transportConfig?.basinName
  return typeof basin === 'string' ? basin : undefined
}

const PAGE = 1000

function handleReader(handle: S2StreamHandleLike): StreamReader {
  const basin = handleBasin(handle)
  return {
    label: `stream ${basin === undefined ? '' : `${basin}/`}${handle.name}`,
    tail: async () => (await handle.checkTail()).tail.seqNum,
    records: async () => {
      const tail = (await handle.checkTail()).tail.seqNum
      const out: S2RecordView[] = []
      let from = 0
      while (from < tail) {
        const batch = await handle.read({ start: { from: { seqNum: from } }, stop: { limits: { count: PAGE } } }, { as: 'bytes' })
        if (batch.records.length === 0) break
        for (const record of batch.records) {
          const view = toRecordView(record)
          if (view !== null) out.push(view)
        }
        from = (out.at(-1)?.seqNum ?? tail) + 1
      }
      return out
    },
  }
}

function refReader(ref: S2StreamRef, scope: S2MatcherScope): StreamReader {
  const where = { basin: ref.basin, stream: ref.stream }
  return {
    label: `stream ${ref.basin}/${ref.stream}${scope.name ? ` in namespace ${scope.name}` : ''}`,
    tail: async () => (await scope.inspectStream(where, { count: 0 })).tail.seqNum,
    records: async () => {
      const out: S2RecordView[] = []
      for (let from = 0; ; ) {
        const page = await scope.inspectStream(where, { seqNum: from, count: 10_000 })
        for (const record of page.records) {
          const view = toRecordView(record)
          if (view !== null) out.push(view)
        }
        if (page.records.length === 0 || page.next >= page.tail.seqNum) return out
        from = page.next
      }
    },
  }
}

/** The stream a matcher was given; a TypeError that says what it takes otherwise. */
export function streamReader(subject: unknown, task: unknown, matcher: string): StreamReader {
  if (isHandle(subject)) return handleReader(subject)
  if (isRef(subject)) return refReader(subject, subject.namespace ?? testScope(task, matcher))
  throw new TypeError(
    `[s2-emulator] ${matcher} takes a stream: an SDK handle (basin.stream(name)) or a { basin, stream } reference; got ${describe(subject)}`,
  )
}

/** Whose journal and fault rules a matcher reads, and which part of the journal. */
export interface ScopeTarget {
  readonly scope: S2MatcherScope
  readonly label: string
  /** Set when the subject was a stream reference: only its requests count. */
  readonly stream?: { readonly basin: string; readonly stream: string }
}

export function scopeTarget(subject: unknown, task: unknown, matcher: string, streams: boolean): ScopeTarget {
  if (isScope(subject)) return { scope: subject, label: subject.name ? `namespace ${subject.name}` : 'the emulator' }
  if (streams && isRef(subject)) {
    const scope = subject.namespace ?? testScope(task, matcher)
    return { scope, label: `stream ${subject.basin}/${subject.stream}`, stream: { basin: subject.basin, stream: subject.stream } }
  }
  throw new TypeError(
    `[s2-emulator] ${matcher} takes a namespace handle (the s2Emulator fixture, createNamespace()) or the emulator's controls${streams ? ', or a { basin, stream } reference' : ''}; got ${describe(subject)}`,
  )
}
