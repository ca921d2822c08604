import type { StorageClass } from '../store/index.ts'
import { alignDown, MinuteSeries } from './series.ts'
import { StorageHistory } from './storage-history.ts'

/** What one basin served, minute by minute, for its metric sets. */
export class BasinUsage {
  /** Requests to the basin's endpoint, by operation (`basin-ops`). */
  readonly ops = new MinuteSeries()
  /** Append operations by storage class (`append-ops`). */
  readonly appendOps = new MinuteSeries()
  /** Read operations, `unary` and `streaming` (`read-ops`). */
  readonly readOps = new MinuteSeries()
  /** Metered bytes appended (`append-throughput`). */
  readonly appendBytes = new MinuteSeries()
  /** Metered bytes read (`read-throughput`). */
  readonly readBytes = new MinuteSeries()
}

/**
 * A namespace's usage, as the cloud's metrics API reports it: requests, append and read
 * operations, throughput, and what each stream stored over time. Times are the namespace's clock.
 *
 * An append operation is a minute of appends to one stream over one connection; a streaming read
 * operation a minute of one read session's response (the service's definitions), so each is
 * counted once per stream, connection (or session) and minute.
 */
export class NamespaceUsage {
  readonly accountOps = new MinuteSeries()
  readonly storage = new StorageHistory()
  readonly #basins = new Map<string, BasinUsage>()
  /** The last minute an append operation was counted, by basin, stream and connection. */
  readonly #lastAppendOp = new Map<string, number>()

  basin(name: string): BasinUsage {
    let usage = this.#basins.get(name)
    if (usage === undefined) {
      usage = new BasinUsage()
      this.#basins.set(name, usage)
    }
    return usage
  }

  existingBasin(name: string): BasinUsage | undefined {
    return this.#basins.get(name)
  }

  basinNames(): string[] {
    return [...this.#basins.keys()]
  }

  /** An append (unary, or one input of a session) of `bytes` metered bytes to a stream of `storageClass`. */
  appended(at: number, basin: string, stream: string, storageClass: StorageClass, connection: number, bytes: number): void {
    const usage = this.basin(basin)
    usage.appendBytes.add(at, 'append-throughput', bytes)
    const key = `${basin}\u0000${stream}\u0000${connection}`
    const minute = alignDown(Math.floor(at / 1000), 60)
    if (this.#lastAppendOp.get(key) === minute) return
    this.#lastAppendOp.set(key, minute)
    usage.appendOps.add(at, storageClass)
  }

  /** A unary read that returned `bytes` metered bytes. */
  readUnary(at: number, basin: string, bytes: number): void {
    const usage = this.basin(basin)
    usage.readOps.add(at, 'unary')
    usage.readBytes.add(at, 'read-throughput', bytes)
  }

  /** A streaming read's response, still running at `at`: counted once per minute it runs. */
  readStreaming(at: number, basin: string, session: { lastMinute: number }): void {
    const minute = alignDown(Math.floor(at / 1000), 60)
    if (session.lastMinute === minute) return
    session.lastMinute = minute
    this.basin(basin).readOps.add(at, 'streaming')
  }

  /** Bytes a read session delivered. */
  readBytes(at: number, basin: string, bytes: number): void {
    this.basin(basin).readBytes.add(at, 'read-throughput', bytes)
  }
}

/** Every namespace's usage. */
export class Usage {
  readonly #namespaces = new Map<string, NamespaceUsage>()

  of(namespace: string): NamespaceUsage {
    let usage = this.#namespaces.get(namespace)
    if (usage === undefined) {
      usage = new NamespaceUsage()
      this.#namespaces.set(namespace, usage)
    }
    return usage
  }

  /** Forgets a namespace's usage, or every namespace's. */
  clear(namespace?: string): void {
    if (namespace === undefined) this.#namespaces.clear()
    else this.#namespaces.delete(namespace)
  }
}
