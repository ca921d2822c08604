import { Account, type StoreObserver } from './account.ts'
import type { ChangeSink } from './changes.ts'

export interface StoreOptions {
  /** How long a deleted basin or stream stays listed (and blocks its name) before it is purged. */
  readonly purgeDelayMs: number
  /** How long after an append its trims are applied by background work (0: with the append). */
  readonly trimDelayMs: number
}

/** A point-in-time copy of the store or of one namespace, sharing records with the live store. */
export interface StoreSnapshot {
  /** The namespace it holds, or null for all of them. */
  readonly namespace: string | null
  /** Clock time when it was taken. */
  readonly takenAt: number
  readonly accounts: ReadonlyMap<string, Account>
}

/** What a store reports to: one observer per namespace (the engine wakes its readers and runs its background work). */
export type ObserverOf = (namespace: string) => StoreObserver

const detached: StoreObserver = { streamChanged() {}, wakeAt() {} }

/**
 * All emulator state: accounts by namespace name. With isolation off there is one namespace.
 * Namespaces come into being on first use, for free.
 */
export class Store {
  #accounts = new Map<string, Account>()
  readonly #observerOf: ObserverOf
  readonly #options: StoreOptions
  #changes: ChangeSink | null = null

  constructor(observerOf: ObserverOf, options: StoreOptions) {
    this.#observerOf = observerOf
    this.#options = options
  }

  account(namespace: string): Account {
    let account = this.#accounts.get(namespace)
    if (!account) {
      account = new Account(this.#observerOf(namespace), this.#options.purgeDelayMs, this.#options.trimDelayMs)
      this.#adopt(namespace, account)
    }
    return account
  }

  /**
   * Reports every change from now on to `sink` (null: to no one), synchronously, after it is made:
   * a durable log records them (see changes.ts). Costs nothing while unset.
   */
  recordChanges(sink: ChangeSink | null): void {
    this.#changes = sink
    for (const [namespace, account] of this.#accounts) account.bind(this.#emitterFor(namespace))
  }

  #emitterFor(namespace: string): Parameters<Account['bind']>[0] {
    const sink = this.#changes
    return sink === null ? null : (change) => sink(namespace, change)
  }

  #adopt(namespace: string, account: Account): void {
    account.bind(this.#emitterFor(namespace))
    this.#accounts.set(namespace, account)
  }

  /** An empty account reporting to nobody (for snapshots read from files; restoring rebinds it). */
  detachedAccount(): Account {
    return new Account(detached, this.#options.purgeDelayMs, this.#options.trimDelayMs)
  }

  /** The account of a namespace if it was ever used. */
  existing(namespace: string): Account | undefined {
    return this.#accounts.get(namespace)
  }

  accounts(): IterableIterator<Account> {
    return this.#accounts.values()
  }

  namespaces(): string[] {
    return [...this.#accounts.keys()]
  }

  /** Removes everything, or one namespace. */
  reset(namespace?: string): void {
    this.#reset(namespace)
    this.#changes?.(namespace ?? null, { kind: 'reset_all' })
  }

  #reset(namespace: string | undefined): void {
    const targets = namespace === undefined ? [...this.#accounts.values()] : [this.#accounts.get(namespace)]
    for (const account of targets) {
      account?.resetAll()
      account?.bind(null)
    }
    if (namespace === undefined) this.#accounts.clear()
    else this.#accounts.delete(namespace)
  }

  /** Copies everything, or one namespace. Cheap: records and full log chunks are shared. */
  snapshot(namespace: string | null, now: number): StoreSnapshot {
    const accounts = new Map<string, Account>()
    for (const [ns, account] of this.#accounts) {
      if (namespace === null || ns === namespace) accounts.set(ns, account.clone())
    }
    if (namespace !== null && accounts.size === 0) accounts.set(namespace, this.detachedAccount())
    return { namespace, takenAt: now, accounts }
  }

  /**
   * Puts a snapshot back: all namespaces, or the one it holds (into `into` when given: a namespace
   * snapshot can be loaded into another namespace). The snapshot stays usable for another restore;
   * sessions reading replaced streams end with an error saying why.
   */
  restore(snapshot: StoreSnapshot, into?: string): void {
    if (into !== undefined) {
      const [account] = snapshot.accounts.values()
      this.#reset(into)
      if (account) this.#put(into, account)
    } else {
      this.#reset(snapshot.namespace ?? undefined)
      for (const [ns, account] of snapshot.accounts) this.#put(ns, account)
    }
    // A log cannot replay this from changes: it writes the whole state instead.
    this.#changes?.(into ?? snapshot.namespace, { kind: 'restored' })
  }

  #put(namespace: string, account: Account): void {
    const observer = this.#observerOf(namespace)
    const copy = account.clone(observer)
    this.#adopt(namespace, copy)
    observer.wakeAt(copy.nextPurge)
  }
}
