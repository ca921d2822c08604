import type { Account } from './account.ts'
import { BasinState } from './basin.ts'
import type { BasinConfig, Cipher, StreamConfig } from './config.ts'
import { RecordLog } from './record-log.ts'
import type { StoredRecord } from './record.ts'
import type { StoreSnapshot } from './store.ts'
import { StreamState, type PendingTrim } from './stream.ts'

/**
 * A {@link StoreSnapshot} as plain data, and back: what snapshot files hold (see
 * docs/snapshot-format.md). Every field the store keeps is here, so a snapshot read back is the
 * same state: records (with key ids and expiry times), configs, idempotency keys, fencing tokens,
 * trim points, deletion states, pending purges and where each log starts. No I/O here.
 */

export interface SnapshotData {
  /** The namespace it holds, or null for the whole store. */
  readonly namespace: string | null
  readonly takenAt: number
  readonly accounts: readonly AccountData[]
  /** In a persist directory's state file: the last change of its log the snapshot includes. */
  readonly logSeq?: number
}

export interface AccountData {
  readonly namespace: string
  readonly basins: readonly BasinData[]
  /** Deleted basins and streams still listed, and when each is purged. */
  readonly pendingPurges: readonly PendingPurgeData[]
}

export interface PendingPurgeData {
  readonly basin: string
  /** null: the purge of the basin itself. */
  readonly stream: string | null
  readonly at: number
}

export interface BasinData {
  readonly name: string
  readonly createdAt: number
  readonly deletedAt: number | null
  readonly idempotencyKey: string | null
  readonly config: BasinConfig
  readonly streams: readonly StreamData[]
}

export interface StreamData {
  readonly name: string
  readonly createdAt: number
  readonly deletedAt: number | null
  readonly idempotencyKey: string | null
  readonly cipher: Cipher | null
  readonly config: StreamConfig
  readonly lastTimestamp: number
  readonly fencingToken: string
  readonly trimPoint: number
  /** Trims appended but not yet applied (points increasing, all above `trimPoint`); absent in older files. */
  readonly pendingTrims?: readonly PendingTrim[]
  readonly lastWriteAt: number | null
  /** May be Infinity (records with infinite retention were written). */
  readonly maxExpiresAt: number
  /** First sequence number the log holds (records below were freed). */
  readonly logStart: number
  /** The tail's sequence number. */
  readonly logNext: number
  /** The records from `logStart` to `logNext`, in order (lazy when written out). */
  readonly records: Iterable<StoredRecord>
}

/** A snapshot's data is not a consistent state (a record out of place, a purge of nothing...). */
export class SnapshotDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SnapshotDataError'
  }
}

function* logRecords(log: RecordLog): Generator<StoredRecord> {
  for (let seq = log.start; seq < log.next; seq++) yield log.get(seq) as StoredRecord
}

function streamToData(stream: StreamState): StreamData {
  return {
    name: stream.name,
    createdAt: stream.createdAt,
    deletedAt: stream.deletedAt,
    idempotencyKey: stream.idempotencyKey,
    cipher: stream.cipher,
    config: stream.config,
    lastTimestamp: stream.lastTimestamp,
    fencingToken: stream.fencingToken,
    trimPoint: stream.trimPoint,
    pendingTrims: stream.pendingTrims.map((trim) => ({ point: trim.point, at: trim.at })),
    lastWriteAt: stream.lastWriteAt,
    maxExpiresAt: stream.maxExpiresAt,
    logStart: stream.log.start,
    logNext: stream.log.next,
    records: { [Symbol.iterator]: () => logRecords(stream.log) },
  }
}

function basinToData(basin: BasinState): BasinData {
  return {
    name: basin.name,
    createdAt: basin.createdAt,
    deletedAt: basin.deletedAt,
    idempotencyKey: basin.idempotencyKey,
    config: basin.config,
    streams: [...basin.streams.values()].map(streamToData),
  }
}

/**
 * The data of a snapshot. Records are read lazily from the snapshot's logs, which never change
 * (a snapshot is a copy), so it can be written out while the emulator keeps serving.
 */
