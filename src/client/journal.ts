import type { JournalEntry, JournalFilter } from '../server/journal/journal.ts'
import { adminCall, queryOf, type AdminTarget } from './http.ts'

/** Reads and clears the request journal of an emulator or of one namespace (over the admin API). */
export interface JournalClient {
  /**
   * The recent requests and sessions of this scope, oldest first, or those the filter names.
   * `since` gives only entries with a larger `seq` (to read on from a known point); `limit` the
   * oldest that many of them. (`namespace` filters only the emulator's journal.)
   */
  list(filter?: JournalFilter): Promise<JournalEntry[]>
  /** Forgets every entry of this scope; resolves to how many were removed. */
  clear(): Promise<number>
}

export function journalClient(target: AdminTarget): JournalClient {
  return {
    list: async (filter = {}) => (await adminCall<{ entries: JournalEntry[] }>(target, 'GET', `/journal${queryOf(filter)}`)).entries,
    clear: async () => (await adminCall<{ removed: number }>(target, 'DELETE', '/journal')).removed,
  }
}
