import { ACCOUNT_ROUTES } from '../auth/operations.ts'
import type { Cloud } from '../cloud/cloud.ts'
import type { Operation } from '../operations.ts'
import { basinNameProblem } from '../store/index.ts'
import type { AppContext } from './route.ts'

/**
 * Counts an answered request for the cloud metrics API: account-level operations in the
 * namespace's `account-ops`, basin-level ones (named by `S2-Basin`) in that basin's `basin-ops`,
 * whatever the outcome, each under its operation's name (`create-stream`, `append`, ...).
 */
export function meterRequest(cloud: Cloud, c: AppContext, operation: Operation): void {
  const namespace = c.get('namespace')
  const usage = cloud.usage.of(namespace)
  const name = operation.replaceAll('_', '-')
  const at = cloud.now(namespace)
  if (ACCOUNT_ROUTES.has(operation)) {
    usage.accountOps.add(at, name)
    return
  }
  const basin = c.req.header('s2-basin')
  if (basin !== undefined && basinNameProblem(basin) === null) usage.basin(basin).ops.add(at, name)
}
