import type { SnapshotInfo } from '../server/store/snapshots.ts'
import { adminCall, type AdminTarget } from './http.ts'
import {
  downloadSnapshot,
  exportSnapshot,
  importSnapshot,
  uploadSnapshot,
  type ImportedSnapshotInfo,
  type SnapshotFileInfo,
} from './snapshot-files.ts'

/** Below a scope, what a reset removes: everything in it (no fields), a basin, or a stream of a basin. */
export interface ResetScope {
  readonly basin?: string
  readonly stream?: string
}

export interface SnapshotsClient {
  /** Takes (or replaces) a named snapshot of this scope: the whole emulator, or the namespace. */
  take(name: string): Promise<SnapshotInfo>
  /** Puts it back exactly; it can be restored again later. */
  restore(name: string): Promise<SnapshotInfo>
  get(name: string): Promise<SnapshotInfo>
  list(): Promise<SnapshotInfo[]>
  delete(name: string): Promise<void>
  /**
   * Writes a snapshot to a file on the machine running this code (whichever machine the emulator
   * runs on), atomically: a crash mid-write leaves any previous file there intact.
   */
  export(name: string, path: string): Promise<SnapshotFileInfo>
  /**
   * Reads a snapshot file on the machine running this code into a named snapshot; it replaces the
   * current state only with `{ restore: true }` (or a later `restore(name)`). A namespace can load
   * a file holding one namespace (any one). A corrupt file or one of a newer format is an error,
   * and nothing changes.
   */
  import(name: string, path: string, options?: { restore?: boolean }): Promise<ImportedSnapshotInfo>
  /** The bytes of a snapshot file of a named snapshot. */
  download(name: string): Promise<Uint8Array>
  /** Sends the bytes of a snapshot file to keep as a named snapshot (restored with `{ restore: true }`). */
  upload(name: string, bytes: Uint8Array, options?: { restore?: boolean }): Promise<ImportedSnapshotInfo>
}

export interface ClockState {
  /** `system` runs (with the wall clock, or for a namespace with the emulator's clock); `virtual` moves only when told; `host` is a clock object the host gave. */
  readonly mode: 'system' | 'virtual' | 'host'
  readonly now: number
  readonly iso: string
  /** For a namespace: whether it still follows the emulator's clock (it has never moved its own). */
  readonly follows?: boolean
}

export interface ClockClient {
  get(): Promise<ClockState>
  /** Stops time, now or at `at`; it then moves only by `set` or `advance`. */
  freeze(at?: number | string | Date): Promise<ClockState>
  /** Lets time run again (with the wall clock, or for a namespace with the emulator's clock), from where it stands. */
  resume(): Promise<ClockState>
  /** Sets the time; forward fires everything that falls due on the way. */
  set(now: number | string | Date): Promise<ClockState>
  /** Moves time forward: `advance('7d')`, `advance('90s')`, `advance(1500)` (ms). */
  advance(by: string | number): Promise<ClockState>
}

const time = (t: number | string | Date): number | string => (t instanceof Date ? t.getTime() : t)
const path = (name: string): string => `/snapshots/${encodeURIComponent(name)}`

export function snapshotsClient(target: AdminTarget): SnapshotsClient {
  return {
    take: (name) => adminCall(target, 'POST', '/snapshots', { name }),
    restore: (name) => adminCall(target, 'POST', `${path(name)}/restore`),
    get: (name) => adminCall(target, 'GET', path(name)),
    list: async () => (await adminCall<{ snapshots: SnapshotInfo[] }>(target, 'GET', '/snapshots')).snapshots,
    delete: async (name) => {
      await adminCall(target, 'DELETE', path(name))
    },
    export: (name, file) => exportSnapshot(target, name, file),
    import: (name, file, options) => importSnapshot(target, name, file, options?.restore ?? false),
    download: (name) => downloadSnapshot(target, name),
    upload: (name, bytes, options) => uploadSnapshot(target, name, bytes, options?.restore ?? false),
  }
}

export function clockClient(target: AdminTarget): ClockClient {
  return {
    get: () => adminCall(target, 'GET', '/clock'),
    freeze: (at) => adminCall(target, 'POST', '/clock/freeze', at === undefined ? {} : { at: time(at) }),
    resume: () => adminCall(target, 'POST', '/clock/resume'),
    set: (now) => adminCall(target, 'PUT', '/clock', { now: time(now) }),
    advance: (by) => adminCall(target, 'POST', '/clock/advance', { by }),
  }
}

export async function reset(target: AdminTarget, scope: ResetScope = {}): Promise<void> {
  await adminCall(target, 'POST', '/reset', scope)
}
