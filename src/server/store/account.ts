import { errors } from '../errors/index.ts'
import { BasinState } from './basin.ts'
import {
  patchBasinConfig,
  patchLayer,
  resolveStreamConfig,
  sameBasinConfig,
  sameStreamConfig,
  validateLayer,
  validatePatch,
  type BasinConfig,
  type BasinConfigPatch,
  type StreamConfig,
  type StreamConfigLayer,
  type StreamConfigPatch,
} from './config.ts'
import { listPage, type ListOptions, type Page } from './list.ts'
import type { AccountChange } from './changes.ts'
import type { AppendBatch, StoredRecord } from './record.ts'
import { StreamState, type AppendAck } from './stream.ts'

export type ProvisionResult = 'created' | 'updated' | 'noop'

/** What the store tells the engine about; the engine wakes readers and schedules work on it. */
export interface StoreObserver {
  /** Records were appended to the stream, or it began deletion. */
  streamChanged(stream: StreamState): void
  /** Background work (a purge, a delete-on-empty deadline) falls due at `at` (ms). */
  wakeAt(at: number): void
}

interface PendingPurge {
  readonly basin: BasinState
  readonly stream: StreamState | null
  readonly at: number
}

/**
 * One S2 account: its basins, their streams, and every rule of the control plane
 * (s2-lite §4, §8.5, §9). Synchronous and free of I/O: `now` is always an argument.
 */
export class Account {
  readonly basins = new Map<string, BasinState>()
  #pending: PendingPurge[] = []
  readonly #observer: StoreObserver
  readonly #purgeDelayMs: number
  /** How long after an append its trims are applied by background work. */
  readonly trimDelayMs: number
  /** Where changes are reported, while the account is live in a store that records them. */
  #emit: ((change: AccountChange) => void) | null = null

  constructor(observer: StoreObserver, purgeDelayMs: number, trimDelayMs = 0) {
    this.#observer = observer
    this.#purgeDelayMs = purgeDelayMs
    this.trimDelayMs = trimDelayMs
  }

  /** Reports every later change to `emit` (null: to no one). Copies of the account do not report. */
  bind(emit: ((change: AccountChange) => void) | null): void {
    this.#emit = emit
  }

  // ---- basins ----

  listBasins(options: ListOptions): Page<BasinState> {
    return listPage(this.basins, options)
  }

  createBasin(name: string, config: BasinConfig, idempotencyKey: string | null, now: number) {
    validateLayer(config.defaultStreamConfig)
    const existing = this.basins.get(name)
    if (existing) {
      if (existing.deleting) throw errors.basinDeletionPending(name)
      if (idempotencyKey !== null && idempotencyKey === existing.idempotencyKey) {
        return { basin: existing, result: 'noop' as ProvisionResult }
      }
      throw errors.basinExists(name)
    }
    const basin = new BasinState(name, config, idempotencyKey, now)
    this.basins.set(name, basin)
    this.#emit?.({ kind: 'basin_created', basin: name, config, idempotencyKey, at: now })
    return { basin, result: 'created' as ProvisionResult }
  }

  /** PUT: create, or replace the whole config (omitted fields revert to defaults). */
  ensureBasin(name: string, config: BasinConfig, now: number) {
    validateLayer(config.defaultStreamConfig)
    const existing = this.basins.get(name)
    if (!existing) return this.createBasin(name, config, null, now)
    if (existing.deleting) throw errors.basinDeletionPending(name)
    if (sameBasinConfig(existing.config, config)) return { basin: existing, result: 'noop' as ProvisionResult }
    existing.config = config
    this.#emit?.({ kind: 'basin_config', basin: name, config })
    return { basin: existing, result: 'updated' as ProvisionResult }
  }

  /** The basin's config; still answers while the basin is being deleted, as s2-lite does. */
  basin(name: string): BasinState {
    const basin = this.basins.get(name)
    if (!basin) throw errors.basinNotFound(name)
    return basin
  }

