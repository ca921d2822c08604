import type { CassetteEntry, RecordedRequest, Transport } from '../cassette/types.ts'
import { distance, KEY_FIELDS, keyDifferences, requestKey, type KeyDifference, type RequestKey } from './request-key.ts'

/** A request the cassette had no answer for. */
export interface ReplayMiss {
  readonly method: string
  readonly path: string
  readonly query?: string
  readonly basin?: string
  readonly stream?: string
  readonly transport: Transport
  /** `no_match`: nothing recorded matches; `exhausted`: every matching exchange was replayed already; `session_input`: a session's input frame differed. */
  readonly reason: 'no_match' | 'exhausted' | 'session_input'
  /** The recorded exchange closest to it, and how it differs. */
  readonly nearest?: { readonly id: number; readonly differences: readonly string[] }
  /** One sentence saying all of the above. */
  readonly message: string
}

export type MatchResult = { readonly entry: CassetteEntry } | { readonly miss: ReplayMiss }

const fingerprint = (key: RequestKey): string => JSON.stringify(KEY_FIELDS.map((field) => key[field]))

function describe(key: RequestKey, query: string | undefined): string {
  const where = [key.basin ? `basin ${key.basin}` : '', key.stream ? `stream ${key.stream}` : ''].filter(Boolean).join(', ')
  return `${key.method} ${key.path}${query ? `?${query}` : ''}${key.transport !== 'unary' ? ` (${key.transport} session)` : ''}${where ? ` [${where}]` : ''}`
}

/**
 * Finds the recorded exchange for a request: the first not yet replayed among those that match
 * exactly, so repeated identical requests get their answers in the recorded order. Without a
 * match it names the nearest recorded request and what differs.
 */
export class Matcher {
  readonly #entries: { entry: CassetteEntry; key: RequestKey }[]
  /** Entries by their whole key, in recorded order: exact matches without comparing against each. */
  readonly #byKey = new Map<string, { entry: CassetteEntry; key: RequestKey }[]>()
  readonly #used = new Set<number>()
  readonly #allowRepeats: boolean

  constructor(entries: readonly CassetteEntry[], options: { allowRepeats?: boolean } = {}) {
    this.#entries = [...entries]
      .sort((a, b) => a.start - b.start || a.id - b.id)
      .map((entry) => ({ entry, key: requestKey(entry.request, entry.transport) }))
    this.#allowRepeats = options.allowRepeats ?? false
    for (const e of this.#entries) {
      const id = fingerprint(e.key)
      this.#byKey.set(id, [...(this.#byKey.get(id) ?? []), e])
    }
  }

  match(request: RecordedRequest, transport: Transport): MatchResult {
    const key = requestKey(request, transport)
    const exact = this.#byKey.get(fingerprint(key)) ?? []
    const fresh = exact.find((e) => !this.#used.has(e.entry.id))
    if (fresh) {
      this.#used.add(fresh.entry.id)
      return { entry: fresh.entry }
    }
    const base = {
      method: key.method,
      path: key.path,
      ...(request.query ? { query: request.query } : {}),
      ...(key.basin ? { basin: key.basin } : {}),
      ...(key.stream ? { stream: key.stream } : {}),
      transport,
    }
    const last = exact.at(-1)
    if (last) {
      if (this.#allowRepeats) return { entry: last.entry }
      const ids = exact.map((e) => `#${e.entry.id}`).join(', ')
      return {
        miss: {
          ...base,
          reason: 'exhausted',
          nearest: { id: last.entry.id, differences: [] },
          message: `${describe(key, request.query)} was recorded ${exact.length} time(s) (${ids}) and every one was replayed already; record it again, or allow repeats`,
        },
      }
    }
    let nearest: { id: number; differences: KeyDifference[]; score: number } | undefined
    for (const e of this.#entries) {
      const differences = keyDifferences(e.key, key)
      const score = distance(differences) + (this.#used.has(e.entry.id) ? 0.5 : 0)
      if (nearest === undefined || score < nearest.score) nearest = { id: e.entry.id, differences, score }
    }
    const message = nearest
      ? `no recorded exchange matches ${describe(key, request.query)}; the nearest is #${nearest.id}, which differs in ${nearest.differences.map((d) => d.detail).join('; ')}`
      : `no recorded exchange matches ${describe(key, request.query)}: the cassette is empty`
    return {
      miss: {
        ...base,
        reason: 'no_match',
        ...(nearest ? { nearest: { id: nearest.id, differences: nearest.differences.map((d) => d.detail) } } : {}),
        message,
      },
    }
  }

  /** Recorded exchanges not replayed (yet). */
  unused(): CassetteEntry[] {
    return this.#entries.filter((e) => !this.#used.has(e.entry.id)).map((e) => e.entry)
  }
}
