import type { StreamRecordsPage } from '../server/namespaces/stream-records.ts'
import { adminCall, queryOf, type AdminTarget } from './http.ts'

/** Which stream {@link inspectStream} reads. */
export interface StreamReference {
  readonly basin: string
  readonly stream: string
}

/** Where a page starts and how many records it holds at most (up to 10,000). */
export interface InspectOptions {
  /** [default 0] */
  readonly seqNum?: number
  /** [default 1000] */
  readonly count?: number
}

/**
 * One page of a stream's stored records over the admin API: no fault rule applies, the journal
 * does not record it, no key is needed and no stream is created. Read on from `next` until it
 * reaches `tail.seqNum`.
 */
export function inspectStream(target: AdminTarget, ref: StreamReference, options: InspectOptions = {}): Promise<StreamRecordsPage> {
  const path = `/basins/${encodeURIComponent(ref.basin)}/streams/${encodeURIComponent(ref.stream)}/records`
  return adminCall<StreamRecordsPage>(target, 'GET', `${path}${queryOf({ seq_num: options.seqNum, count: options.count })}`)
}
