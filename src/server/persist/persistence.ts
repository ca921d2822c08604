import { mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Engine } from '../engine/index.ts'
import { S2EmulatorError } from '../errors/emulator-error.ts'
import type { StoreSnapshot } from '../store/index.ts'
import { removeStaleTempFiles } from './atomic-file.ts'
import { SnapshotFileError } from './errors.ts'
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.ts'

/** The file `persistDir` keeps the state in. */
export const PERSIST_FILE = 'state.s2snap'

export interface PersistOptions {
  /** A snapshot file to load at start. */
  readonly snapshotFile?: string | undefined
  /** A directory keeping the state across restarts. */
  readonly persistDir?: string | undefined
}

/** Loading at start and saving at stop, for {@link startS2Emulator}. */
export interface Persistence {
  /** Where the state came from at start, or null for an empty start. */
  readonly loadedFrom: string | null
  /** Saves the whole state to the persist directory, if there is one: call once nothing is served any more. */
  stop(): Promise<void>
}

/** Options' problems for {@link resolveOptions}: both must be non-empty strings when given. */
export function persistOptionProblems(options: PersistOptions): string[] {
  const problems: string[] = []
  for (const key of ['snapshotFile', 'persistDir'] as const) {
    const value: unknown = options[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) problems.push(`${key} must be a non-empty path`)
  }
  return problems
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * Puts the state to start with in the store: `persistDir`'s state file if there is one, else
 * `snapshotFile` (so a snapshot file seeds a persist directory on its first start). Call it before
 * anything else touches the store: it replaces everything. Errors are {@link S2EmulatorError}s
 * saying which file is wrong and why; the store is left empty then.
 */
export async function openPersistence(engine: Engine, options: PersistOptions): Promise<Persistence> {
  const dir = options.persistDir === undefined ? null : resolve(options.persistDir)
  const stateFile = dir === null ? null : join(dir, PERSIST_FILE)
  let source: string | null = null
  let snapshot: StoreSnapshot | null = null
  try {
    if (dir !== null && stateFile !== null) {
      await mkdir(dir, { recursive: true })
      await removeStaleTempFiles(stateFile)
      if (await exists(stateFile)) source = stateFile
    }
    if (source === null && options.snapshotFile !== undefined) source = resolve(options.snapshotFile)
    if (source !== null) snapshot = await readSnapshotFile(source, () => engine.store.detachedAccount())
  } catch (error) {
    // A SnapshotFileError's message starts with the file's path.
    const message =
      error instanceof SnapshotFileError
        ? `cannot load a snapshot file: ${error.message}`
        : `cannot use the persist directory ${dir}: ${(error as Error).message}`
    throw new S2EmulatorError('S2EMU_BAD_SNAPSHOT_FILE', message, { cause: error })
  }
  if (snapshot !== null) engine.store.restore(snapshot)
  return {
    loadedFrom: source,
    async stop() {
      if (stateFile === null) return
      try {
        await writeSnapshotFile(stateFile, engine.store.snapshot(null, engine.clock.now()))
      } catch (error) {
        throw new S2EmulatorError('S2EMU_PERSIST_FAILED', `cannot save the state: ${(error as Error).message}`, { cause: error })
      }
    },
  }
}
