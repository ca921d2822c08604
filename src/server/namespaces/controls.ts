import type { Clock } from '../clock/clock.ts'
import { ControllableClock } from '../clock/controllable-clock.ts'
import type { Engine } from '../engine/index.ts'
import { S2Error } from '../errors/index.ts'
import type { FaultMatch, FaultRegistry, FaultRule, FaultScopes } from '../faults/index.ts'
import type { Journal, JournalEntry, JournalFilter } from '../journal/journal.ts'
import { applyInitPlan, type InitPlan, type InitResult } from '../seed/init-file.ts'
import type { SnapshotInfo, Snapshots } from '../store/index.ts'
import { timingState, type TimingProfile, type TimingState } from '../timing/index.ts'
import { isolationOff, type NamespaceDirectory, type NamespaceEntry } from './directory.ts'
import { DEFAULT_NAMESPACE, namespaceName, namespaceNameProblem } from './names.ts'
import { streamRecords, type StreamRecordsPage } from './stream-records.ts'

/** The part of a reset below a scope: a basin, or a stream of it. */
export interface ResetTarget {
  readonly basin?: string | undefined
  readonly stream?: string | undefined
}

/** What a scope's journal shows: its namespace's entries, or every namespace's. */
export interface JournalView {
  readonly size: number
  list(filter: JournalFilter): JournalEntry[]
  clear(): number
}

/**
 * The controls a test has over one scope: the whole emulator (`namespace` null) or one namespace.
 * The admin API serves the same routes for both, so a namespace handle is the emulator's handle,
 * confined.
 */
export interface ControlScope {
  /** The namespace it controls, or null for the whole emulator. */
  readonly namespace: string | null
  readonly faults: FaultRegistry
  readonly clock: Clock
  readonly snapshots: Snapshots
  readonly journal: JournalView
  /** Arms a fault rule in this scope (a namespace's rule may not name another namespace). */
  addFault(input: unknown): FaultRule
  /** Puts a named snapshot back and runs the background work that fell due. */
  restore(name: string): SnapshotInfo
  /**
   * Removes state at once: the scope's data, rules and journal, or one basin or stream of it (and
   * the rules naming exactly that basin or stream). Returns how many rules were removed.
   */
  reset(target: ResetTarget): number
  /** Applies an init spec in this scope's namespace (the spec's `namespace` token picks one for the emulator). */
  init(plan: InitPlan): InitResult
  /** The timing in effect and what it holds. */
  timing(): TimingState
  /**
   * Sets the scope's timing profile; null goes back to the default (the emulator: `instant`; a
   * namespace: the emulator's). Appends held under the old one become stable at once.
   */
  setTiming(profile: TimingProfile | null): TimingState
  /** A page of a stream's records (for the emulator: of the default namespace), with no fault, journal entry or key involved. */
  streamRecords(basin: string, stream: string, from: number, count: number): StreamRecordsPage
}

/** What the admin API lists about a namespace (never its token). */
export interface NamespaceInfo {
  readonly name: string
  readonly label: string | null
  /** `api`: made by createNamespace; `token`: came into being when its token was first used. */
  readonly origin: 'api' | 'token' | 'default'
  readonly basins: number
  readonly streams: number
  /** Fault rules armed in the namespace itself. */
  readonly faults: number
  readonly snapshots: number
  readonly clock: { readonly mode: 'system' | 'virtual'; readonly follows: boolean; readonly now: number }
}

const notFound = (name: string): S2Error => {
  const message = `no namespace named "${name}": namespaces come into being with createNamespace (POST /_emulator/namespaces) or when their token is first used; to act on a token's namespace before that, send the token in the s2-namespace-token header`
  return new S2Error('namespace_not_found', message, 404, { code: 'namespace_not_found', message })
}

const badName = (value: string): S2Error => new S2Error('bad_path', namespaceNameProblem(value) ?? value)

/**
 * Every control of one emulator, by scope: global controls and one private set per namespace
 * (rules, clock, snapshots, journal). Assembled from the engine, the fault rules, the journal and
 * the namespace directory; the admin routes call only this.
 */
