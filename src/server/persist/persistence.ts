import { mkdir, stat, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Engine } from '../engine/index.ts'
import { S2EmulatorError } from '../errors/emulator-error.ts'
import type { StoreSnapshot } from '../store/index.ts'
import { removeStaleTempFiles } from './atomic-file.ts'
import { ChangeLog } from './change-log.ts'
import { SnapshotFileError } from './errors.ts'
import { LogReplayError, replaySegments } from './log-replay.ts'
import { readSnapshotFile, readStateFile, writeSnapshotFile } from './snapshot-file.ts'

/** The file `persistDir` keeps the whole state in (next to the segments of its log). */
export const PERSIST_FILE = 'state.s2snap'

export interface PersistOptions {
  /** A snapshot file to load at start. */
  readonly snapshotFile?: string | undefined
  /** A directory keeping the state across restarts. */
  readonly persistDir?: string | undefined
  /** With `persistDir`: how long the first change of a group waits for more before they are written together. */
  readonly flushIntervalMs: number
  /** With `persistDir`: fsync each group before acknowledging it. */
  readonly fsync: boolean
}

/** Loading at start, the durable log while serving, and saving at stop, for {@link startS2Emulator}. */
export interface Persistence {
  /** Where the state came from at start, or null for an empty start. */
  readonly loadedFrom: string | null
  /** Writes the whole state to the persist directory, if there is one: call once nothing is served any more. */
  stop(): Promise<void>
}

/** Options' problems for {@link resolveOptions}. */
export function persistOptionProblems(options: Partial<PersistOptions>): string[] {
  const problems: string[] = []
  for (const key of ['snapshotFile', 'persistDir'] as const) {
    const value: unknown = options[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) problems.push(`${key} must be a non-empty path`)
  }
  const interval: unknown = options.flushIntervalMs
  if (interval !== undefined && !(typeof interval === 'number' && Number.isFinite(interval) && interval >= 0 && interval <= 60_000)) {
    problems.push(`persistFlushIntervalMs must be a number of milliseconds from 0 to 60000 (got ${String(interval)})`)
  }
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') problems.push('persistFsync must be true or false')
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

const loadError = (error: unknown, dir: string | null): S2EmulatorError => {
  // A SnapshotFileError's and a LogReplayError's messages start with the file's path.
  const message =
    error instanceof SnapshotFileError
      ? `cannot load a snapshot file: ${error.message}`
      : error instanceof LogReplayError
        ? `cannot replay the persist log: ${error.message}`
        : `cannot use the persist directory ${dir}: ${(error as Error).message}`
  return new S2EmulatorError('S2EMU_BAD_SNAPSHOT_FILE', message, { cause: error })
}

/**
 * Puts the state to start with in the store, then (with `persistDir`) records every change in a
 * durable log. The state is `persistDir`'s: its state file, then the changes of its log after it
 * (docs/persist-log.md); with none yet, `snapshotFile` (so a snapshot file seeds a persist
 * directory on its first start). Call it before anything else touches the store: it replaces
 * everything. Errors are {@link S2EmulatorError}s saying which file is wrong and why.
 */
export async function openPersistence(engine: Engine, options: PersistOptions): Promise<Persistence> {
  const dir = options.persistDir === undefined ? null : resolve(options.persistDir)
  if (dir === null) {
    if (options.snapshotFile === undefined) return { loadedFrom: null, stop: async () => {} }
    const source = resolve(options.snapshotFile)
    try {
      engine.store.restore(await readSnapshotFile(source, () => engine.store.detachedAccount()))
    } catch (error) {
      throw loadError(error, null)
    }
    return { loadedFrom: source, stop: async () => {} }
  }

  const stateFile = join(dir, PERSIST_FILE)
  const store = engine.store
  let log: ChangeLog
  let loadedFrom: string | null = null
  try {
    await mkdir(dir, { recursive: true })
    await removeStaleTempFiles(stateFile)
    let snapshot: StoreSnapshot | null = null
    let snapshotSeq = 0
    let snapshotBytes = 0
    let seeded = false
    if (await exists(stateFile)) {
      ;({ snapshot, logSeq: snapshotSeq } = await readStateFile(stateFile, () => store.detachedAccount()))
      snapshotBytes = (await stat(stateFile)).size
      loadedFrom = stateFile
    }
    if (snapshot !== null) store.restore(snapshot)
    const replayed = await replaySegments(dir, store, snapshotSeq)
    if (replayed.applied > 0 || replayed.segments.length > 0) loadedFrom ??= dir
    if (loadedFrom === null && options.snapshotFile !== undefined) {
      const seed = resolve(options.snapshotFile)
      store.restore(await readSnapshotFile(seed, () => store.detachedAccount()))
      loadedFrom = seed
      seeded = true
    }
    if (replayed.tornBytes > 0) {
      console.warn(`[s2-emulator] ${dir}: dropped ${replayed.tornBytes} bytes of a persist log write cut short by a crash (never acknowledged)`)
    }
    if (replayed.stoppedEarly !== null) {
      console.warn(`[s2-emulator] ${dir}: the persist log ends at ${replayed.stoppedEarly}; the changes after it were never acknowledged`)
    }
    const writeState = async (state: StoreSnapshot, logSeq: number): Promise<number> =>
      (await writeSnapshotFile(stateFile, state, logSeq)).bytes
    let segments = replayed.segments
    if (seeded || replayed.stoppedEarly !== null) {
      // A seed is in no file of the directory yet; the changes after an unfinished restore must go.
      snapshotBytes = await writeState(store.snapshot(null, engine.clock.now()), replayed.lastSeq)
      snapshotSeq = replayed.lastSeq
      for (const segment of segments) await unlink(segment.path)
      segments = []
    }
    log = await ChangeLog.open(
      {
        dir,
        flushIntervalMs: options.flushIntervalMs,
        fsync: options.fsync,
        snapshotNow: () => store.snapshot(null, engine.clock.now()),
        writeSnapshot: writeState,
        warn: (message) => console.error(`[s2-emulator] ${message}`),
      },
      { lastSeq: replayed.lastSeq, snapshotSeq, snapshotBytes, segments },
    )
  } catch (error) {
    throw loadError(error, dir)
  }
  store.recordChanges(log.record)
  engine.durability = log
  return {
    loadedFrom,
    async stop() {
      store.recordChanges(null)
      engine.durability = null
      try {
        await log.close()
      } catch (error) {
        throw new S2EmulatorError('S2EMU_PERSIST_FAILED', `cannot save the state: ${(error as Error).message}`, { cause: error })
      }
    },
  }
}
