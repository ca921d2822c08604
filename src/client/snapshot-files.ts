import type { SnapshotInfo } from '../server/store/snapshots.ts'
import { adminCall, adminRequest } from './http.ts'

/** A snapshot written to a file. */
export interface SnapshotFileInfo extends SnapshotInfo {
  /** The absolute path written, on the emulator's machine. */
  readonly path: string
  /** The file's size. */
  readonly bytes: number
}

/** A snapshot read from a file or an upload. */
export interface ImportedSnapshotInfo extends SnapshotInfo {
  /** Whether it was also restored (put in place of the current state). */
  readonly restored: boolean
}

const path = (name: string): string => `/_emulator/snapshots/${encodeURIComponent(name)}`

export function exportSnapshot(baseUrl: string, name: string, file: string): Promise<SnapshotFileInfo> {
  return adminCall(baseUrl, 'POST', `${path(name)}/export`, { path: file })
}

export function importSnapshot(baseUrl: string, name: string, file: string, restore: boolean): Promise<ImportedSnapshotInfo> {
  return adminCall(baseUrl, 'POST', '/_emulator/snapshots/import', { name, path: file, restore })
}

export async function downloadSnapshot(baseUrl: string, name: string): Promise<Uint8Array> {
  const response = await adminRequest(baseUrl, 'GET', `${path(name)}/file`)
  return new Uint8Array(await response.arrayBuffer())
}

export async function uploadSnapshot(baseUrl: string, name: string, bytes: Uint8Array, restore: boolean): Promise<ImportedSnapshotInfo> {
  const route = `${path(name)}/file?restore=${restore}`
  const response = await adminRequest(baseUrl, 'PUT', route, {
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes as Uint8Array<ArrayBuffer>,
  })
  return (await response.json()) as ImportedSnapshotInfo
}
