import { S2Error } from '../errors/index.ts'
import type { Store, StoreSnapshot } from './store.ts'

export interface SnapshotInfo {
  readonly name: string
  /** The namespace it holds, or null for the whole store. */
  readonly namespace: string | null
  readonly takenAt: number
  readonly basins: number
  readonly streams: number
  readonly records: number
}

const NAME = /^[A-Za-z0-9._-]{1,128}$/

const notFound = (name: string): S2Error =>
  new S2Error('snapshot_not_found', `no snapshot named "${name}"`, 404, {
    code: 'snapshot_not_found',
    message: `no snapshot named "${name}"`,
  })

/** Named in-memory snapshots of a store. */
export class Snapshots {
  readonly #store: Store
  readonly #byName = new Map<string, StoreSnapshot>()

  constructor(store: Store) {
    this.#store = store
  }

  /** Takes (or replaces) a named snapshot of everything, or of one namespace. */
  take(name: string, namespace: string | null, now: number): SnapshotInfo {
    if (!NAME.test(name)) {
      throw new S2Error('bad_json', 'name: must be 1 to 128 characters of letters, digits, ".", "_" and "-"')
    }
    const snapshot = this.#store.snapshot(namespace, now)
    this.#byName.set(name, snapshot)
    return info(name, snapshot)
  }

  /** Adds a snapshot made elsewhere (e.g. read from a file). */
  put(name: string, snapshot: StoreSnapshot): SnapshotInfo {
    this.#byName.set(name, snapshot)
    return info(name, snapshot)
  }

  get(name: string): StoreSnapshot {
    const snapshot = this.#byName.get(name)
    if (!snapshot) throw notFound(name)
    return snapshot
  }

  restore(name: string): SnapshotInfo {
    const snapshot = this.get(name)
    this.#store.restore(snapshot)
    return info(name, snapshot)
  }

  list(): SnapshotInfo[] {
    return [...this.#byName].map(([name, snapshot]) => info(name, snapshot))
  }

  delete(name: string): void {
    if (!this.#byName.delete(name)) throw notFound(name)
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