export class Controls {
  readonly global: ControlScope
  readonly directory: NamespaceDirectory
  readonly #engine: Engine
  readonly #faults: FaultScopes
  readonly #journal: Journal
  /** Told when a namespace's data goes (a reset of all of it, a drop) or everyone's (undefined): the cloud profile forgets its tokens and usage. */
  readonly #onForget: (namespace: string | undefined) => void

  constructor(
    engine: Engine,
    faults: FaultScopes,
    journal: Journal,
    directory: NamespaceDirectory,
    onForget: (namespace: string | undefined) => void = () => {},
  ) {
    this.#engine = engine
    this.#faults = faults
    this.#journal = journal
    this.directory = directory
    this.#onForget = onForget
    this.global = this.#globalScope()
  }

  /**
   * A namespace's controls. The name must be well formed, and the namespace known, or entered by
   * `token` (whose digest must be the name): a handle made from a token may act before the token's
   * first request.
   */
  scope(name: string, token?: string): ControlScope {
    if (namespaceNameProblem(name) !== null) throw badName(name)
    if (name !== DEFAULT_NAMESPACE && this.directory.isolation !== 'token') throw isolationOff()
    if (!this.known(name)) {
      if (token === undefined || namespaceName(token) !== name) throw notFound(name)
      this.directory.enter(token)
    }
    return this.#namespaceScope(name)
  }

  /** Whether a namespace exists: created, entered by a token, or holding state. */
  known(name: string): boolean {
    return (
      name === DEFAULT_NAMESPACE ||
      this.directory.entry(name) !== undefined ||
      this.#engine.store.existing(name) !== undefined ||
      this.#engine.existingSpace(name) !== undefined
    )
  }

  /** Makes a fresh namespace (see {@link NamespaceDirectory.create}), with a fault seed if given. */
  create(options: { token?: string; label?: string; faultSeed?: number; timing?: TimingProfile }): { name: string; token: string } {
    const made = this.directory.create(options, (name) => this.known(name))
    if (options.faultSeed !== undefined) this.#faults.of(made.name).setSeed(options.faultSeed)
    if (options.timing !== undefined) this.#engine.timing.set(made.name, options.timing)
    return made
  }

  /** Forgets a namespace: data, rules and seed, clock, snapshots, journal. Its token enters a fresh one next time. */
  drop(name: string): void {
    if (namespaceNameProblem(name) !== null) throw badName(name)
    if (!this.known(name)) throw notFound(name)
    this.#engine.drop(name)
    this.#faults.drop(name)
    this.#faults.global.removeWhere((m) => m.namespace === name)
    this.#journal.clear(name)
    this.directory.forget(name)
    this.#onForget(name)
  }

