import { S2Error } from './s2-error.ts'

/**
 * The S2 errors the emulator raises, with s2-lite's wording. Callers use these
 * rather than building messages, so one text means one thing everywhere.
 */
export const errors = {
  basinNotFound: (basin: string) => new S2Error('basin_not_found', `basin \`${basin}\` not found`),
  streamNotFound: (basin: string, stream: string) =>
    new S2Error('stream_not_found', `stream \`${stream}\` in basin \`${basin}\` not found`),
  basinExists: (basin: string) =>
    new S2Error('resource_already_exists', `basin \`${basin}\` already exists`),
  streamExists: (basin: string, stream: string) =>
    new S2Error('resource_already_exists', `stream \`${stream}\` in basin \`${basin}\` already exists`),
  basinDeletionPending: (basin: string) =>
    new S2Error('basin_deletion_pending', `basin \`${basin}\` is being deleted`),
  streamDeletionPending: () => new S2Error('stream_deletion_pending', 'stream deletion pending'),
  transactionConflict: () =>
    new S2Error('transaction_conflict', 'transaction conflict occurred – this is usually retriable'),
  notImplemented: () => new S2Error('not_implemented', 'Not implemented'),
  missingEncryptionKey: (cipher: string) =>
    new S2Error('bad_header', `missing encryption key for stream cipher '${cipher}'`),
  decryptionFailed: () => new S2Error('decryption_failed', 'record decryption failed'),
  removedByReset: (basin: string, stream: string) =>
    new S2Error(
      'stream_not_found',
      `stream \`${stream}\` in basin \`${basin}\` was removed by an s2-emulator reset or snapshot restore`,
    ),
  invalid: (message: string) => new S2Error('invalid', message),
  seqNumMismatch: (expected: number) =>
    new S2Error('append_condition_failed', `sequence number mismatch: expected ${expected}`, 412, {
      seq_num_mismatch: expected,
    }),
  fencingTokenMismatch: (current: string) =>
    new S2Error('append_condition_failed', `fencing token mismatch: current token is "${current}"`, 412, {
      fencing_token_mismatch: current,
    }),
  rangeNotSatisfiable: (tail: { seqNum: number; timestamp: number }) =>
    new S2Error(
      'range_not_satisfiable',
      `read start is beyond the tail (seq_num ${tail.seqNum})`,
      416,
      { tail: { seq_num: tail.seqNum, timestamp: tail.timestamp } },
    ),
} as const
