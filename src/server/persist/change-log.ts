import { open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Durability } from '../engine/index.ts'
import { S2Error } from '../errors/index.ts'
import type { StoreChange, StoreSnapshot } from '../store/index.ts'
import { syncDirectory } from './atomic-file.ts'
import { encodeEntry, segmentName, segmentPreamble } from './log-format.ts'

/** A checkpoint is due once the log since the last one is larger than this, or than the state file. */
const MIN_CHECKPOINT_BYTES = 16 * 1024 * 1024

export interface ChangeLogOptions {
  /** The persist directory. */
  readonly dir: string
  /** How long the first change of a group waits for more before the group is written (0: the next turn of the event loop). */
  readonly flushIntervalMs: number
  /** fsync each group before its changes count as durable; without it they count once written to the OS. */
  readonly fsync: boolean
  /** The whole state now (a copy that later changes leave alone). */
  readonly snapshotNow: () => StoreSnapshot
  /** Writes `snapshot`, which includes every change up to `logSeq`, as the state file (atomically); returns its size. */
  readonly writeSnapshot: (snapshot: StoreSnapshot, logSeq: number) => Promise<number>
  /** Problems that do not stop the log (a checkpoint that will be tried again). */
  readonly warn: (message: string) => void
}

/** Where the log stands when it opens (after the state file was loaded and the segments replayed). */
export interface LogStart {
  /** The last change applied. */
  readonly lastSeq: number
  /** The last change the state file includes. */
  readonly snapshotSeq: number
  /** Size of the state file (0 if none). */
  readonly snapshotBytes: number
  /** Segment files on disk, oldest first. */
  readonly segments: readonly Segment[]
}

interface Segment {
  readonly path: string
  readonly firstSeq: number
}

interface Waiter {
  readonly seq: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

type Queued = { readonly seq: number; readonly bytes: Buffer } | { readonly rotateTo: number; readonly done: () => void }

/**
 * The persist log: every change to the store, appended to segment files and written in groups
 * (group commit): the first change of a group waits `flushIntervalMs` for others, then the group is
 * written with one call and fsynced, and every answer waiting on a change of it is released. A
 * checkpoint writes the whole state as the state file (which records the last change it includes)
 * and deletes the segments it covers: when the log outgrows the state file, when a snapshot is
 * restored (a restore is not a change the log can replay: answers wait until its checkpoint is
 * written), and on close. docs/persist-log.md describes the files.
 */
export class ChangeLog implements Durability {
  lastChange: number
  readonly #options: ChangeLogOptions
  /** Written (and fsynced, if asked) up to this change. */
  #synced: number
  #durable: number
  #queue: Queued[] = []
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  #writing: Promise<void> | null = null
  #segment: (Segment & { fd: FileHandle }) | null = null
  readonly #segments: Segment[]
  #waiters: Waiter[] = []
  /** Restores whose checkpoint is not written yet: no change from one of them on is durable. */
  #barriers: number[] = []
  #pendingRotations: (() => void)[] = []
  #failure: S2Error | null = null
  #snapshotSeq: number
  #bytesSinceCheckpoint = 0
  #checkpointAfter: number
  #checkpoints: Promise<void> = Promise.resolve()
  #sizeCheckpointQueued = false

  private constructor(options: ChangeLogOptions, start: LogStart) {
    this.#options = options
    this.lastChange = start.lastSeq
    this.#synced = start.lastSeq
    this.#durable = start.lastSeq
    this.#snapshotSeq = start.snapshotSeq
    this.#segments = [...start.segments]
    this.#checkpointAfter = Math.max(MIN_CHECKPOINT_BYTES, start.snapshotBytes)
  }

  /** Opens the log for changes after `start.lastSeq`, in a new segment. */
  static async open(options: ChangeLogOptions, start: LogStart): Promise<ChangeLog> {
    const log = new ChangeLog(options, start)
    await log.#openSegment(start.lastSeq + 1)
    return log
  }

  /** Records one change of the store (a ChangeSink): it is written with the next group. */
  readonly record = (namespace: string | null, change: StoreChange): void => {
    const seq = ++this.lastChange
    if (this.#failure !== null) return
    let bytes: Buffer
    try {
      bytes = encodeEntry(seq, namespace, change)
    } catch (error) {
      this.#fail(error)
      return
    }
    this.#queue.push({ seq, bytes })
    this.#bytesSinceCheckpoint += bytes.length
    if (change.kind === 'restored') this.#checkpoint(seq, true)
    else if (!this.#sizeCheckpointQueued && this.#bytesSinceCheckpoint >= this.#checkpointAfter) this.#checkpoint(seq, false)
    this.#schedule()
  }

  durable(seq: number): Promise<void> | null {
    if (this.#failure !== null) return Promise.reject(this.#failure)
    if (seq <= this.#durable) return null
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }))
  }

  /**
   * Writes what is queued, then the whole state (unless the state file already holds every
   * change), deletes every segment and closes. Call once nothing changes the store any more.
   */
  async close(): Promise<void> {
    await this.#drain()
    await this.#checkpoints
    if (this.#failure !== null) throw this.#failure
    const segment = this.#segment
    this.#segment = null
    await segment?.fd.close()
    if (this.lastChange > this.#snapshotSeq || this.#segments.length > 1) {
      await this.#options.writeSnapshot(this.#options.snapshotNow(), this.lastChange)
      this.#snapshotSeq = this.lastChange
    }
    await this.#dropSegments(() => true)
  }

  // ---- writing ----

  #schedule(): void {
    if (this.#timer !== null || this.#writing !== null || this.#queue.length === 0) return
    const start = (): void => {
      this.#timer = null
      this.#writing = this.#flush().finally(() => {
        this.#writing = null
        this.#schedule()
      })
    }
    this.#timer = this.#options.flushIntervalMs > 0 ? setTimeout(start, this.#options.flushIntervalMs) : setImmediate(start)
  }

