import type { Clock, Timer } from '../clock/clock.ts'
import type { AppendAck, StreamState } from '../store/index.ts'
import { TimingDraws } from '../timing/draws.ts'
import type { Delays, TimingProfile } from '../timing/profile.ts'
import type { SessionPacing, Watch } from './read-session.ts'
import { StablePoints, type SessionMark } from './stable-points.ts'

/** Where a timed request goes: the draws of each stream are their own. */
export interface TimedAddress {
  readonly basin: string
  readonly stream: string
}

/** What timing needs from the engine. */
export interface TimingDeps {
  /** A namespace's clock: every delay runs on it, so a frozen clock holds them until it moves. */
  readonly clockOf: (namespace: string) => Clock
  readonly watch: Watch
  /** Wakes the readers of a stream (its stable point moved). */
  readonly notify: (stream: StreamState) => void
}

/** The state of a scope's timing, as its control reports it. */
export interface TimingInfo {
  /** The profile in effect; null is `instant` with nothing set. */
  readonly profile: TimingProfile | null
  /** For a namespace: true while it follows the emulator's timing (it set none of its own). */
  readonly inherited: boolean
  /** Appends sequenced and not yet stable. */
  readonly pending: number
  /** Answers waiting out a latency: acks, reads, deliveries to sessions. */
  readonly waiting: number
}

/** The first flush boundary after `t` (s2-lite flushes on an interval; an append waits for the next). */
const nextBoundary = (t: number, interval: number): number => (Math.floor(t / interval) + 1) * interval

/** One namespace's timing at work: the draws of its requests and the stable points of its streams. */
export class NamespaceTiming {
  readonly #clock: Clock
  readonly #profile: () => TimingProfile | null
  readonly points: StablePoints
  #draws: TimingDraws | null = null
  #drawsOf: TimingProfile | null = null
  #timers = 0

  constructor(clock: Clock, profile: () => TimingProfile | null, deps: TimingDeps) {
    this.#clock = clock
    this.#profile = profile
    this.points = new StablePoints(clock, deps.watch, deps.notify)
  }

  /** The draws of the profile in effect (a new profile, or a new seed, starts them over). */
  #drawsFor(profile: TimingProfile): TimingDraws {
    if (this.#drawsOf !== profile || this.#draws === null) {
      this.#draws = new TimingDraws(profile.seed)
      this.#drawsOf = profile
    }
    return this.#draws
  }

  #delays(stream: StreamState): { profile: TimingProfile | null; delays: Delays | null } {
    const profile = this.#profile()
    return { profile, delays: profile === null ? null : profile.delays[stream.config.storageClass] }
  }

  /** Sequences an append through `apply` now; it is stable, and acknowledged, when the profile says. */
  append(address: TimedAddress, stream: StreamState, apply: (stableAt: number) => AppendAck, session?: SessionMark): AppendAck | Promise<AppendAck> {
    const { profile, delays } = this.#delays(stream)
    const now = this.#clock.now()
    if (profile === null || delays === null) return this.points.append(stream, { due: now, ackDelayMs: 0 }, apply, session)
    const draws = this.#drawsFor(profile)
    const key = `${address.basin}/${address.stream}`
    let due = now + draws.draw(delays.commitMs, `commit:${key}`)
    if (profile.flushIntervalMs !== null) due = nextBoundary(due, profile.flushIntervalMs)
    const ackDelayMs = draws.draw(delays.ackMs, `ack:${key}`)
    return this.points.append(stream, { due, ackDelayMs }, apply, session)
  }

  /** How long a unary read of the stream waits before it answers (drawn per read). */
  readDelay(address: TimedAddress, stream: StreamState): number {
    const { profile, delays } = this.#delays(stream)
    if (profile === null || delays === null) return 0
    return this.#drawsFor(profile).draw(delays.readMs, `read:${address.basin}/${address.stream}`)
  }

  /**
   * The delays of a read session: its first event, and each live batch after its records are
   * stable (null when there are none). Each session draws its deliveries from its own sequence,
   * so sessions of the same stream may see the same records at different times, each in order.
   */
  pacing(address: TimedAddress, stream: StreamState): SessionPacing | null {
    const { profile, delays } = this.#delays(stream)
    if (profile === null || delays === null) return null
    if (delays.readMs[1] === 0 && delays.deliverMs[1] === 0) return null
    const key = `${address.basin}/${address.stream}`
    const draws = this.#drawsFor(profile)
    const session = draws.count(`session:${key}`)
    return {
      firstMs: () => draws.draw(delays.readMs, `read:${key}`),
      deliverMs: () => draws.draw(delays.deliverMs, `deliver:${key}#${session}`),
      setTimer: (ms, fn) => this.#timer(ms, fn),
    }
  }

  /** Waits `ms` on the namespace's clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#timer(ms, resolve))
  }

  /** Answers waiting out a latency now (reads, deliveries, acks). */
  get waiting(): number {
    return this.#timers + this.points.waiting
  }

  /** A timer on the namespace's clock, counted while it waits. */
  #timer(ms: number, fn: () => void): Timer {
    this.#timers++
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      this.#timers--
    }
    const timer = this.#clock.setTimer(ms, () => {
      finish()
      fn()
    })
    return {
      cancel: () => {
        finish()
        timer.cancel()
      },
    }
  }
}

