import type { StorageClass } from '../store/index.ts'

/** A delay in whole milliseconds: fixed, or `[min, max]` drawn per request from the seeded generator. */
export type TimingDelay = number | readonly [number, number]

/** The built-in timing profiles. */
export type TimingProfileName = 'instant' | 'lite' | 'cloud'

/**
 * How long S2's work takes, as a test wants to see it. Every field is optional; the delays given
 * replace the profile's.
 */
export interface TimingSpec {
  /**
   * `instant`: everything at once (the emulator's own speed). `lite`: s2-lite in memory, where an
   * append is acknowledged, and visible to reads, at its next flush. `cloud`: the latencies s2.dev
   * documents for each storage class. [default 'instant']
   */
  profile?: TimingProfileName
  /** `lite`: the flush interval (s2-lite's `SL8_FLUSH_INTERVAL`). [default 5] */
  flushIntervalMs?: number
  /** From arrival until the append is stable: visible to reads, check-tail and followers. */
  commitMs?: TimingDelay
  /** From stable until its ack leaves. */
  ackMs?: TimingDelay
  /** From arrival until a read's first answer (a unary read, a session's first event). */
  readMs?: TimingDelay
  /** From stable until a following read session delivers the records. */
  deliverMs?: TimingDelay
  /** Adds up to this many ms to every delay, drawn per request: seeded jitter that finds races. [default 0] */
  jitterMs?: number
  /** Seed of every draw. [default random, reported by the timing control] */
  seed?: number
}

/** A profile by name, or a spec. */
export type TimingInput = TimingProfileName | TimingSpec

/** An inclusive range of whole milliseconds. */
export type Range = readonly [number, number]

/** The four delays of one storage class. */
export interface Delays {
  readonly commitMs: Range
  readonly ackMs: Range
  readonly readMs: Range
  readonly deliverMs: Range
}

/** A spec with its defaults applied: what the engine runs. */
export interface TimingProfile {
  readonly profile: TimingProfileName
  /** `lite` only: appends become stable on the boundaries of this interval; null otherwise. */
  readonly flushIntervalMs: number | null
  readonly jitterMs: number
  readonly seed: number
  /** The delays in effect for streams of each storage class (jitter included in each range's max). */
  readonly delays: { readonly [C in StorageClass]: Delays }
  /** True when nothing is ever delayed: the engine then takes its synchronous path. */
  readonly instant: boolean
}

/** s2-lite's flush interval in memory (lite/src/server.rs `default_flush_interval`). */
export const LITE_FLUSH_INTERVAL_MS = 5

/** The longest delay a spec may ask for: one hour. */
const MAX_DELAY_MS = 3_600_000

const ZERO: Range = [0, 0]
const NO_DELAYS: Delays = { commitMs: ZERO, ackMs: ZERO, readMs: ZERO, deliverMs: ZERO }

/**
 * The service's latencies per storage class. s2.dev documents upper bounds only: appends are
 * acknowledged "within 40 milliseconds" (express) and "within 400 milliseconds" (standard)
 * (https://s2.dev/docs/concepts/appends, https://s2.dev/docs/concepts/durability-consistency), and
 * end-to-end p99 latency is "< 50 ms" (express) and "< 500 ms" (standard) (https://s2.dev). So a
 * commit takes up to the ack bound (from a quarter of it), a delivery up to the rest of the
 * end-to-end bound; the docs give no figure for reads, so they take 1 to 10 ms.
 */
export const CLOUD_DELAYS: { readonly [C in StorageClass]: Delays } = {
  express: { commitMs: [10, 40], ackMs: ZERO, readMs: [1, 10], deliverMs: [0, 10] },
  standard: { commitMs: [100, 400], ackMs: ZERO, readMs: [1, 10], deliverMs: [0, 100] },
}

const PROFILES: readonly TimingProfileName[] = ['instant', 'lite', 'cloud']
const SPEC_FIELDS = ['profile', 'flushIntervalMs', 'commitMs', 'ackMs', 'readMs', 'deliverMs', 'jitterMs', 'seed'] as const
const DELAY_FIELDS = ['commitMs', 'ackMs', 'readMs', 'deliverMs'] as const

const wholeMs = (value: unknown, max = MAX_DELAY_MS): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max

function delayProblem(field: string, value: unknown): string | null {
  if (wholeMs(value)) return null
  if (Array.isArray(value) && value.length === 2 && wholeMs(value[0]) && wholeMs(value[1]) && value[0] <= value[1]) return null
  return `${field} must be whole milliseconds from 0 to ${MAX_DELAY_MS}, or [min, max] of them with min <= max (got ${JSON.stringify(value)})`
}

