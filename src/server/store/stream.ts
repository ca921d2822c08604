import { errors, type S2Error } from '../errors/index.ts'
import { retentionMs, type Cipher, type StreamConfig } from './config.ts'
import { RecordListBuilder, type RecordList } from './record-list.ts'
import { RecordLog } from './record-log.ts'
import { commandOf, MAX_BATCH_RECORDS, type AppendBatch, type Command, type StoredRecord, type StreamPosition } from './record.ts'

/**
 * The timestamps an append gives its records, written and read within StreamState.append (the
 * store copies them): one array for every append, as an array allocated per append cost more
 * than the loop that fills it.
 */
const batchTimestamps = new Float64Array(MAX_BATCH_RECORDS)

export interface AppendAck {
  readonly start: StreamPosition
  readonly end: StreamPosition
  readonly tail: StreamPosition
}

/** Limits for collecting one batch of records. */
export interface CollectLimits {
  readonly count: number
  readonly bytes: number
  /** Exclusive upper bound on record timestamps; Infinity for none. */
  readonly until: number
  /** Exclusive upper bound on sequence numbers. */
  readonly endSeq: number
}

export type CollectStop = 'count' | 'bytes' | 'until' | 'end'

/** A trim appended but not applied yet: background work moves the trim point to `point` at `at`. */
export interface PendingTrim {
  readonly point: number
  readonly at: number
}

/** Where an open read session is: records at or after `position` stay in memory for it. */
export interface ReadCursor {
  readonly position: number
}

export interface Collected {
  readonly records: RecordList
  readonly bytes: number
  /** Where the next collection continues. */
  readonly next: number
  /** Which limit stopped it: `end` means it reached `endSeq`. */
  readonly stop: CollectStop
}

/** One stream: its records and everything S2 keeps beside them. */
export class StreamState {
  readonly name: string
  /** The basin it belongs to. */
  readonly basin: string
  readonly createdAt: number
  deletedAt: number | null = null
  config: StreamConfig
  readonly cipher: Cipher | null
  /** Set when created by a POST carrying `s2-request-token`; kept across ensures. */
  readonly idempotencyKey: string | null
  log: RecordLog
  /** Timestamp of the last record appended: the tail's timestamp. */
  lastTimestamp = 0
  fencingToken = ''
  /**
   * Records below this sequence number are trimmed: background work deleted them (s2-lite's
   * stream-trim task), so reads that open now start at or after it.
   */
  trimPoint = 0
  /** Trims appended and not applied yet, in the order they were appended (points increase). */
  pendingTrims: PendingTrim[] = []
  /** The open read sessions: trimmed records they have not passed are kept for them. */
  readonly cursors = new Set<ReadCursor>()
  /** Time of the last append, for delete-on-empty. */
  lastWriteAt: number | null = null
  /** The latest retention expiry of any record written (Infinity with infinite retention). */
  maxExpiresAt = 0
  /** Set when a reset or restore removed the stream; sessions still holding it end with this error. */
  removed: S2Error | null = null
  /**
   * The stable tail while appends are pending (s2-lite's `stable_pos`): records from here on are
   * sequenced but not yet stable, so reads, check-tail and followers do not see them. Null when
   * every record is stable, which is always the case without a timing profile.
   */
  held: StreamPosition | null = null
  /** One past the last fence command: a fencing-token mismatch depends on the records up to it. */
  fencedAt = 0

  constructor(name: string, config: StreamConfig, cipher: Cipher | null, idempotencyKey: string | null, now: number, basin: string) {
    this.name = name
    this.basin = basin
    this.config = config
    this.cipher = cipher
    this.idempotencyKey = idempotencyKey
    this.createdAt = now
    this.log = new RecordLog()
  }

  get deleting(): boolean {
    return this.deletedAt !== null
  }

  /** The stable tail: what reads, check-tail and followers see. */
  tail(): StreamPosition {
    return this.held ?? { seqNum: this.log.next, timestamp: this.lastTimestamp }
  }

  /** One past the last stable record: reads deliver records below it. */
  get stableNext(): number {
    return this.held === null ? this.log.next : this.held.seqNum
  }

