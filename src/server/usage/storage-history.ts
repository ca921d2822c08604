import type { Account, AppendAck, StreamState } from '../store/index.ts'

/** Bytes appended together: stored from `from` until they expire, are trimmed or their stream is deleted. */
interface Segment {
  from: number
  firstSeq: number
  endSeq: number
  bytes: number
  until: number
}

/**
 * What one stream (one generation of a name) stored over time, for the storage gauges: a segment
 * per append batch, ended by expiry (known when written), by a trim (when the trim is appended) or
 * by the stream's deletion. A stream removed by a reset or restore never existed, as for the store.
 */
export class StreamHistory {
  readonly basin: string
  readonly stream: StreamState
  readonly #segments: Segment[] = []
  #trimPoint: number

  constructor(basin: string, stream: StreamState, seedBefore: number) {
    this.basin = basin
    this.stream = stream
    this.#trimPoint = stream.trimPoint
    // Records it holds that were not seen appended (loaded from a snapshot) count from its creation.
    this.#addRange(Math.max(stream.trimPoint, stream.log.start), seedBefore, stream.createdAt)
  }

  get removed(): boolean {
    return this.stream.removed !== null
  }

  /** Records a batch just appended at `now` (and the trim it may carry). */
  appended(ack: AppendAck, now: number): void {
    this.#addRange(ack.start.seqNum, ack.end.seqNum, now)
    this.#trim(now)
  }

  #addRange(first: number, end: number, from: number): void {
    let segment: Segment | null = null
    const log = this.stream.log
    for (let seq = Math.max(first, log.start); seq < Math.min(end, log.next); seq++) {
      const expiresAt = log.expiresAtOf(seq)
      if (segment === null || segment.until !== expiresAt) {
        segment = { from, firstSeq: seq, endSeq: seq + 1, bytes: 0, until: expiresAt }
        this.#segments.push(segment)
      }
      segment.endSeq = seq + 1
      segment.bytes += log.meteredOf(seq)
    }
  }

  /**
   * Ends the segments a new trim covers (splitting the one it cuts through), when the trim takes
   * effect: at `now` if it already moved the trim point, else when background work applies it.
   */
  #trim(now: number): void {
    const trims = [{ point: this.stream.trimPoint, at: now }, ...this.stream.pendingTrims]
    for (const { point, at } of trims) this.#trimAt(point, at)
  }

  #trimAt(point: number, at: number): void {
    if (point <= this.#trimPoint) return
    this.#trimPoint = point
    const now = at
    for (const segment of [...this.#segments]) {
      if (segment.firstSeq >= point || segment.until <= now) continue
      if (segment.endSeq <= point) {
        segment.until = now
        continue
      }
      let trimmed = 0
      const log = this.stream.log
      for (let seq = Math.max(segment.firstSeq, log.start); seq < Math.min(point, log.next); seq++) trimmed += log.meteredOf(seq)
      this.#segments.push({ from: segment.from, firstSeq: point, endSeq: segment.endSeq, bytes: segment.bytes - trimmed, until: segment.until })
      segment.endSeq = point
      segment.bytes = trimmed
      segment.until = now
    }
  }

  /** Metered bytes stored at instant `t` (ms). */
  storedAt(t: number): number {
    if (this.removed || t < this.stream.createdAt) return 0
    const end = this.stream.deletedAt ?? Infinity
    let bytes = 0
    for (const s of this.#segments) if (s.from <= t && t < Math.min(s.until, end)) bytes += s.bytes
    return bytes
  }

  /** Whether the stream existed at some time from `start` to `end` (ms). */
  existedDuring(start: number, end: number): boolean {
    return !this.removed && this.stream.createdAt <= end && (this.stream.deletedAt ?? Infinity) > start
  }
}

/** A namespace's stream histories, by stream and by basin name. */
export class StorageHistory {
  readonly #byStream = new Map<StreamState, StreamHistory>()
  readonly #byBasin = new Map<string, StreamHistory[]>()

  /** The history of a stream, begun now if it has none (counting records below `seedBefore` it already held). */
  track(basin: string, stream: StreamState, seedBefore = stream.log.next): StreamHistory {
    let history = this.#byStream.get(stream)
    if (history === undefined) {
      history = new StreamHistory(basin, stream, seedBefore)
      this.#byStream.set(stream, history)
      const list = this.#byBasin.get(basin)
      if (list === undefined) this.#byBasin.set(basin, [history])
      else list.push(history)
    }
    return history
  }

  appended(basin: string, stream: StreamState, ack: AppendAck, now: number): void {
    this.track(basin, stream, ack.start.seqNum).appended(ack, now)
  }

  /** Begins histories for the streams of an account not seen yet (created by seeding, loaded from a file). */
  reconcile(account: Account | undefined): void {
    for (const basin of account?.basins.values() ?? []) {
      for (const stream of basin.streams.values()) this.track(basin.name, stream)
    }
  }

  /** The histories of a basin's streams (every generation; those removed by a reset are dropped). */
  streams(basin: string): StreamHistory[] {
    const list = this.#byBasin.get(basin)
    if (list === undefined) return []
    const kept = list.filter((h) => !h.removed)
    if (kept.length !== list.length) {
      for (const h of list) if (h.removed) this.#byStream.delete(h.stream)
      if (kept.length === 0) this.#byBasin.delete(basin)
      else this.#byBasin.set(basin, kept)
    }
    return kept
  }

  basins(): string[] {
    return [...this.#byBasin.keys()].filter((basin) => this.streams(basin).length > 0)
  }
}
