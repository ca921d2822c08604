import { compareUtf8 } from './byte-order.ts'

export interface ListOptions {
  /** Only names starting with this. */
  readonly prefix: string
  /** Only names sorting after this (exclusive); may sort before `prefix`. */
  readonly startAfter: string
  /** 1..1000; the protocol layer maps 0 and larger values to 1000. */
  readonly limit: number
}

export interface Page<T> {
  readonly items: T[]
  readonly hasMore: boolean
}

/** One page of named items in UTF-8 byte order, as S2 lists basins and streams. */
export function listPage<T>(items: Iterable<[string, T]>, options: ListOptions): Page<T> {
  const matching: [string, T][] = []
  for (const entry of items) {
    const name = entry[0]
    if (name.startsWith(options.prefix) && compareUtf8(name, options.startAfter) > 0) matching.push(entry)
  }
  matching.sort((a, b) => compareUtf8(a[0], b[0]))
  return {
    items: matching.slice(0, options.limit).map((entry) => entry[1]),
    hasMore: matching.length > options.limit,
  }
}
