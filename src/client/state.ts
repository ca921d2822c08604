import type { SnapshotInfo } from '../server/store/snapshots.ts'
import { adminCall } from './http.ts'

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
