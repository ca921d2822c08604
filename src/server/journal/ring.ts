import type { HeldHeaders, RecordCapture } from './capture.ts'
import type { JournalEntry } from './journal.ts'

/**
 * An entry as the journal holds it: its records as bytes and its headers as they came, turned into
 * what it shows (with the ISO form of its time) only when listed.
 */
export type HeldEntry = Omit<JournalEntry, 'records' | 'iso' | 'headers'> & { readonly records: RecordCapture | null; readonly headers: HeldHeaders }

/**
 * The newest `size` entries of one namespace: a ring that grows as entries come, up to its size.
 * It also bounds their record content: past `contentLimit` bytes, the oldest entries lose theirs.
 */
export class Ring {
  readonly #size: number
  readonly #contentLimit: number
  readonly #items: HeldEntry[] = []
  /** Where the next entry goes once the ring is full: the oldest one. */
  #next = 0
  /** Record content held by the entries in the ring, and those entries in the order they got it. */
  #content = 0
  #holders: RecordCapture[] = []
  #oldestHolder = 0

  constructor(size: number, contentLimit: number) {
    this.#size = size
    this.#contentLimit = contentLimit
  }

  push(entry: HeldEntry): void {
    if (this.#items.length < this.#size) this.#items.push(entry)
    else {
      const old = this.#items[this.#next] as HeldEntry
      if (old.records !== null && old.records.ring === this) {
        old.records.ring = null
        this.#content -= old.records.bytes
      }
      this.#items[this.#next] = entry
      this.#next = (this.#next + 1) % this.#size
    }
    if (entry.records !== null) {
      entry.records.ring = this
      this.grew(entry.records, entry.records.bytes)
    }
  }

  /** An entry's record content grew (its own records as they arrived, or a session's next input). */
  grew(capture: RecordCapture, bytes: number): void {
    if (capture.ring !== this) return
    if (bytes > 0 && !capture.queued) {
      capture.queued = true
      this.#holders.push(capture)
    }
    this.#content += bytes
    while (this.#content > this.#contentLimit && this.#oldestHolder < this.#holders.length) {
      const oldest = this.#holders[this.#oldestHolder++] as RecordCapture
      if (oldest.ring === this) this.#content -= oldest.evict()
    }
    if (this.#oldestHolder > 1024 && this.#oldestHolder * 2 > this.#holders.length) {
      this.#holders = this.#holders.slice(this.#oldestHolder)
      this.#oldestHolder = 0
    }
  }

  get size(): number {
    return this.#items.length
  }

  /** Oldest first. */
  values(): HeldEntry[] {
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)]
  }
}

