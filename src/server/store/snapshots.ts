import { S2Error } from '../errors/index.ts'
import type { Store, StoreSnapshot } from './store.ts'

export interface SnapshotInfo {
  readonly name: string
  /** The namespace whose state it holds, or null for a snapshot of the whole emulator. */
  readonly namespace: string | null
  readonly takenAt: number
  readonly basins: number
  readonly streams: number
  readonly records: number
}

const NAME = /^[A-Za-z0-9._-]{1,128}$/

/** Checks a snapshot name (the same rule for snapshots taken, imported and uploaded). */
export function checkSnapshotName(name: string): string {
  if (!NAME.test(name)) throw new S2Error('bad_json', 'name: must be 1 to 128 characters of letters, digits, ".", "_" and "-"')
  return name
}

const notFound = (name: string): S2Error =>
  new S2Error('snapshot_not_found', `no snapshot named "${name}"`, 404, {
    code: 'snapshot_not_found',
    message: `no snapshot named "${name}"`,
  })

/**
 * Named in-memory snapshots of one scope: the whole store (`namespace` null) or one namespace.
 * Each namespace has its own, so two tests can use the same names.
 */
export class Snapshots {
  readonly #store: Store
  readonly #namespace: string | null
  readonly #byName = new Map<string, StoreSnapshot>()

  constructor(store: Store, namespace: string | null) {
    this.#store = store
    this.#namespace = namespace
  }

  /** Takes (or replaces) a named snapshot of this scope. */
  take(name: string, now: number): SnapshotInfo {
    checkSnapshotName(name)
    const snapshot = this.#store.snapshot(this.#namespace, now)
    this.#byName.set(name, snapshot)
    return info(name, snapshot)
  }

  /**
   * Adds a snapshot made elsewhere (e.g. read from a file). A namespace keeps only snapshots of one
   * namespace (any one: it is loaded into this namespace when restored).
   */
  put(name: string, snapshot: StoreSnapshot): SnapshotInfo {
    checkSnapshotName(name)
    if (this.#namespace !== null && snapshot.accounts.size > 1) {
      const message = `this snapshot holds ${snapshot.accounts.size} namespaces; a namespace can load a snapshot of one namespace only (load it into the whole emulator instead)`
      throw new S2Error('snapshot_file_invalid', message, 400, { code: 'snapshot_file_invalid', message })
    }
    const scoped = this.#namespace === null ? snapshot : { ...snapshot, namespace: this.#namespace }
    this.#byName.set(name, scoped)
    return info(name, scoped)
  }

  get(name: string): StoreSnapshot {
    const snapshot = this.#byName.get(name)
    if (!snapshot) throw notFound(name)
    return snapshot
  }

  info(name: string): SnapshotInfo {
    return info(name, this.get(name))
  }

  /** Puts it back exactly: the whole store, or this namespace. */
  restore(name: string): SnapshotInfo {
    const snapshot = this.get(name)
    if (this.#namespace === null) this.#store.restore(snapshot)
    else this.#store.restore(snapshot, this.#namespace)
    return info(name, snapshot)
  }

  list(): SnapshotInfo[] {
    return [...this.#byName].map(([name, snapshot]) => info(name, snapshot))
  }

  delete(name: string): void {
    if (!this.#byName.delete(name)) throw notFound(name)
  }

  clear(): void {
    this.#byName.clear()
  }
}

function info(name: string, snapshot: StoreSnapshot): SnapshotInfo {
  let basins = 0
  let streams = 0
  let records = 0
  for (const account of snapshot.accounts.values()) {
    for (const basin of account.basins.values()) {
      basins++
      for (const stream of basin.streams.values()) {
        streams++
        records += stream.log.size
      }
    }
  }
  return { name, namespace: snapshot.namespace, takenAt: snapshot.takenAt, basins, streams, records }
}
