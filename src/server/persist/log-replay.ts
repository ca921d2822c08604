import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { replayChange, type Store } from '../store/index.ts'
import { decodeSegment, LOG_PREAMBLE_BYTES, preambleProblem, segmentFirstSeq } from './log-format.ts'

/** The persist log cannot be read back: it is damaged beyond a torn tail, or disagrees with the state file. */
export class LogReplayError extends Error {}

export interface Replayed {
  /** The last change applied (or `afterSeq` if none was). */
  readonly lastSeq: number
  /** Segment files found, oldest first. */
  readonly segments: readonly { readonly path: string; readonly firstSeq: number }[]
  /** Changes applied. */
  readonly applied: number
  /** Bytes of torn writes dropped (a crash in the middle of a write). */
  readonly tornBytes: number
  /**
   * Why replay stopped before the end of the log, if it did: at a snapshot restore whose
   * checkpoint was never written (nothing from it on was acknowledged). The next checkpoint must
   * then replace every segment.
   */
  readonly stoppedEarly: string | null
}

/** The segment files of a persist directory, oldest first. */
export async function listSegments(dir: string): Promise<{ path: string; firstSeq: number }[]> {
  const names = await readdir(dir)
  return names
    .map((name) => ({ path: join(dir, name), firstSeq: segmentFirstSeq(name) }))
    .filter((s): s is { path: string; firstSeq: number } => s.firstSeq !== null)
    .sort((a, b) => a.firstSeq - b.firstSeq)
}

/**
 * Applies the changes of a persist directory's log that follow `afterSeq` (the last change its
 * state file includes) to the store, in order. A write torn by a crash ends its segment: what
 * follows in it is dropped, never applied; the next segment (written after the restart) must go
 * on from the last change applied. Throws {@link LogReplayError} naming the file otherwise.
 */
export async function replaySegments(dir: string, store: Store, afterSeq: number): Promise<Replayed> {
  const segments = await listSegments(dir)
  let last = afterSeq
  let applied = 0
  let tornBytes = 0
  for (const [index, segment] of segments.entries()) {
    const bytes = await readFile(segment.path)
    const problem = preambleProblem(bytes)
    if (problem !== null) {
      // A crash right after creating a segment can leave it without its whole preamble.
      if (bytes.length < LOG_PREAMBLE_BYTES && index === segments.length - 1) {
        tornBytes += bytes.length
        continue
      }
      throw new LogReplayError(`${segment.path}: ${problem}`)
    }
    let contents
    try {
      contents = decodeSegment(bytes)
    } catch (error) {
      throw new LogReplayError(`${segment.path}: ${(error as Error).message}`)
    }
    tornBytes += contents.tornBytes
    for (const { seq, namespace, change } of contents.entries) {
      if (seq <= last) continue
      if (seq !== last + 1) {
        throw new LogReplayError(`${segment.path}: change ${seq} follows change ${last}: changes ${last + 1} to ${seq - 1} are missing`)
      }
      if (change.kind === 'restored') {
        return { lastSeq: last, segments, applied, tornBytes, stoppedEarly: `a snapshot restore (change ${seq}) whose state was never written` }
      }
      try {
        if (change.kind === 'reset_all') store.reset(namespace ?? undefined)
        else replayChange(store, namespace ?? '', change)
      } catch (error) {
        throw new LogReplayError(`${segment.path}: change ${seq} (${change.kind}) does not fit the state: ${(error as Error).message}`)
      }
      last = seq
      applied++
    }
  }
  return { lastSeq: last, segments, applied, tornBytes, stoppedEarly: null }
}
