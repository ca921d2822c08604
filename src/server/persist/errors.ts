/**
 * Why a snapshot file could not be read or written:
 * - `invalid`: not a snapshot file, or damaged (corrupt, truncated, inconsistent);
 * - `version`: a format version this emulator does not know (a newer emulator wrote it);
 * - `io`: the file system refused (no such file, no permission, disk full...).
 */
export type SnapshotFileErrorKind = 'invalid' | 'version' | 'io'

export class SnapshotFileError extends Error {
  readonly kind: SnapshotFileErrorKind
  /** For `io`: the system error code (`ENOENT`, `EACCES`...), if there was one. */
  readonly errno: string | undefined

  constructor(kind: SnapshotFileErrorKind, message: string, options?: ErrorOptions & { errno?: string }) {
    super(message, options)
    this.name = 'SnapshotFileError'
    this.kind = kind
    this.errno = options?.errno
  }
}

/** A file system error as a {@link SnapshotFileError} saying what was being done to which path. */
export function ioError(action: string, path: string, error: unknown): SnapshotFileError {
  if (error instanceof SnapshotFileError) return error
  const errno = (error as NodeJS.ErrnoException | undefined)?.code
  const reason = error instanceof Error ? error.message : String(error)
  return new SnapshotFileError('io', `cannot ${action} ${path}: ${reason}`, { cause: error, errno })
}
