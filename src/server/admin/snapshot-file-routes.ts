import type { Hono } from 'hono'
import type { Engine } from '../engine/index.ts'
import { S2Error, type JsonValue } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import { SnapshotFileError } from '../persist/errors.ts'
import { readSnapshot, readSnapshotFile, snapshotFileBytes, writeSnapshotFile } from '../persist/snapshot-file.ts'
import type { SnapshotInfo, StoreSnapshot } from '../store/index.ts'
import { adminBody, optionalString } from './body.ts'

/** The same rule as snapshot names taken in memory (src/server/store/snapshots.ts). */
const NAME = /^[A-Za-z0-9._-]{1,128}$/

/** File system errors that are the emulator's own trouble (500); any other comes from the path the caller chose (400). */
const SERVER_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'ENOMEM'])

function adminError(code: 'snapshot_file_invalid' | 'snapshot_file_io', status: number, message: string): S2Error {
  return new S2Error(code, message, status, { code, message })
}

/** A snapshot file problem as the admin API answers it. */
function fileError(error: unknown): unknown {
  if (!(error instanceof SnapshotFileError)) return error
  if (error.kind === 'io') {
    return adminError('snapshot_file_io', error.errno !== undefined && SERVER_ERRNOS.has(error.errno) ? 500 : 400, error.message)
  }
  return adminError('snapshot_file_invalid', 400, error.message)
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new S2Error('bad_json', 'name: must be 1 to 128 characters of letters, digits, ".", "_" and "-"')
  return name
}

function requiredString(body: Record<string, unknown>, field: string, what: string): string {
  const value = optionalString(body, field)
  if (value === undefined || value === '') throw new S2Error('bad_json', `${field}: required: ${what}`)
  return value
}

/** A file path: the file system takes no NUL in one, and a path ending in `/` names no file. */
function filePath(body: Record<string, unknown>, what: string): string {
  const path = requiredString(body, 'path', what)
  if (path.includes('\0')) throw new S2Error('bad_json', 'path: must not contain NUL characters')
  if (path.endsWith('/')) throw new S2Error('bad_json', `path: names a directory (${path}); give a file's path`)
  return path
}

const view = (value: unknown): JsonValue => value as JsonValue

/**
 * Snapshot files (format: docs/snapshot-format.md): export a named snapshot to a path on the
 * emulator's machine, import one from a path, or download and upload the bytes (for emulators in
 * containers). An imported snapshot is restored only when asked (`restore`).
 */
export function snapshotFileRoutes(app: Hono<AppEnv>, engine: Engine): void {
  const infoOf = (name: string): SnapshotInfo => engine.snapshots.list().find((s) => s.name === name) as SnapshotInfo
  const keep = (name: string, snapshot: StoreSnapshot, restore: boolean): JsonValue => {
    engine.snapshots.put(name, snapshot)
    const info = restore ? engine.restore(name) : infoOf(name)
    return view({ ...info, restored: restore })
  }

  app.post('/_emulator/snapshots/import', async (c) => {
    const body = await adminBody(c.req.raw)
    const name = checkName(requiredString(body, 'name', 'the name to keep the imported snapshot under'))
    const path = filePath(body, "the snapshot file's path on the emulator's machine")
    const restore = body.restore ?? false
    if (typeof restore !== 'boolean') throw new S2Error('bad_json', 'restore: must be true or false')
    let snapshot: StoreSnapshot
    try {
      snapshot = await readSnapshotFile(path, () => engine.store.detachedAccount())
    } catch (error) {
      throw fileError(error)
    }
    return json(201, keep(name, snapshot, restore))
  })

  app.post('/_emulator/snapshots/:name/export', async (c) => {
    const name = c.req.param('name')
    const body = await adminBody(c.req.raw)
    const path = filePath(body, "where to write the file, on the emulator's machine")
    const snapshot = engine.snapshots.get(name)
    const info = infoOf(name)
    let written: { path: string; bytes: number }
    try {
      written = await writeSnapshotFile(path, snapshot)
    } catch (error) {
      throw fileError(error)
    }
    return json(200, view({ ...info, ...written }))
  })

  app.get('/_emulator/snapshots/:name/file', (c) => {
    const name = c.req.param('name')
    const bytes = snapshotFileBytes(engine.snapshots.get(name))
    return new Response(ReadableStream.from(bytes), {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}.s2snap"`,
      },
    })
  })

  app.put('/_emulator/snapshots/:name/file', async (c) => {
    const name = checkName(c.req.param('name'))
    const flag = c.req.query('restore')
    if (flag !== undefined && flag !== 'true' && flag !== 'false') throw new S2Error('bad_query', 'restore: must be true or false')
    const body = c.req.raw.body ?? ReadableStream.from<Uint8Array>([])
    let snapshot: StoreSnapshot
    try {
      snapshot = await readSnapshot(body, () => engine.store.detachedAccount(), 'the uploaded snapshot')
    } catch (error) {
      throw fileError(error)
    }
    return json(201, keep(name, snapshot, flag === 'true'))
  })
}
