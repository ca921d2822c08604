export { startS2Emulator, type S2Emulator, type S2Environment } from './server/emulator.ts'
export { emulatorDefaults, type S2EmulatorOptions } from './server/options.ts'
export { S2EmulatorError, type EmulatorErrorCode } from './server/errors/index.ts'
export type { Clock, Timer } from './server/clock/clock.ts'
export { connectS2Emulator, type S2EmulatorClient } from './client/client.ts'
export type { FaultsClient } from './client/faults.ts'
export type { ClockClient, ClockState, NamespaceInfo, ResetScope, SnapshotsClient } from './client/state.ts'
export type { SnapshotInfo } from './server/store/snapshots.ts'
export type {
  Delay,
  FaultAction,
  FaultMatch,
  FaultRule,
  FaultRuleInput,
  NameMatch,
  SessionPoint,
  Transport,
} from './server/faults/index.ts'
export type { Operation } from './server/operations.ts'
