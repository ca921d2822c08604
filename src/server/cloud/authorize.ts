import type { Access } from '../auth/access.ts'
import { ROUTE_OPERATION } from '../auth/operations.ts'
import type { Operation } from '../operations.ts'

/**
 * Checks that a request's token permits the route's operation (403 otherwise). Ensures are checked
 * by their routes, which know whether they create or reconfigure.
 */
export function authorizeRoute(access: Access, operation: Operation): void {
  if (operation === 'ensure_basin' || operation === 'ensure_stream') return
  access.require(ROUTE_OPERATION[operation])
}
