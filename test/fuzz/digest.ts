/**
 * A digest of everything an emulator holds that a request could change, taken through its controls:
 * the store (every namespace's basins, streams, records, tails, fencing tokens, trim points,
 * deletions, idempotency keys) as a snapshot file decoded frame by frame, plus the controls kept
 * beside it (fault rules and seeds, named snapshots, clocks, timing, the namespace list). Left out
 * on purpose: the journal and `/metrics`, which count every request, rejected ones included.
 */
import { gunzipSync } from 'node:zlib'
import { isDeepStrictEqual } from 'node:util'
import type { S2Emulator } from '../../src/index.ts'

/** The snapshot the digest takes and deletes again; the generator never uses this name. */
export const DIGEST_SNAPSHOT = 'fuzz-digest-probe'

export interface StateDigest {
  /** The namespace listing, and the controls of the emulator and of each namespace of the token pool. */
  readonly controls: Record<string, unknown>
  /** The snapshot file's frames: JSON frames parsed (the header without `takenAt`), record frames as hex. */
  readonly store: unknown[]
}

/** The controls a scope (the emulator, or one namespace) has: what the digest lists of each. */
type Scope = Pick<S2Emulator, 'faults' | 'snapshots' | 'clock' | 'timing'>

async function scopeControls(scope: Scope): Promise<unknown> {
  const [faults, seed, snapshots, clock, timing] = await Promise.all([
    scope.faults.list(),
    scope.faults.seed(),
    scope.snapshots.list(),
    scope.clock.get(),
    scope.timing.get(),
  ])
  return { faults, seed, snapshots, clock, timing }
}

/** Decodes a snapshot file (docs/snapshot-format.md) into comparable frames. */
export function snapshotFrames(file: Uint8Array): unknown[] {
  const payload = gunzipSync(Buffer.from(file).subarray(16))
  const frames: unknown[] = []
  let offset = 0
  while (offset < payload.length) {
    const type = payload[offset] as number
    const length = payload.readUInt32BE(offset + 1)
    const bytes = payload.subarray(offset + 5, offset + 5 + length)
    offset += 5 + length
    if (type === 0x05) {
      frames.push({ record: bytes.toString('hex') })
      continue
    }
    const value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    if (type === 0x01) delete value['takenAt']
    frames.push({ type, ...value })
  }
  return frames
}

/**
 * Takes the digest through the emulator's in-process controls (the admin API without a socket:
 * a few milliseconds, so it can run around every request). `tokens` are the namespaces whose
 * controls it lists in full; every namespace is in the listing with its counts and clock. Reading
 * it changes nothing: its own snapshot is deleted before it returns.
 */
export async function stateDigest(emulator: S2Emulator, tokens: readonly string[]): Promise<StateDigest> {
  const controls: Record<string, unknown> = {}
  controls['namespaces'] = await emulator.namespaces()
  controls['emulator'] = await scopeControls(emulator)
  for (const token of tokens) controls[`namespace ${token}`] = await scopeControls(emulator.namespace(token))
  await emulator.snapshots.take(DIGEST_SNAPSHOT)
  const file = await emulator.snapshots.download(DIGEST_SNAPSHOT)
  await emulator.snapshots.delete(DIGEST_SNAPSHOT)
  return { controls, store: snapshotFrames(file) }
}

/** Where two digests differ, as short readable lines (empty when they are equal). */
export function digestDiff(before: StateDigest, after: StateDigest): string[] {
  const lines: string[] = []
  for (const key of new Set([...Object.keys(before.controls), ...Object.keys(after.controls)])) {
    if (!isDeepStrictEqual(before.controls[key], after.controls[key])) {
      lines.push(`${key}: ${JSON.stringify(before.controls[key])} -> ${JSON.stringify(after.controls[key])}`)
    }
  }
  const n = Math.max(before.store.length, after.store.length)
  for (let i = 0; i < n && lines.length < 20; i++) {
    if (!isDeepStrictEqual(before.store[i], after.store[i])) {
      lines.push(`store frame ${i}: ${JSON.stringify(before.store[i])} -> ${JSON.stringify(after.store[i])}`)
    }
  }
  return lines
}

/**
 * The digest without one stream, as if it had never been created: s2-lite creates a stream on a
 * read or append to a basin with `create_stream_on_read` / `create_stream_on_append` before it
 * checks what can fail after (the encryption key, the read's start, the append's conditions), so
 * such a rejection may leave an empty stream behind (lite/src/backend/core.rs,
 * `stream_handle_with_auto_create`). Null if there is no such stream, it has records, or its
 * basin does not auto-create on `on`.
 */
export function withoutAutoCreated(digest: StateDigest, namespace: string, basin: string, stream: string, on: 'read' | 'append'): StateDigest | null {
  const store: unknown[] = []
  let inNamespace = false
  let basinFrame = -1
  let removed = false
  for (const frame of digest.store as Record<string, unknown>[]) {
    if (frame['type'] === 2) inNamespace = frame['namespace'] === namespace
    if (frame['type'] === 3) basinFrame = inNamespace && frame['name'] === basin ? store.length : -1
    if (frame['type'] === 4 && basinFrame >= 0 && frame['name'] === stream) {
      const config = (store[basinFrame] as { config: Record<string, unknown> }).config
      if (frame['logNext'] !== 0 || config[on === 'read' ? 'createStreamOnRead' : 'createStreamOnAppend'] !== true) return null
      const owner = store[basinFrame] as Record<string, unknown>
      store[basinFrame] = { ...owner, streams: (owner['streams'] as number) - 1 }
      removed = true
      continue
    }
    if (frame['type'] === 0xff && removed) {
      store.push({ ...frame, streams: (frame['streams'] as number) - 1 })
      continue
    }
    store.push(frame)
  }
  if (!removed) return null
  const listing = digest.controls['namespaces'] as Record<string, unknown>[]
  const namespaces = listing.map((info) => (info['name'] === namespace ? { ...info, streams: (info['streams'] as number) - 1 } : info))
  return { controls: { ...digest.controls, namespaces }, store }
}