  /** Every namespace, oldest first. */
  list(): NamespaceInfo[] {
    const names = new Set<string>([...this.directory.names(), ...this.#engine.store.namespaces()])
    return [...names].map((name) => this.info(name))
  }

  info(name: string): NamespaceInfo {
    if (!this.known(name)) throw notFound(name)
    const entry: NamespaceEntry | undefined = this.directory.entry(name)
    const account = this.#engine.store.existing(name)
    let streams = 0
    for (const basin of account?.basins.values() ?? []) streams += basin.streams.size
    const space = this.#engine.existingSpace(name)
    const clock = space?.clock
    return {
      name,
      label: entry?.label ?? null,
      origin: name === DEFAULT_NAMESPACE ? 'default' : (entry?.origin ?? 'token'),
      basins: account?.basins.size ?? 0,
      streams,
      faults: this.#faults.existing(name)?.armed ?? 0,
      snapshots: space?.snapshots.list().length ?? 0,
      clock: {
        mode: clock?.mode ?? (this.#engine.clock instanceof ControllableClock ? this.#engine.clock.mode : 'system'),
        follows: clock?.followsBase ?? true,
        now: (clock ?? this.#engine.clock).now(),
      },
    }
  }

  #globalScope(): ControlScope {
    const engine = this.#engine
    const faults = this.#faults
    const journal = this.#journal
    return {
      namespace: null,
      faults: faults.global,
      clock: engine.clock,
      snapshots: engine.snapshots,
      journal: { size: journal.size, list: (filter) => journal.list(filter), clear: () => journal.clear() },
      addFault: (input) => faults.global.add(input),
      restore: (name) => engine.restore(name),
      reset: ({ basin, stream }) => {
        if (basin === undefined) {
          engine.reset()
          journal.clear()
          this.#onForget(undefined)
          return faults.clearAll()
        }
        // Without a namespace, a basin or stream is the default namespace's (isolation off).
        engine.reset({ namespace: DEFAULT_NAMESPACE, basin, stream })
        const names = (m: FaultMatch) => m.basin === basin && (stream === undefined || m.stream === stream)
        const own = faults.existing(DEFAULT_NAMESPACE)?.removeWhere(names) ?? 0
        return own + faults.global.removeWhere((m) => names(m) && (m.namespace === undefined || m.namespace === DEFAULT_NAMESPACE))
      },
      init: (plan) => {
        const name = this.directory.isolation === 'token' ? this.directory.enter(plan.namespace) : DEFAULT_NAMESPACE
        return applyInitPlan(engine.store.account(name), plan, engine.now(name), name)
      },
      timing: () => {
        const info = engine.timing.info(null)
        return timingState(info.profile, info.pending, info.waiting)
      },
      setTiming: (profile) => {
        engine.timing.set(null, profile)
        const info = engine.timing.info(null)
        return timingState(info.profile, info.pending, info.waiting)
      },
      streamRecords: (basin, stream, from, count) => streamRecords(engine, DEFAULT_NAMESPACE, basin, stream, from, count),
    }
  }

  #namespaceScope(name: string): ControlScope {
    const engine = this.#engine
    const faults = this.#faults
    const journal = this.#journal
    const space = engine.space(name)
    const own = faults.of(name)
    return {
      namespace: name,
      faults: own,
      clock: space.clock,
      snapshots: space.snapshots,
      journal: {
        size: journal.size,
        list: (filter) => journal.list({ ...filter, namespace: name }),
        clear: () => journal.clear(name),
      },
      addFault: (input) => {
        const match = (input as { match?: { namespace?: unknown } } | null)?.match
        if (match?.namespace !== undefined && match.namespace !== name) {
          throw new S2Error(
            'bad_json',
            `invalid fault rule: match.namespace: this rule is armed in namespace ${name} and can only match it (leave match.namespace out); got ${JSON.stringify(match.namespace)}`,
          )
        }
        return own.add(input)
      },
      restore: (snapshot) => engine.restoreNamespace(name, snapshot),
      reset: ({ basin, stream }) => {
        if (basin === undefined) {
          engine.reset({ namespace: name })
          journal.clear(name)
          this.#onForget(name)
          return own.clear() + faults.global.removeWhere((m) => m.namespace === name)
        }
        engine.reset({ namespace: name, basin, stream })
        const names = (m: FaultMatch) => m.basin === basin && (stream === undefined || m.stream === stream)
        return own.removeWhere(names) + faults.global.removeWhere((m) => names(m) && m.namespace === name)
      },
      init: (plan) => {
        if (plan.namespace !== '' && namespaceName(plan.namespace) !== name) {
          throw new S2Error('bad_json', `invalid init spec: namespace: this spec is applied in namespace ${name}; leave "namespace" out`)
        }
        return applyInitPlan(engine.store.account(name), plan, space.clock.now(), name)
      },
      timing: () => {
        const info = engine.timing.info(name)
        return timingState(info.profile, info.pending, info.waiting, info.inherited)
      },
      setTiming: (profile) => {
        engine.timing.set(name, profile)
        const info = engine.timing.info(name)
        return timingState(info.profile, info.pending, info.waiting, info.inherited)
      },
      streamRecords: (basin, stream, from, count) => streamRecords(engine, name, basin, stream, from, count),
    }
  }
}
