export { Store, type StoreOptions, type StoreSnapshot } from './store.ts'
export { checkSnapshotName, Snapshots, type SnapshotInfo } from './snapshots.ts'
export type { AccountChange, ChangeSink, StoreChange, StoreWideChange } from './changes.ts'
export { replayChange, ReplayError } from './replay.ts'
export { Account, type ProvisionResult, type StoreObserver } from './account.ts'
export { BasinState } from './basin.ts'
export {
  StreamState,
  type AppendAck,
  type Collected,
  type CollectLimits,
  type CollectStop,
  type PendingTrim,
  type ReadCursor,
} from './stream.ts'
export { RecordList } from './record-list.ts'
export { listPage, type ListOptions, type Page } from './list.ts'
export {
  DEFAULT_BASIN_CONFIG,
  DEFAULT_STREAM_CONFIG,
  validateLayer,
  type BasinConfig,
  type BasinConfigPatch,
  type Cipher,
  type RetentionPolicy,
  type StorageClass,
  type StreamConfig,
  type StreamConfigLayer,
  type StreamConfigPatch,
  type TimestampingMode,
} from './config.ts'
export {
  validateBatch,
  meteredSize,
  MAX_BATCH_METERED_BYTES,
  MAX_BATCH_RECORDS,
  NO_HEADERS,
  type AppendBatch,
  type AppendRecord,
  type Header,
  type StoredRecord,
  type StreamPosition,
} from './record.ts'
export { RecordBatch, RecordBatchBuilder } from './record-batch.ts'
export { FrameSlabs } from './slabs.ts'
export {
  basinNameProblem,
  basinFilterProblem,
  streamNameProblem,
  streamFilterProblem,
  requestTokenProblem,
  utf8Length,
  MAX_FENCING_TOKEN_BYTES,
} from './names.ts'
