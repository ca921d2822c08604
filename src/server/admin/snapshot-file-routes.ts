import { isAbsolute, relative, resolve } from 'node:path'
import { S2Error, type JsonValue } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import { SnapshotFileError } from '../persist/errors.ts'
import { readSnapshot, readSnapshotFile, snapshotFileBytes, writeSnapshotFile } from '../persist/snapshot-file.ts'
import { checkSnapshotName, type Account, type StoreSnapshot } from '../store/index.ts'
import { adminBody, optionalString } from './body.ts'
import type { AppContext } from '../http/route.ts'
import type { Mount } from './scope.ts'

/** File system errors that are the emulator's own trouble (500); any other comes from the path the caller chose (400). */
const SERVER_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'ENOMEM'])

function adminError(code: 'snapshot_file_invalid' | 'snapshot_file_io' | 'snapshot_files_off', status: number, message: string): S2Error {
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

function requiredString(body: Record<string, unknown>, field: string, what: string): string {
  const value = optionalString(body, field)
  if (value === undefined || value === '') throw new S2Error('bad_json', `${field}: required: ${what}`)
  return value
}

/**
 * A path inside the snapshot directory. Files by path are off unless the emulator was started
 * with one (a page in a browser must not make it write or probe files anywhere), and a path may
 * not leave it.
 */
function confined(dir: string | null, path: string): string {
  if (dir === null) {
    throw adminError(
      'snapshot_files_off',
      403,
      'snapshot files by path are off: start the emulator with a snapshot directory (snapshotDir option, --snapshot-dir DIR) to read and write files there, or move the bytes with GET/PUT .../snapshots/{name}/file (the client\'s export and import do that)',
    )
  }
  if (path.includes('\0')) throw new S2Error('bad_json', 'path: must not contain NUL characters')
  const absolute = resolve(dir, path)
  const inside = relative(dir, absolute)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new S2Error('bad_json', `path: must name a file inside the snapshot directory ${dir}`)
  }
  if (path.endsWith('/')) throw new S2Error('bad_json', `path: names a directory (${path}); give a file's path`)
  return absolute
}

const view = (value: unknown): JsonValue => value as JsonValue

/**
 * Snapshot files (format: docs/snapshot-format.md): download and upload the bytes of a named
 * snapshot, or, with a snapshot directory configured, export to and import from files in it. An
 * imported snapshot is restored only when asked (`restore`).
 */
export function snapshotFileRoutes({ app, prefix, scopeOf }: Mount, snapshotDir: string | null, newAccount: () => Account): void {
  const base = `${prefix}/snapshots`
  const dir = snapshotDir === null ? null : resolve(snapshotDir)
  const keep = (c: AppContext, name: string, snapshot: StoreSnapshot, restore: boolean): JsonValue => {
    const scope = scopeOf(c)
    scope.snapshots.put(name, snapshot)
    const info = restore ? scope.restore(name) : scope.snapshots.info(name)
    return view({ ...info, restored: restore })
  }

  app.post(`${base}/import`, async (c) => {
    scopeOf(c)
    const body = await adminBody(c.req.raw)
    const name = checkSnapshotName(requiredString(body, 'name', 'the name to keep the imported snapshot under'))
    const path = confined(dir, requiredString(body, 'path', 'the snapshot file, in the snapshot directory'))
    const restore = body.restore ?? false
    if (typeof restore !== 'boolean') throw new S2Error('bad_json', 'restore: must be true or false')
    let snapshot: StoreSnapshot
    try {
      snapshot = await readSnapshotFile(path, newAccount)
    } catch (error) {
      throw fileError(error)
    }
    return json(201, keep(c, name, snapshot, restore))
  })

  app.post(`${base}/:name/export`, async (c) => {
    const { snapshots } = scopeOf(c)
    const name = c.req.param('name')
    const body = await adminBody(c.req.raw)
    const path = confined(dir, requiredString(body, 'path', 'where to write the file, in the snapshot directory'))
    const snapshot = snapshots.get(name)
    let written: { path: string; bytes: number }
    try {
      written = await writeSnapshotFile(path, snapshot)
    } catch (error) {
      throw fileError(error)
    }
    return json(200, view({ ...snapshots.info(name), ...written }))
  })

  app.get(`${base}/:name/file`, (c) => {
    const name = c.req.param('name')
    const bytes = snapshotFileBytes(scopeOf(c).snapshots.get(name))
    return new Response(ReadableStream.from(bytes), {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}.s2snap"`,
      },
    })
  })

  app.put(`${base}/:name/file`, async (c) => {
    scopeOf(c)
    const name = checkSnapshotName(c.req.param('name'))
    const flag = c.req.query('restore')
    if (flag !== undefined && flag !== 'true' && flag !== 'false') throw new S2Error('bad_query', 'restore: must be true or false')
    const body = c.req.raw.body ?? ReadableStream.from<Uint8Array>([])
    let snapshot: StoreSnapshot
    try {
      snapshot = await readSnapshot(body, newAccount, 'the uploaded snapshot')
    } catch (error) {
      throw fileError(error)
    }
    return json(201, keep(c, name, snapshot, flag === 'true'))
  })
}
