import type { SnapshotInfo } from '../server/store/snapshots.ts'
import { adminCall } from './http.ts'
import {
  downloadSnapshot,
  exportSnapshot,
  importSnapshot,
  uploadSnapshot,
  type ImportedSnapshotInfo,
  type SnapshotFileInfo,
} from './snapshot-files.ts'

/** What a reset removes: everything (no fields), a namespace, a basin or a stream. */
export interface ResetScope {
  readonly namespace?: string
  readonly basin?: string
  readonly stream?: string
}

export interface NamespaceInfo {
  readonly namespace: string
  readonly basins: number
  readonly streams: number
}

export interface SnapshotsClient {
  /** Takes (or replaces) a named snapshot of everything, or of one namespace. */
  take(name: string, options?: { namespace?: string }): Promise<SnapshotInfo>
  /** Puts it back exactly; it can be restored again later. */
  restore(name: string): Promise<SnapshotInfo>
  get(name: string): Promise<SnapshotInfo>
  list(): Promise<SnapshotInfo[]>
  delete(name: string): Promise<void>
  /**
   * Writes a snapshot to a file on the emulator's machine (relative paths are from its working
   * directory), atomically: a crash mid-write leaves any previous file there intact.
   */
  export(name: string, path: string): Promise<SnapshotFileInfo>
  /**
   * Reads a snapshot file on the emulator's machine into a named snapshot; it replaces the
   * current state only with `{ restore: true }` (or a later `restore(name)`). A corrupt file or one
   * of a newer format is an error, and nothing changes.
   */
  import(name: string, path: string, options?: { restore?: boolean }): Promise<ImportedSnapshotInfo>
  /** The bytes of a snapshot file of a named snapshot (for an emulator in a container). */
  download(name: string): Promise<Uint8Array>
  /** Sends the bytes of a snapshot file to keep as a named snapshot (restored with `{ restore: true }`). */
  upload(name: string, bytes: Uint8Array, options?: { restore?: boolean }): Promise<ImportedSnapshotInfo>
}

export interface ClockState {
  /** `system` follows the wall clock; `virtual` moves only when told; `host` is a clock object the host gave. */
  readonly mode: 'system' | 'virtual' | 'host'
  readonly now: number
  readonly iso: string
}

export interface ClockClient {
  get(): Promise<ClockState>
  /** Stops time, now or at `at`; it then moves only by `set` or `advance`. */
  freeze(at?: number | string | Date): Promise<ClockState>
  /** Lets time run with the wall clock again, from where it stands. */
  resume(): Promise<ClockState>
  /** Sets the time; forward fires everything that falls due on the way. */
  set(now: number | string | Date): Promise<ClockState>
  /** Moves time forward: `advance('7d')`, `advance('90s')`, `advance(1500)` (ms). */
  advance(by: string | number): Promise<ClockState>
}

const time = (t: number | string | Date): number | string => (t instanceof Date ? t.getTime() : t)
const path = (name: string): string => `/_emulator/snapshots/${encodeURIComponent(name)}`

export function snapshotsClient(baseUrl: string): SnapshotsClient {
  return {
    take: (name, options) => adminCall(baseUrl, 'POST', '/_emulator/snapshots', { name, namespace: options?.namespace }),
    restore: (name) => adminCall(baseUrl, 'POST', `${path(name)}/restore`),
    get: (name) => adminCall(baseUrl, 'GET', path(name)),
    list: async () => (await adminCall<{ snapshots: SnapshotInfo[] }>(baseUrl, 'GET', '/_emulator/snapshots')).snapshots,
    delete: async (name) => {
      await adminCall(baseUrl, 'DELETE', path(name))
    },
    export: (name, file) => exportSnapshot(baseUrl, name, file),
    import: (name, file, options) => importSnapshot(baseUrl, name, file, options?.restore ?? false),
    download: (name) => downloadSnapshot(baseUrl, name),
    upload: (name, bytes, options) => uploadSnapshot(baseUrl, name, bytes, options?.restore ?? false),
  }
}

export function clockClient(baseUrl: string): ClockClient {
  return {
    get: () => adminCall(baseUrl, 'GET', '/_emulator/clock'),
    freeze: (at) => adminCall(baseUrl, 'POST', '/_emulator/clock/freeze', at === undefined ? {} : { at: time(at) }),
    resume: () => adminCall(baseUrl, 'POST', '/_emulator/clock/resume'),
    set: (now) => adminCall(baseUrl, 'PUT', '/_emulator/clock', { now: time(now) }),
    advance: (by) => adminCall(baseUrl, 'POST', '/_emulator/clock/advance', { by }),
  }
}

export async function reset(baseUrl: string, scope: ResetScope = {}): Promise<void> {
  await adminCall(baseUrl, 'POST', '/_emulator/reset', scope)
}

export async function namespaces(baseUrl: string): Promise<NamespaceInfo[]> {
  return (await adminCall<{ namespaces: NamespaceInfo[] }>(baseUrl, 'GET', '/_emulator/namespaces')).namespaces
}
