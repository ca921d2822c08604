import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { writeFileAtomic } from '../server/persist/atomic-file.ts'
import type { SnapshotInfo } from '../server/store/snapshots.ts'
import { adminCall, adminRequest, type AdminTarget } from './http.ts'

/** A snapshot written to a file. */
export interface SnapshotFileInfo extends SnapshotInfo {
  /** The absolute path written, on the machine running the client. */
  readonly path: string
  /** The file's size. */
  readonly bytes: number
}

/** A snapshot read from a file or an upload. */
export interface ImportedSnapshotInfo extends SnapshotInfo {
  /** Whether it was also restored (put in place of the current state). */
  readonly restored: boolean
}

const path = (name: string): string => `/snapshots/${encodeURIComponent(name)}`

export async function downloadSnapshot(target: AdminTarget, name: string): Promise<Uint8Array> {
  return (await adminRequest(target, 'GET', `${path(name)}/file`)).body
}

export async function uploadSnapshot(target: AdminTarget, name: string, bytes: Uint8Array, restore: boolean): Promise<ImportedSnapshotInfo> {
  const reply = await adminRequest(target, 'PUT', `${path(name)}/file?restore=${restore}`, {
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  })
  return JSON.parse(new TextDecoder().decode(reply.body)) as ImportedSnapshotInfo
}

/**
 * Writes a named snapshot to a file where this code runs (wherever the emulator runs), atomically:
 * a crash mid-write leaves any previous file there intact.
 */
export async function exportSnapshot(target: AdminTarget, name: string, file: string): Promise<SnapshotFileInfo> {
  const reply = await adminRequest(target, 'GET', `${path(name)}/file`)
  const info = await adminCall<SnapshotInfo>(target, 'GET', path(name))
  const absolute = resolve(file)
  let bytes: number
  try {
    bytes = await writeFileAtomic(absolute, ReadableStream.from([reply.body]))
  } catch (error) {
    throw new S2EmulatorError('S2EMU_SNAPSHOT_FILE_IO', `cannot write the snapshot file ${absolute}: ${(error as Error).message}`, { cause: error })
  }
  return { ...info, path: absolute, bytes }
}

/** Reads a snapshot file where this code runs and keeps it as a named snapshot (restored with `restore`). */
export async function importSnapshot(target: AdminTarget, name: string, file: string, restore: boolean): Promise<ImportedSnapshotInfo> {
  const absolute = resolve(file)
  let bytes: Uint8Array
  try {
    if (!(await stat(absolute)).isFile()) throw new Error('not a file')
    bytes = await readFile(absolute)
  } catch (error) {
    throw new S2EmulatorError('S2EMU_SNAPSHOT_FILE_IO', `cannot read the snapshot file ${absolute}: ${(error as Error).message}`, { cause: error })
  }
  return uploadSnapshot(target, name, bytes, restore)
}
