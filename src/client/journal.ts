import type { JournalEntry, JournalFilter } from '../server/journal/journal.ts'
import { adminCall } from './http.ts'

/** Reads and clears the request journal of an emulator, in this process or another (over its admin API). */
export interface JournalClient {
  /**
   * The recent requests and sessions, oldest first: every namespace, or those the filter names.
   * `since` gives only entries with a larger `seq` (to read on from a known point); `limit` the
   * oldest that many of them.
   */
  list(filter?: JournalFilter): Promise<JournalEntry[]>
  /** Forgets every entry (or those of one namespace); resolves to how many were removed. */
  clear(options?: { namespace?: string }): Promise<number>
}

export function journalClient(baseUrl: string): JournalClient {
  return {
    list: async (filter = {}) => {
      const query = new URLSearchParams()
      for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, String(value))
      const search = query.size === 0 ? '' : `?${query.toString()}`
      return (await adminCall<{ entries: JournalEntry[] }>(baseUrl, 'GET', `/_emulator/journal${search}`)).entries
    },
    clear: async (options) => {
      const query = options?.namespace === undefined ? '' : `?namespace=${encodeURIComponent(options.namespace)}`
      return (await adminCall<{ removed: number }>(baseUrl, 'DELETE', `/_emulator/journal${query}`)).removed
    },
  }
}
