import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import { isNamespaceName, namespaceName } from '../namespaces/names.ts'
import { snapshotFromData, snapshotToData, SnapshotDataError } from '../store/snapshot-data.ts'
import type { Account, StoreSnapshot } from '../store/index.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { ioError, SnapshotFileError } from './errors.ts'
import { decodeSnapshot, encodeSnapshot } from './format.ts'

/** The bytes of a snapshot file (format: docs/snapshot-format.md), made as they are read. */
export function snapshotFileBytes(snapshot: StoreSnapshot): AsyncGenerator<Uint8Array> {
  return encodeSnapshot(snapshotToData(snapshot))
}

/**
 * Reads a snapshot file from a byte stream into a snapshot wired to a store (`newAccount` is
 * `store.detachedAccount`). `label` names the source in error messages. Throws
 * {@link SnapshotFileError}; nothing of the store changes.
 */
export async function readSnapshot(
  source: AsyncIterable<Uint8Array>,
  newAccount: () => Account,
  label: string,
): Promise<StoreSnapshot> {
  try {
    return withNamespaceNames(snapshotFromData(await decodeSnapshot(source), newAccount))
  } catch (error) {
    if (error instanceof SnapshotDataError) {
      throw new SnapshotFileError('invalid', `${label}: corrupt snapshot file: ${error.message}`, { cause: error })
    }
    if (error instanceof SnapshotFileError) {
      throw new SnapshotFileError(error.kind, `${label}: ${error.message}`, { cause: error.cause, errno: error.errno })
    }
    throw ioError('read', label, error)
  }
}

/**
 * Files written before namespaces were named by digests keyed them by bearer token (`""` without
 * isolation); such keys are turned into the names their tokens have now.
 */
function withNamespaceNames(snapshot: StoreSnapshot): StoreSnapshot {
  const rename = (key: string): string => (isNamespaceName(key) ? key : namespaceName(key))
  if ([...snapshot.accounts.keys()].every(isNamespaceName) && (snapshot.namespace === null || isNamespaceName(snapshot.namespace))) {
    return snapshot
  }
  const accounts = new Map<string, Account>()
  for (const [key, account] of snapshot.accounts) accounts.set(rename(key), account)
  return { ...snapshot, namespace: snapshot.namespace === null ? null : rename(snapshot.namespace), accounts }
}

/** Reads a snapshot file from disk (see {@link readSnapshot}). */
export function readSnapshotFile(path: string, newAccount: () => Account): Promise<StoreSnapshot> {
  const absolute = resolve(path)
  return readSnapshot(createReadStream(absolute, { highWaterMark: 256 * 1024 }), newAccount, absolute)
}

/**
 * Writes a snapshot to a file atomically: a crash mid-write leaves the previous file (if any)
 * untouched. Returns the absolute path and the size written.
 */
export async function writeSnapshotFile(path: string, snapshot: StoreSnapshot): Promise<{ path: string; bytes: number }> {
  const absolute = resolve(path)
  try {
    return { path: absolute, bytes: await writeFileAtomic(absolute, snapshotFileBytes(snapshot)) }
  } catch (error) {
    throw ioError('write', absolute, error)
  }
}