  reconfigureBasin(name: string, patch: BasinConfigPatch): BasinConfig {
    if (patch.defaultStreamConfig) validatePatch(patch.defaultStreamConfig)
    const basin = this.basin(name)
    if (basin.deleting) throw errors.basinDeletionPending(name)
    basin.config = patchBasinConfig(basin.config, patch)
    this.#emit?.({ kind: 'basin_config', basin: name, config: basin.config })
    return basin.config
  }

  /** Marks the basin and its live streams deleted; they are purged later. Idempotent while pending. */
  deleteBasin(name: string, now: number): void {
    const basin = this.basin(name)
    if (basin.deleting) return
    basin.deletedAt = now
    for (const stream of basin.streams.values()) this.#tombstone(basin, stream, now)
    this.#schedulePurge(basin, null, now)
    this.#emit?.({ kind: 'basin_deleted', basin: name, at: now })
  }

  // ---- streams ----

  /** Streams of a basin; a missing basin lists as empty, as in s2-lite. */
  listStreams(basinName: string, options: ListOptions): Page<StreamState> {
    const basin = this.basins.get(basinName)
    return basin ? listPage(basin.streams, options) : { items: [], hasMore: false }
  }

  createStream(basinName: string, name: string, layer: StreamConfigLayer, idempotencyKey: string | null, now: number) {
    validateLayer(layer)
    const basin = this.basin(basinName)
    if (basin.deleting) throw errors.basinDeletionPending(basinName)
    const existing = basin.streams.get(name)
    if (existing) {
      if (existing.deleting) throw errors.streamDeletionPending()
      if (idempotencyKey !== null && idempotencyKey === existing.idempotencyKey) {
        return { stream: existing, result: 'noop' as ProvisionResult }
      }
      throw errors.streamExists(basinName, name)
    }
    return { stream: this.#addStream(basin, name, layer, idempotencyKey, now), result: 'created' as ProvisionResult }
  }

  /** PUT: create, or replace the config with the request merged over the basin's current defaults. */
  ensureStream(basinName: string, name: string, layer: StreamConfigLayer, now: number) {
    validateLayer(layer)
    const basin = this.basin(basinName)
    if (basin.deleting) throw errors.basinDeletionPending(basinName)
    const existing = basin.streams.get(name)
    if (!existing) return this.createStream(basinName, name, layer, null, now)
    if (existing.deleting) throw errors.streamDeletionPending()
    const desired = resolveStreamConfig(layer, basin.config.defaultStreamConfig)
    if (sameStreamConfig(existing.config, desired)) return { stream: existing, result: 'noop' as ProvisionResult }
    existing.config = desired
    this.#emit?.({ kind: 'stream_config', basin: basinName, stream: name, config: desired })
    this.#scheduleDeleteOnEmpty(existing, now)
    return { stream: existing, result: 'updated' as ProvisionResult }
  }

  /** A live stream for control-plane reads; a missing basin is `stream_not_found`, as in s2-lite. */
  streamConfig(basinName: string, name: string): StreamConfig {
    const stream = this.basins.get(basinName)?.streams.get(name)
    if (!stream) throw errors.streamNotFound(basinName, name)
    if (stream.deleting) throw errors.streamDeletionPending()
    return stream.config
  }

  reconfigureStream(basinName: string, name: string, patch: StreamConfigPatch, now: number): StreamConfig {
    validatePatch(patch)
    const basin = this.basin(basinName)
    if (basin.deleting) throw errors.basinDeletionPending(basinName)
    const stream = basin.streams.get(name)
    if (!stream) throw errors.streamNotFound(basinName, name)
    if (stream.deleting) throw errors.streamDeletionPending()
    stream.config = resolveStreamConfig(patchLayer(stream.config, patch), basin.config.defaultStreamConfig)
    this.#emit?.({ kind: 'stream_config', basin: basinName, stream: name, config: stream.config })
    this.#scheduleDeleteOnEmpty(stream, now)
    return stream.config
  }

  deleteStream(basinName: string, name: string, now: number): void {
    const basin = this.basins.get(basinName)
    const stream = basin?.streams.get(name)
    if (!basin || !stream) throw errors.streamNotFound(basinName, name)
    if (stream.deleting) return
    this.#tombstone(basin, stream, now)
    this.#emit?.({ kind: 'stream_deleted', basin: basinName, stream: name, at: now })
  }

  // ---- data plane ----

  /** The stream an append goes to, created first if the basin says so. */
  streamForAppend(basinName: string, name: string, now: number, layer: StreamConfigLayer = {}): StreamState {
    return this.#dataStream(basinName, name, now, (basin) => basin.config.createStreamOnAppend, layer)
  }

  /** The stream a read or check-tail goes to, created first if the basin says so. */
  streamForRead(basinName: string, name: string, now: number, layer: StreamConfigLayer = {}): StreamState {
    return this.#dataStream(basinName, name, now, (basin) => basin.config.createStreamOnRead, layer)
  }

  /**
   * Appends a batch. `stableAt` is when it becomes stable, if a timing profile holds it (see
   * StreamState.held): its trims count their delay from then.
   */
  append(stream: StreamState, batch: AppendBatch, now: number, keyId: string | null = null, stableAt = now): AppendAck {
    if (stream.deleting) throw errors.streamDeletionPending()
    const requested = stream.trimRequested
    const ack = stream.append(batch, now, keyId, this.trimDelayMs, stableAt)
    if (this.#emit !== null) this.#emitAppended(stream, ack.start.seqNum, now)
    this.#observer.streamChanged(stream)
    if (stream.trimRequested > requested) {
      // With no delay the trim point moves with the append; otherwise background work moves it.
      if (this.trimDelayMs === 0) stream.applyTrims(now)
      this.#scheduleDeleteOnEmpty(stream, now)
      this.#observer.wakeAt(stableAt + this.trimDelayMs) // apply the trim, then free the trimmed records
    } else if (ack.start.seqNum === stream.log.start && stream.maxExpiresAt !== Infinity) {
      this.#observer.wakeAt(stream.maxExpiresAt) // the first records of a stream: free them when they expire
    }
    return ack
  }

  /** Reports the records an append just committed, from `first` to the tail. */
  #emitAppended(stream: StreamState, first: number, now: number): void {
    const records: StoredRecord[] = []
    for (let seq = first; seq < stream.log.next; seq++) records.push(stream.log.get(seq) as StoredRecord)
    this.#emit?.({ kind: 'appended', basin: stream.basin, stream: stream.name, at: now, records })
  }

  // ---- reset and snapshots ----

  /** Removes a basin and its streams at once, as if they never existed. False if there was none. */
  resetBasin(name: string): boolean {
    if (!this.#removeBasin(name)) return false
    this.#emit?.({ kind: 'reset', basin: name, stream: null })
    return true
  }

  #removeBasin(name: string): boolean {
    const basin = this.basins.get(name)
    if (!basin) return false
    for (const stream of basin.streams.values()) this.#remove(basin, stream)
    this.basins.delete(name)
    this.#pending = this.#pending.filter((p) => p.basin !== basin)
    return true
  }

  /** Removes one stream at once, as if it never existed. False if there was none. */
  resetStream(basinName: string, name: string): boolean {
    const basin = this.basins.get(basinName)
    const stream = basin?.streams.get(name)
    if (!basin || !stream) return false
    this.#remove(basin, stream)
    basin.streams.delete(name)
    this.#pending = this.#pending.filter((p) => p.stream !== stream)
    this.#emit?.({ kind: 'reset', basin: basinName, stream: name })
    return true
  }

  /** Removes everything (sessions still reading end with an error saying why); the store reports it. */
  resetAll(): void {
    for (const name of [...this.basins.keys()]) this.#removeBasin(name)
  }

  /**
   * A copy sharing records and log chunks, with pending purges pointing at the copies. It reports
   * to `observer` (the namespace it is put in) if given, else to this account's.
   */
  clone(observer: StoreObserver = this.#observer): Account {
    const copy = new Account(observer, this.#purgeDelayMs, this.trimDelayMs)
    const basins = new Map<BasinState, BasinState>()
    for (const [name, basin] of this.basins) {
      const cloned = basin.clone()
      copy.basins.set(name, cloned)
      basins.set(basin, cloned)
    }
    copy.#pending = this.#pending.map((p) => {
      const basin = basins.get(p.basin) as BasinState
      return { basin, stream: p.stream ? (basin.streams.get(p.stream.name) ?? null) : null, at: p.at }
    })
    return copy
  }