  /** Writes everything queued now, without waiting for the interval. */
  async #drain(): Promise<void> {
    for (;;) {
      if (this.#writing !== null) await this.#writing
      else if (this.#queue.length > 0 && this.#failure === null) {
        if (this.#timer !== null) {
          clearTimeout(this.#timer as NodeJS.Timeout)
          clearImmediate(this.#timer as NodeJS.Immediate)
          this.#timer = null
        }
        await (this.#writing = this.#flush().finally(() => (this.#writing = null)))
      } else return
    }
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0 && this.#failure === null) {
      const items = this.#queue
      this.#queue = []
      let buffers: Buffer[] = []
      let last = this.#synced
      try {
        for (const item of items) {
          if ('bytes' in item) {
            buffers.push(item.bytes)
            last = item.seq
            continue
          }
          await this.#write(buffers)
          buffers = []
          await this.#openSegment(item.rotateTo)
          item.done()
        }
        await this.#write(buffers)
        if (this.#options.fsync) await this.#segment?.fd.datasync()
      } catch (error) {
        this.#fail(error)
        return
      }
      this.#synced = last
      this.#release()
    }
  }

  async #write(buffers: Buffer[]): Promise<void> {
    const segment = this.#segment
    if (buffers.length === 0 || segment === null) return
    let pending = buffers
    while (pending.length > 0) {
      const { bytesWritten } = await segment.fd.writev(pending)
      pending = skipBytes(pending, bytesWritten)
    }
  }

  /** Starts a new segment for changes from `firstSeq` on, closing the current one. */
  async #openSegment(firstSeq: number): Promise<void> {
    const previous = this.#segment
    if (previous !== null) {
      if (this.#options.fsync) await previous.fd.datasync()
      await previous.fd.close()
      this.#segment = null
    }
    const path = join(this.#options.dir, segmentName(firstSeq))
    // A segment of that name holds no change that was replayed (else the log would start later): replace it.
    const fd = await open(path, 'w', 0o644)
    await fd.write(segmentPreamble())
    if (this.#options.fsync) {
      await fd.datasync()
      await syncDirectory(this.#options.dir)
    }
    const index = this.#segments.findIndex((s) => s.path === path)
    if (index !== -1) this.#segments.splice(index, 1)
    this.#segments.push({ path, firstSeq })
    this.#segment = { path, firstSeq, fd }
  }

  // ---- durability ----

  #release(): void {
    const barrier = this.#barriers.length === 0 ? Infinity : Math.min(...this.#barriers)
    this.#durable = Math.min(this.#synced, barrier - 1)
    if (this.#waiters.length === 0) return
    const waiting: Waiter[] = []
    for (const waiter of this.#waiters) {
      if (waiter.seq <= this.#durable) waiter.resolve()
      else waiting.push(waiter)
    }
    this.#waiters = waiting
  }

  #fail(error: unknown): void {
    if (this.#failure !== null) return
    const reason = error instanceof Error ? error.message : String(error)
    this.#failure = new S2Error('storage', `s2-emulator could not write its persist log in ${this.#options.dir}: ${reason}`)
    this.#options.warn(this.#failure.message)
    for (const waiter of this.#waiters) waiter.reject(this.#failure)
    this.#waiters = []
    for (const done of this.#pendingRotations) done()
    this.#pendingRotations = []
  }

  // ---- checkpoints ----

  /** Writes the state as it is now (after change `seq`) and then deletes the segments up to it. */
  #checkpoint(seq: number, isRestore: boolean): void {
    const snapshot = this.#options.snapshotNow()
    const rotated = new Promise<void>((resolve) => {
      const done = (): void => {
        this.#pendingRotations = this.#pendingRotations.filter((d) => d !== done)
        resolve()
      }
      this.#pendingRotations.push(done)
      this.#queue.push({ rotateTo: seq + 1, done })
    })
    if (isRestore) this.#barriers.push(seq)
    else this.#sizeCheckpointQueued = true
    this.#bytesSinceCheckpoint = 0
    this.#checkpoints = this.#checkpoints.then(async () => {
      try {
        const bytes = await this.#options.writeSnapshot(snapshot, seq)
        this.#snapshotSeq = Math.max(this.#snapshotSeq, seq)
        this.#checkpointAfter = Math.max(MIN_CHECKPOINT_BYTES, bytes)
        await rotated
        await this.#dropSegments((s) => s.firstSeq <= seq && s.path !== this.#segment?.path)
      } catch (error) {
        if (isRestore) this.#fail(error)
        else this.#options.warn(`a checkpoint of the persist log failed (it will be tried again): ${(error as Error).message}`)
      } finally {
        if (isRestore) {
          this.#barriers.splice(this.#barriers.indexOf(seq), 1)
          this.#release()
        } else this.#sizeCheckpointQueued = false
      }
    })
  }

  async #dropSegments(covered: (segment: Segment) => boolean): Promise<void> {
    const gone = this.#segments.filter(covered)
    if (gone.length === 0) return
    for (const segment of gone) {
      await unlink(segment.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error
      })
      this.#segments.splice(this.#segments.indexOf(segment), 1)
    }
    if (this.#options.fsync) await syncDirectory(this.#options.dir)
  }
}

/** The buffers after the first `n` bytes. */
function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  let left = n
  let i = 0
  while (i < buffers.length && left >= (buffers[i] as Buffer).length) left -= (buffers[i++] as Buffer).length
  const rest = buffers.slice(i)
  if (left > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(left)
  return rest
}
