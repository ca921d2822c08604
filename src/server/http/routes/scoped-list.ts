import { narrowListing } from '../../auth/access.ts'
import type { ResourceSet } from '../../auth/scope.ts'
import type { ListOptions, Page } from '../../store/index.ts'

/**
 * A page of a listing narrowed to an access token's resource set (cloud profile): its prefix is
 * narrowed to the set, an exact set shows at most its one name, and a set that cannot meet the
 * prefix shows nothing. Without a set (lite profile, root token) the listing is unchanged.
 */
export function scopedPage<T>(
  set: ResourceSet | undefined,
  query: ListOptions,
  list: (query: ListOptions) => Page<T>,
  nameOf: (item: T) => string,
): Page<T> {
  if (set === undefined) return list(query)
  const scoped = narrowListing(set, query.prefix, query.startAfter)
  if (scoped === null) return { items: [], hasMore: false }
  const page = list({ ...query, prefix: scoped.prefix })
  if (scoped.only === null) return page
  return { items: page.items.filter((item) => nameOf(item) === scoped.only), hasMore: false }
}