  /**
   * Appends a validated batch: checks the fencing token and `match_seq_num`, assigns timestamps,
   * then commits the whole batch or nothing (s2-lite §5.5, §5.6). A trim command is recorded at
   * once (the point only moves forward) and applied by background work `trimDelayMs` after
   * `stableAt` (when the append is stable; `now` unless a timing profile holds it).
   */
  append(batch: AppendBatch, now: number, keyId: string | null = null, trimDelayMs = 0, stableAt = now): AppendAck {
    if (batch.fencingToken !== undefined && batch.fencingToken !== this.fencingToken) {
      throw errors.fencingTokenMismatch(this.fencingToken)
    }
    const first = this.log.next
    if (batch.matchSeqNum !== undefined && batch.matchSeqNum !== first) throw errors.seqNumMismatch(first)

    const { timestampingMode: mode, timestampingUncapped: uncapped } = this.config
    const { records, commands } = batch
    const given = records.timestamps
    const timestamps = batchTimestamps
    let max = this.lastTimestamp
    for (let i = 0; i < records.length; i++) {
      const client = given === null ? NaN : (given[i] as number) // NaN: none given
      let ts: number
      if (mode === 'arrival') ts = now
      else if (!Number.isNaN(client)) ts = client
      else if (mode === 'client-require') throw errors.invalid('record timestamp was required but was missing')
      else ts = now
      if (!uncapped && ts > now) ts = now
      if (ts < max) ts = max
      else max = ts
      timestamps[i] = ts
    }

    const expiresAt = now + retentionMs(this.config)
    // Large batches stay in the buffer they arrived in when it holds little else; the rest are copied.
    this.log.addBatch(records, timestamps, expiresAt, this.cipher === null ? null : keyId, commands, records.shareable)
    // Commands take effect in order, once their records are in (a trim never reaches past its own).
    if (commands !== null) for (const [i, command] of commands) this.#applyCommand(command, first + i, stableAt + trimDelayMs)
    this.lastTimestamp = max
    this.lastWriteAt = now
    this.maxExpiresAt = Math.max(this.maxExpiresAt, expiresAt)
    const end = this.log.next
    return {
      start: { seqNum: first, timestamp: timestamps[0] as number },
      end: { seqNum: end, timestamp: timestamps[records.length - 1] as number },
      tail: this.tail(),
    }
  }

  /** The trim point once every trim appended so far is applied. */
  get trimRequested(): number {
    return this.pendingTrims.at(-1)?.point ?? this.trimPoint
  }

