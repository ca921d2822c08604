import type { StorageClass } from '../store/index.ts'
import type { Range, TimingProfile, TimingProfileName } from './profile.ts'

/** One storage class's delays as the timing control reports them: `[min, max]` ms, jitter included. */
export interface DelayRanges {
  readonly commitMs: Range
  readonly ackMs: Range
  readonly readMs: Range
  readonly deliverMs: Range
}

/** The timing of the emulator or of a namespace, as `timing.get()` and `GET .../timing` report it. */
export interface TimingState {
  readonly profile: TimingProfileName
  /** `lite`: the flush interval; null otherwise. */
  readonly flushIntervalMs: number | null
  readonly jitterMs: number
  /** The seed every draw comes from (replay a run with it); null while nothing was set. */
  readonly seed: number | null
  /** The delays in effect for streams of each storage class. */
  readonly delays: { readonly [C in StorageClass]: DelayRanges }
  /** For a namespace: true while it follows the emulator's timing (it has set none of its own). */
  readonly inherited?: boolean
  /** Appends sequenced and not yet stable (for the emulator: in every namespace). */
  readonly pending: number
  /**
   * Answers waiting out a latency: acks, unary reads, deliveries to read sessions. On a frozen
   * clock they leave when it moves; a test waits for them to be here before moving it.
   */
  readonly waiting: number
}

const ZERO: Range = [0, 0]
const NONE: DelayRanges = { commitMs: ZERO, ackMs: ZERO, readMs: ZERO, deliverMs: ZERO }

/** The report of a scope's timing: its profile (null: nothing set, `instant`) and what it holds. */
export function timingState(profile: TimingProfile | null, pending: number, waiting: number, inherited?: boolean): TimingState {
  return {
    profile: profile?.profile ?? 'instant',
    flushIntervalMs: profile?.flushIntervalMs ?? null,
    jitterMs: profile?.jitterMs ?? 0,
    seed: profile?.seed ?? null,
    delays: profile?.delays ?? { express: NONE, standard: NONE },
    ...(inherited === undefined ? {} : { inherited }),
    pending,
    waiting,
  }
}