/** Every problem with a timing input (empty when it is valid), each naming its field. */
export function timingProblems(input: unknown): string[] {
  if (typeof input === 'string') {
    return PROFILES.includes(input as TimingProfileName) ? [] : [`timing must be ${PROFILES.map((p) => `'${p}'`).join(', ')} or a spec object (got '${input}')`]
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return ['timing must be a profile name or a spec object']
  const spec = input as Record<string, unknown>
  const problems: string[] = []
  for (const key of Object.keys(spec)) {
    if (!(SPEC_FIELDS as readonly string[]).includes(key)) problems.push(`${key}: unknown field; a timing spec takes ${SPEC_FIELDS.join(', ')}`)
  }
  if (spec.profile !== undefined && !PROFILES.includes(spec.profile as TimingProfileName)) {
    problems.push(`profile must be ${PROFILES.map((p) => `'${p}'`).join(', ')} (got ${JSON.stringify(spec.profile)})`)
  }
  if (spec.flushIntervalMs !== undefined) {
    if (!wholeMs(spec.flushIntervalMs) || spec.flushIntervalMs < 1) problems.push(`flushIntervalMs must be whole milliseconds from 1 to ${MAX_DELAY_MS}`)
    else if (spec.profile !== 'lite') problems.push("flushIntervalMs applies only to profile 'lite'")
  }
  for (const field of DELAY_FIELDS) {
    if (spec[field] === undefined) continue
    const problem = delayProblem(field, spec[field])
    if (problem) problems.push(problem)
  }
  if (spec.jitterMs !== undefined && !wholeMs(spec.jitterMs)) problems.push(`jitterMs must be whole milliseconds from 0 to ${MAX_DELAY_MS}`)
  if (spec.seed !== undefined && !(Number.isInteger(spec.seed) && (spec.seed as number) >= 0 && (spec.seed as number) <= 0xffffffff)) {
    problems.push('seed must be an integer from 0 to 4294967295')
  }
  return problems
}

const range = (delay: TimingDelay): Range => (typeof delay === 'number' ? [delay, delay] : [delay[0], delay[1]])

/** A valid input (see {@link timingProblems}) with its defaults applied; `seed` is used when it names none. */
export function resolveTiming(input: TimingInput, seed: number): TimingProfile {
  const spec: TimingSpec = typeof input === 'string' ? { profile: input } : input
  const profile = spec.profile ?? 'instant'
  const jitterMs = spec.jitterMs ?? 0
  const delaysOf = (base: Delays): Delays => {
    const pick = (field: (typeof DELAY_FIELDS)[number]): Range => {
      const [min, max] = spec[field] === undefined ? base[field] : range(spec[field])
      return [min, max + jitterMs]
    }
    return { commitMs: pick('commitMs'), ackMs: pick('ackMs'), readMs: pick('readMs'), deliverMs: pick('deliverMs') }
  }
  const delays =
    profile === 'cloud'
      ? { express: delaysOf(CLOUD_DELAYS.express), standard: delaysOf(CLOUD_DELAYS.standard) }
      : { express: delaysOf(NO_DELAYS), standard: delaysOf(NO_DELAYS) }
  const still = (d: Delays): boolean => [d.commitMs, d.ackMs, d.readMs, d.deliverMs].every(([, max]) => max === 0)
  return Object.freeze({
    profile,
    flushIntervalMs: profile === 'lite' ? (spec.flushIntervalMs ?? LITE_FLUSH_INTERVAL_MS) : null,
    jitterMs,
    seed: spec.seed ?? seed,
    delays,
    instant: profile !== 'lite' && still(delays.express) && still(delays.standard),
  })
}

/**
 * Reads the compact form the CLI and the `S2E_TIMING` variable take: a profile, then
 * `key=value` settings, comma-separated (`lite`, `lite,flush=10`, `cloud,seed=7`,
 * `instant,jitter=3,seed=42`, `commit=0-3,read=1`). Throws an Error saying what is wrong.
 */
export function parseTimingFlag(text: string): TimingSpec {
  const spec: Record<string, unknown> = {}
  const keys: Record<string, (typeof SPEC_FIELDS)[number]> = {
    flush: 'flushIntervalMs',
    commit: 'commitMs',
    ack: 'ackMs',
    read: 'readMs',
    deliver: 'deliverMs',
    jitter: 'jitterMs',
    seed: 'seed',
  }
  const parts = text.split(',').map((p) => p.trim())
  parts.forEach((part, i) => {
    if (i === 0 && PROFILES.includes(part as TimingProfileName)) {
      spec.profile = part
      return
    }
    const match = /^([a-z]+)=(\d+)(?:-(\d+))?$/.exec(part)
    const field = match ? keys[match[1] as string] : undefined
    if (!match || field === undefined) {
      throw new Error(
        `'${part}' is not a timing setting: give a profile (${PROFILES.join(', ')}) first, then any of ${Object.keys(keys).map((k) => `${k}=N`).join(', ')} (delays also as min-max), comma-separated`,
      )
    }
    if (match[3] !== undefined && !(DELAY_FIELDS as readonly string[]).includes(field)) throw new Error(`${match[1]} takes one number, not a range`)
    spec[field] = match[3] === undefined ? Number(match[2]) : [Number(match[2]), Number(match[3])]
  })
  const problems = timingProblems(spec)
  if (problems.length > 0) throw new Error(problems.join('; '))
  return spec as TimingSpec
}
