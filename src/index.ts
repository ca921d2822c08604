import './supported-node.ts'

export { startS2Emulator } from './start.ts'
export type { S2Emulator } from './server/emulator.ts'
export { emulatorDefaults } from './server/defaults.ts'
export type { S2EmulatorOptions } from './server/options.ts'
export { S2EmulatorError, type EmulatorErrorCode } from './server/errors/emulator-error.ts'
export type { Clock, Timer } from './server/clock/clock.ts'
export { connectS2Emulator, type ConnectOptions, type S2EmulatorClient } from './client/client.ts'
export type { NamespaceOptions, S2Environment, S2Namespace } from './client/namespace.ts'
export type { NamespaceInfo } from './server/namespaces/controls.ts'
export { DEFAULT_NAMESPACE, namespaceName } from './server/namespaces/names.ts'
export type { FaultsClient } from './client/faults.ts'
export type { AccessTokensClient, AccessTokenView } from './client/access-tokens.ts'
export type { JournalClient } from './client/journal.ts'
export type { InspectOptions, StreamReference } from './client/inspect.ts'
export type { InspectedRecord, StreamRecordsPage } from './server/namespaces/stream-records.ts'
export type {
  AppendSessionInfo,
  JournalEntry,
  JournalError,
  JournalFilter,
  JournalRecord,
  JournalRecords,
  JournalSession,
  ReadSessionInfo,
  SessionEnd,
} from './server/journal/journal.ts'
export type { ClockClient, ClockState, ResetScope, SnapshotsClient } from './client/state.ts'
export type { SnapshotInfo } from './server/store/snapshots.ts'
export type { ImportedSnapshotInfo, SnapshotFileInfo } from './client/snapshot-files.ts'
export type {
  InitBasinConfigSpec,
  InitBasinSpec,
  InitResult,
  InitSpec,
  InitStreamConfigSpec,
  InitStreamSpec,
} from './server/seed/init-file.ts'
export type { RecordSeed } from './server/seed/records-file.ts'
export type {
  Delay,
  FaultAction,
  FaultMatch,
  FaultRule,
  FaultRuleInput,
  FaultScope,
  NameMatch,
  SessionPoint,
  Transport,
} from './server/faults/index.ts'
export type { Operation } from './server/operations.ts'
export type { TimingClient } from './client/timing.ts'
export type { TimingDelay, TimingInput, TimingProfileName, TimingSpec } from './server/timing/profile.ts'
export type { DelayRanges, TimingState } from './server/timing/state.ts'