/**
 * The timing of every namespace: the emulator's profile, which applies to namespaces that set
 * none, and each namespace's own. With no profile anywhere (`instant`, the default), `active` is
 * false and appends never come here: their path stays synchronous.
 */
export class Timings {
  readonly #deps: TimingDeps
  #emulator: TimingProfile | null = null
  readonly #own = new Map<string, TimingProfile>()
  readonly #runtimes = new Map<string, NamespaceTiming>()
  /** Whether any namespace may hold or delay anything. */
  active = false

  constructor(deps: TimingDeps) {
    this.#deps = deps
  }

  /** The profile in effect in a namespace (null: instant). */
  effective(namespace: string): TimingProfile | null {
    const profile = this.#own.get(namespace) ?? this.#emulator
    return profile === null || profile.instant ? null : profile
  }

  /** The timing at work in a namespace; null when it is instant. */
  of(namespace: string): NamespaceTiming | null {
    if (this.effective(namespace) === null) return null
    let runtime = this.#runtimes.get(namespace)
    if (runtime === undefined) {
      runtime = new NamespaceTiming(this.#deps.clockOf(namespace), () => this.effective(namespace), this.#deps)
      this.#runtimes.set(namespace, runtime)
    }
    return runtime
  }

  /** What a scope's control reports: the emulator's (namespace null) or a namespace's. */
  info(namespace: string | null): TimingInfo {
    if (namespace === null) {
      let pending = 0
      let waiting = 0
      for (const runtime of this.#runtimes.values()) {
        pending += runtime.points.pending
        waiting += runtime.waiting
      }
      return { profile: this.#emulator, inherited: false, pending, waiting }
    }
    const own = this.#own.get(namespace)
    const runtime = this.#runtimes.get(namespace)
    return { profile: own ?? this.#emulator, inherited: own === undefined, pending: runtime?.points.pending ?? 0, waiting: runtime?.waiting ?? 0 }
  }

  /**
   * Sets the emulator's profile (namespace null; null profile: back to instant) or a namespace's
   * (null: follow the emulator's again). Appends held under the old timing become stable at once.
   */
  set(namespace: string | null, profile: TimingProfile | null): void {
    const before = new Map([...this.#runtimes.keys()].map((name) => [name, this.effective(name)]))
    if (namespace === null) this.#emulator = profile
    else if (profile === null) this.#own.delete(namespace)
    else this.#own.set(namespace, profile)
    for (const [name, runtime] of this.#runtimes) {
      if (before.get(name) !== this.effective(name)) runtime.points.flush()
    }
    this.active = (this.#emulator !== null && !this.#emulator.instant) || [...this.#own.values()].some((p) => !p.instant)
  }

  /** Makes everything held stable now (the emulator is stopping). */
  flushAll(): void {
    for (const runtime of this.#runtimes.values()) runtime.points.flush()
  }

  /** Forgets a namespace's timing and what it holds. */
  drop(namespace: string): void {
    this.#runtimes.get(namespace)?.points.stop()
    this.#runtimes.delete(namespace)
    this.#own.delete(namespace)
    this.active = (this.#emulator !== null && !this.#emulator.instant) || [...this.#own.values()].some((p) => !p.instant)
  }
}