export function snapshotToData(snapshot: StoreSnapshot): SnapshotData {
  return {
    namespace: snapshot.namespace,
    takenAt: snapshot.takenAt,
    accounts: [...snapshot.accounts].map(([namespace, account]) => ({
      namespace,
      basins: [...account.basins.values()].map(basinToData),
      pendingPurges: account.pendingPurges(),
    })),
  }
}

function streamFromData(data: StreamData, basin: string, where: string): StreamState {
  const stream = new StreamState(data.name, data.config, data.cipher, data.idempotencyKey, data.createdAt, basin)
  stream.deletedAt = data.deletedAt
  stream.lastTimestamp = data.lastTimestamp
  stream.fencingToken = data.fencingToken
  stream.trimPoint = data.trimPoint
  let last = data.trimPoint
  for (const trim of data.pendingTrims ?? []) {
    if (!(trim.point > last)) {
      throw new SnapshotDataError(`${where}: a pending trim to ${trim.point} does not move past the trim point ${last}`)
    }
    last = trim.point
    stream.pendingTrims.push({ point: trim.point, at: trim.at })
  }
  if (last > data.logNext) throw new SnapshotDataError(`${where}: a pending trim to ${last} is beyond logNext ${data.logNext}`)
  stream.lastWriteAt = data.lastWriteAt
  stream.maxExpiresAt = data.maxExpiresAt
  if (!(data.logStart <= data.logNext)) throw new SnapshotDataError(`${where}: logStart ${data.logStart} is after logNext ${data.logNext}`)
  const log = new RecordLog(data.logStart)
  for (const record of data.records) {
    if (record.seqNum !== log.next) {
      throw new SnapshotDataError(`${where}: expected the record with seqNum ${log.next}, found ${record.seqNum}`)
    }
    log.push(record)
  }
  if (log.next !== data.logNext) {
    throw new SnapshotDataError(`${where}: the log should end at seqNum ${data.logNext} but its records end at ${log.next}`)
  }
  stream.log = log
  return stream
}

/**
 * Live objects from snapshot data. `newAccount` gives an empty account wired to the store the
 * snapshot is for (see {@link Store.detachedAccount}). Throws {@link SnapshotDataError} if the
 * data is not a consistent state.
 */
export function snapshotFromData(data: SnapshotData, newAccount: () => Account): StoreSnapshot {
  const accounts = new Map<string, Account>()
  for (const accountData of data.accounts) {
    const ns = accountData.namespace
    if (accounts.has(ns)) throw new SnapshotDataError(`namespace "${ns}" appears twice`)
    if (data.namespace !== null && ns !== data.namespace) {
      throw new SnapshotDataError(`a snapshot of namespace "${data.namespace}" holds namespace "${ns}"`)
    }
    const account = newAccount()
    for (const basinData of accountData.basins) {
      const where = `namespace "${ns}", basin "${basinData.name}"`
      if (account.basins.has(basinData.name)) throw new SnapshotDataError(`${where} appears twice`)
      const basin = new BasinState(basinData.name, basinData.config, basinData.idempotencyKey, basinData.createdAt)
      basin.deletedAt = basinData.deletedAt
      for (const streamData of basinData.streams) {
        const at = `${where}, stream "${streamData.name}"`
        if (basin.streams.has(streamData.name)) throw new SnapshotDataError(`${at} appears twice`)
        basin.streams.set(streamData.name, streamFromData(streamData, basin.name, at))
      }
      account.basins.set(basin.name, basin)
    }
    for (const purge of accountData.pendingPurges) {
      const basin = account.basins.get(purge.basin)
      const stream = purge.stream === null ? null : basin?.streams.get(purge.stream)
      if (!basin || stream === undefined) {
        const what = purge.stream === null ? `basin "${purge.basin}"` : `stream "${purge.basin}/${purge.stream}"`
        throw new SnapshotDataError(`namespace "${ns}": a purge is pending for ${what}, which is not in the snapshot`)
      }
      account.addPendingPurge(basin, stream, purge.at)
    }
    accounts.set(ns, account)
  }
  return { namespace: data.namespace, takenAt: data.takenAt, accounts }
}
