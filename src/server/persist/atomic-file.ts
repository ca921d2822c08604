import { randomBytes } from 'node:crypto'
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Temporary files of {@link writeFileAtomic} are named `.<target name>.<pid>.<random>.tmp`. */
export function tempFilePattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^\\.${name}\\.\\d+\\.[0-9a-f]+\\.tmp$`)
}

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one in place,
 * never a part of one: the bytes go to a temporary file in the same directory, which is flushed to
 * disk (fsync), then renamed over the target, and the directory is flushed so the rename lasts.
 * On failure the temporary file is removed (a crash can leave one behind; see
 * {@link removeStaleTempFiles}). Returns the number of bytes written.
 */
export async function writeFileAtomic(path: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let handle: FileHandle | null = await open(temp, 'wx', 0o644)
  let bytes = 0
  try {
    for await (const chunk of chunks) {
      let done = 0
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done)
        done += bytesWritten
      }
      bytes += chunk.length
    }
    await handle.sync()
    await handle.close()
    handle = null
    await rename(temp, path)
  } catch (error) {
    await handle?.close().catch(() => {})
    await unlink(temp).catch(() => {})
    throw error
  }
  await syncDirectory(dir)
  return bytes
}

/** Flushes a directory's entries (a rename in it) to disk, where the platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Some platforms (Windows) and file systems cannot open or fsync a directory; the rename stands.
  } finally {
    await handle?.close().catch(() => {})
  }
}

/** Removes temporary files a crashed {@link writeFileAtomic} of `target` left behind. */
export async function removeStaleTempFiles(target: string): Promise<void> {
  const pattern = tempFilePattern(target)
  let names: string[]
  try {
    names = await readdir(dirname(target))
  } catch {
    return
  }
  await Promise.all(names.filter((n) => pattern.test(n)).map((n) => unlink(join(dirname(target), n)).catch(() => {})))
}