  /** A fence sets the token at once; a trim is recorded, to be applied by background work at `trimAt`. */
  #applyCommand(command: Command, seqNum: number, trimAt: number): void {
    if (command.kind === 'fence') {
      this.fencingToken = command.token
      this.fencedAt = seqNum + 1
      return
    }
    // s2-lite: a trim never reaches past its own record, and a lower one changes nothing.
    const point = Math.min(command.seqNum, seqNum + 1)
    if (point > this.trimRequested) this.pendingTrims.push({ point, at: trimAt })
  }

  /**
   * Puts back records an append committed at `now` (replaying a log): the same effect as that
   * append, with the positions, timestamps and expiry times the records were given, and its trims
   * pending until `now + trimDelayMs`, as they were.
   */
  replayAppend(records: readonly StoredRecord[], now: number, trimDelayMs: number): void {
    const first = records[0]
    if (first === undefined) return
    if (first.seqNum !== this.log.next) {
      throw new Error(`stream "${this.name}": replayed records start at seqNum ${first.seqNum}, the stream's tail is ${this.log.next}`)
    }
    for (const record of records) {
      this.log.push(record)
      const command = commandOf(record)
      if (command !== null) this.#applyCommand(command, record.seqNum, now + trimDelayMs)
      this.maxExpiresAt = Math.max(this.maxExpiresAt, record.expiresAt)
    }
    this.lastTimestamp = Math.max(this.lastTimestamp, (records[records.length - 1] as StoredRecord).timestamp)
    this.lastWriteAt = now
  }

  /**
   * Where a read opening at `now` starts at the earliest: the trim point, moved by the pending
   * trims due by then (so a read sees a trim exactly when it falls due, whenever the timer fires).
   */
  readableFrom(now: number): number {
    let point = this.trimPoint
    for (const trim of this.pendingTrims) {
      if (trim.at > now) break
      point = trim.point
    }
    return point
  }

  /** Moves the trim point by the pending trims due at `now`; returns when the next one is due (Infinity if none). */
  applyTrims(now: number): number {
    this.trimPoint = this.readableFrom(now)
    this.pendingTrims = this.pendingTrims.filter((trim) => trim.point > this.trimPoint)
    return this.pendingTrims[0]?.at ?? Infinity
  }

  /** First sequence number at or after `timestamp` that a read opening at `now` may see, or the tail if there is none. */
  seekTimestamp(timestamp: number, now: number): number {
    return Math.min(this.log.seekTimestamp(timestamp, this.readableFrom(now)), this.stableNext)
  }

  /**
   * Collects unexpired records from `from` (the caller starts at or after the trim point it saw),
   * stopping at the first limit reached. A record that does not fit the remaining bytes is never
   * split: collection stops before it.
   */
  collect(from: number, limits: CollectLimits, now: number, trimPoint: number = this.trimPoint): Collected {
    const log = this.log
    let bytes = 0
    let seq = Math.max(from, log.start)
    const end = Math.min(limits.endSeq, log.next)
    const records = new RecordListBuilder(Math.min(limits.count, end - seq, 1024))
    let stop: CollectStop = 'end'
    for (; seq < end; seq++) {
      const chunk = log.chunkAt(seq)
      const slot = seq - chunk.base
      if (chunk.expiresAtOf(slot) <= now) continue
      if (chunk.timestampOf(slot) >= limits.until) {
        stop = 'until'
        break
      }
      if (records.length >= limits.count) {
        stop = 'count'
        break
      }
      const metered = chunk.metered(slot)
      if (bytes + metered > limits.bytes) {
        stop = 'bytes'
        break
      }
      records.add(chunk, slot)
      bytes += metered
    }
    return { records: records.finish(), bytes, next: seq, stop }
  }

  /** Whether any record is still live (for delete-on-empty). */
  hasLiveRecords(now: number): boolean {
    for (let seq = Math.max(this.readableFrom(now), this.log.start); seq < this.log.next; seq++) {
      if (this.log.expiresAtOf(seq) > now) return true
    }
    return false
  }

  /**
   * When delete-on-empty may delete this stream: `min_age` after its last write (or creation),
   * and not before its last record expires. Infinity when disabled or never empty.
   */
  deleteOnEmptyDeadline(now: number): number {
    const minAgeMs = this.config.deleteOnEmptyMinAgeSecs * 1000
    if (minAgeMs === 0 || this.deleting) return Infinity
    const quiet = (this.lastWriteAt ?? this.createdAt) + minAgeMs
    return this.hasLiveRecords(now) ? Math.max(quiet, this.maxExpiresAt) : quiet
  }

  /** A copy sharing the records (which never change) and all but the last chunk of the log. */
  clone(): StreamState {
    const copy = new StreamState(this.name, this.config, this.cipher, this.idempotencyKey, this.createdAt, this.basin)
    copy.deletedAt = this.deletedAt
    copy.log = this.log.clone()
    copy.lastTimestamp = this.lastTimestamp
    copy.fencingToken = this.fencingToken
    copy.fencedAt = this.fencedAt
    copy.trimPoint = this.trimPoint
    copy.pendingTrims = this.pendingTrims.slice()
    copy.lastWriteAt = this.lastWriteAt
    copy.maxExpiresAt = this.maxExpiresAt
    return copy
  }

  /**
   * Frees the memory of trimmed and expired records at the front of the log, keeping trimmed ones
   * an open session has yet to deliver; returns when the first record left expires (Infinity if
   * none will).
   */
  compact(now: number): number {
    let keep = this.trimPoint
    for (const cursor of this.cursors) keep = Math.min(keep, cursor.position)
    let seq = this.log.start
    while (seq < this.log.next) {
      if (seq >= keep && this.log.expiresAtOf(seq) > now) break
      seq++
    }
    this.log.dropBefore(seq)
    return seq < this.log.next ? this.log.expiresAtOf(seq) : Infinity
  }
}