  /** The pending purges by name (for snapshot files). */
  pendingPurges(): { basin: string; stream: string | null; at: number }[] {
    return this.#pending.map((p) => ({ basin: p.basin.name, stream: p.stream?.name ?? null, at: p.at }))
  }

  /** Adds a pending purge read from a snapshot file; the store is told when it puts the account back. */
  addPendingPurge(basin: BasinState, stream: StreamState | null, at: number): void {
    this.#pending.push({ basin, stream, at })
  }

  /** When the earliest pending purge falls due (Infinity if none). */
  get nextPurge(): number {
    return this.#pending.reduce((min, p) => Math.min(min, p.at), Infinity)
  }

  #remove(basin: BasinState, stream: StreamState): void {
    stream.removed = errors.removedByReset(basin.name, stream.name)
    this.#observer.streamChanged(stream)
  }

  // ---- background ----

  /** Removes deletions that are due; returns when the next one is due (Infinity if none). */
  purgeDue(now: number): number {
    let next = Infinity
    const remaining: PendingPurge[] = []
    const purged: { basin: string; stream: string | null }[] = []
    for (const entry of this.#pending) {
      if (entry.at > now) {
        remaining.push(entry)
        next = Math.min(next, entry.at)
      } else if (entry.stream) {
        if (entry.basin.streams.get(entry.stream.name) === entry.stream) {
          entry.basin.streams.delete(entry.stream.name)
          purged.push({ basin: entry.basin.name, stream: entry.stream.name })
        }
      } else if (entry.basin.streams.size > 0) {
        // A basin goes only once its last stream has gone; look again when the last of their purges
        // is due, not every delay until then: the clock may have been set back between the deletes,
        // and a virtual clock advanced over that gap would run this (gap / delay) times.
        const at = Math.max(now + this.#purgeDelayMs, this.#lastStreamPurge(entry.basin))
        remaining.push({ ...entry, at })
        next = Math.min(next, at)
      } else if (this.basins.get(entry.basin.name) === entry.basin) {
        this.basins.delete(entry.basin.name)
        purged.push({ basin: entry.basin.name, stream: null })
      }
    }
    this.#pending = remaining
    // Reported once the account is whole again: a log may copy the state when told.
    for (const p of purged) this.#emit?.({ kind: 'purged', ...p })
    return next
  }

  /** When the last pending purge of a basin's streams falls due (-Infinity if none is pending). */
  #lastStreamPurge(basin: BasinState): number {
    let last = -Infinity
    for (const p of this.#pending) {
      if (p.basin === basin && p.stream !== null && basin.streams.get(p.stream.name) === p.stream) last = Math.max(last, p.at)
    }
    return last
  }

  /**
   * Deletes the streams whose delete-on-empty deadline has passed with no live records; returns
   * when the next deadline falls (Infinity if none).
   */
  deleteEmptyStreams(now: number): number {
    let next = Infinity
    for (const basin of this.basins.values()) {
      for (const stream of basin.streams.values()) {
        const deadline = stream.deleteOnEmptyDeadline(now)
        if (deadline > now) next = Math.min(next, deadline)
        else if (!stream.hasLiveRecords(now)) {
          this.#tombstone(basin, stream, now)
          this.#emit?.({ kind: 'stream_deleted', basin: basin.name, stream: stream.name, at: now })
        } else next = Math.min(next, stream.deleteOnEmptyDeadline(now))
      }
    }
    return next
  }

  /** Tells the background when a stream's delete-on-empty deadline falls, after its config or records changed. */
  #scheduleDeleteOnEmpty(stream: StreamState, now: number): void {
    const deadline = stream.deleteOnEmptyDeadline(now)
    if (deadline !== Infinity) this.#observer.wakeAt(deadline)
  }

  /** Applies the trims due at `now` (s2-lite's stream-trim task); returns when the next one is due (Infinity if none). */
  applyTrims(now: number): number {
    let next = Infinity
    for (const basin of this.basins.values()) {
      for (const stream of basin.streams.values()) {
        if (stream.pendingTrims.length > 0) next = Math.min(next, stream.applyTrims(now))
      }
    }
    return next
  }

  /** Frees trimmed and expired records; returns when the next record expires (Infinity if none will). */
  compact(now: number): number {
    let next = Infinity
    for (const basin of this.basins.values()) {
      for (const stream of basin.streams.values()) next = Math.min(next, stream.compact(now))
    }
    return next
  }

  /** `layer` configures a stream it auto-creates (the cloud's `s2-stream-config` header); an existing one ignores it. */
  #dataStream(
    basinName: string,
    name: string,
    now: number,
    autoCreate: (basin: BasinState) => boolean,
    layer: StreamConfigLayer,
  ): StreamState {
    const basin = this.basins.get(basinName)
    if (!basin) throw errors.basinNotFound(basinName)
    const stream = basin.streams.get(name)
    if (stream) {
      if (stream.deleting) throw errors.streamDeletionPending()
      return stream
    }
    if (!autoCreate(basin)) throw errors.streamNotFound(basinName, name)
    if (basin.deleting) throw errors.basinDeletionPending(basinName)
    return this.#addStream(basin, name, layer, null, now)
  }

  #addStream(basin: BasinState, name: string, layer: StreamConfigLayer, key: string | null, now: number): StreamState {
    const config = resolveStreamConfig(layer, basin.config.defaultStreamConfig)
    const stream = this.addStream(basin, name, config, basin.config.streamCipher, key, now)
    this.#emit?.({ kind: 'stream_created', basin: basin.name, stream: name, config, cipher: stream.cipher, idempotencyKey: key, at: now })
    return stream
  }

  /** Adds a stream with its config resolved already (replay does, with the config it was created with). */
  addStream(basin: BasinState, name: string, config: StreamConfig, cipher: StreamState['cipher'], key: string | null, now: number): StreamState {
    const stream = new StreamState(name, config, cipher, key, now, basin.name)
    basin.streams.set(name, stream)
    this.#scheduleDeleteOnEmpty(stream, now)
    return stream
  }

  /** Removes a deleted stream (or, `stream` null, basin) now, as a due purge would (for replay). */
  purge(basinName: string, streamName: string | null): void {
    const basin = this.basins.get(basinName)
    if (!basin?.deleting && streamName === null) return
    if (streamName === null) {
      this.basins.delete(basinName)
      this.#pending = this.#pending.filter((p) => p.basin !== basin)
      return
    }
    const stream = basin?.streams.get(streamName)
    if (!basin || !stream?.deleting) return
    basin.streams.delete(streamName)
    this.#pending = this.#pending.filter((p) => p.stream !== stream)
  }

  #tombstone(basin: BasinState, stream: StreamState, now: number): void {
    if (stream.deleting) return
    stream.deletedAt = now
    this.#schedulePurge(basin, stream, now)
    this.#observer.streamChanged(stream)
  }

  #schedulePurge(basin: BasinState, stream: StreamState | null, now: number): void {
    const at = now + this.#purgeDelayMs
    this.#pending.push({ basin, stream, at })
    this.#observer.wakeAt(at)
  }
}
