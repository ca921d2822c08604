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
  return (await readSnapshotWithSeq(source, newAccount, label)).snapshot
}

/** {@link readSnapshot}, with the last persist-log change the file includes (0 if it names none). */
async function readSnapshotWithSeq(
  source: AsyncIterable<Uint8Array>,
  newAccount: () => Account,
  label: string,
): Promise<{ snapshot: StoreSnapshot; logSeq: number }> {
  try {
    const data = await decodeSnapshot(source)
    return { snapshot: withNamespaceNames(snapshotFromData(data, newAccount)), logSeq: data.logSeq ?? 0 }
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
export async function readSnapshotFile(path: string, newAccount: () => Account): Promise<StoreSnapshot> {
  return (await readStateFile(path, newAccount)).snapshot
}

/** Reads a snapshot file from disk with the last persist-log change it includes (docs/persist-log.md). */
export function readStateFile(path: string, newAccount: () => Account): Promise<{ snapshot: StoreSnapshot; logSeq: number }> {
  const absolute = resolve(path)
  let source
  try {
    source = createReadStream(absolute, { highWaterMark: 256 * 1024 })
  } catch (error) {
    return Promise.reject(ioError('read', absolute, error))
  }
  return readSnapshotWithSeq(source, newAccount, absolute)
}

/**
 * Writes a snapshot to a file atomically: a crash mid-write leaves the previous file (if any)
 * untouched. Returns the absolute path and the size written.
 */
export async function writeSnapshotFile(path: string, snapshot: StoreSnapshot, logSeq?: number): Promise<{ path: string; bytes: number }> {
  const absolute = resolve(path)
  const bytes = logSeq === undefined ? snapshotFileBytes(snapshot) : encodeSnapshot({ ...snapshotToData(snapshot), logSeq })
  try {
    return { path: absolute, bytes: await writeFileAtomic(absolute, bytes) }
  } catch (error) {
    throw ioError('write', absolute, error)
  }
}
