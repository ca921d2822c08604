import type { Operation } from '../operations.ts'

/**
 * The operations an access token may be granted (the `Operation` enum of S2's API, kebab-case),
 * and the groups `op_groups` grants them by. The service documents the groups only by example
 * ("account read: list basins, list tokens"; "stream write: append, trim, create, delete,
 * reconfigure"); this table is the emulator's reading of them, listed in the README.
 */
export const TOKEN_OPERATIONS = [
  'list-basins',
  'create-basin',
  'delete-basin',
  'reconfigure-basin',
  'get-basin-config',
  'issue-access-token',
  'revoke-access-token',
  'list-access-tokens',
  'list-streams',
  'create-stream',
  'delete-stream',
  'get-stream-config',
  'reconfigure-stream',
  'check-tail',
  'append',
  'read',
  'trim',
  'fence',
  'account-metrics',
  'basin-metrics',
  'stream-metrics',
  'list-locations',
  'get-default-location',
  'set-default-location',
] as const

export type TokenOperation = (typeof TOKEN_OPERATIONS)[number]

export type OperationGroup = 'account' | 'basin' | 'stream'

/** Which group and which side (read or write) each operation belongs to. */
export const OPERATION_GROUPS: Readonly<Record<TokenOperation, readonly [OperationGroup, 'read' | 'write']>> = {
  'list-basins': ['account', 'read'],
  'list-access-tokens': ['account', 'read'],
  'account-metrics': ['account', 'read'],
  'list-locations': ['account', 'read'],
  'get-default-location': ['account', 'read'],
  'create-basin': ['account', 'write'],
  'delete-basin': ['account', 'write'],
  'issue-access-token': ['account', 'write'],
  'revoke-access-token': ['account', 'write'],
  'set-default-location': ['account', 'write'],
  'get-basin-config': ['basin', 'read'],
  'list-streams': ['basin', 'read'],
  'basin-metrics': ['basin', 'read'],
  'reconfigure-basin': ['basin', 'write'],
  'get-stream-config': ['stream', 'read'],
  'check-tail': ['stream', 'read'],
  read: ['stream', 'read'],
  'stream-metrics': ['stream', 'read'],
  'create-stream': ['stream', 'write'],
  'delete-stream': ['stream', 'write'],
  'reconfigure-stream': ['stream', 'write'],
  append: ['stream', 'write'],
  trim: ['stream', 'write'],
  fence: ['stream', 'write'],
}

/**
 * The token operation each route needs. Ensures (PUT) have no operation of their own: they need
 * `create-*` when the resource is missing and `reconfigure-*` when it exists (decided by the route).
 */
export const ROUTE_OPERATION: Readonly<Record<Exclude<Operation, 'ensure_basin' | 'ensure_stream'>, TokenOperation>> = {
  list_basins: 'list-basins',
  create_basin: 'create-basin',
  get_basin_config: 'get-basin-config',
  reconfigure_basin: 'reconfigure-basin',
  delete_basin: 'delete-basin',
  list_streams: 'list-streams',
  create_stream: 'create-stream',
  get_stream_config: 'get-stream-config',
  reconfigure_stream: 'reconfigure-stream',
  delete_stream: 'delete-stream',
  append: 'append',
  read: 'read',
  check_tail: 'check-tail',
  list_access_tokens: 'list-access-tokens',
  issue_access_token: 'issue-access-token',
  revoke_access_token: 'revoke-access-token',
  account_metrics: 'account-metrics',
  basin_metrics: 'basin-metrics',
  stream_metrics: 'stream-metrics',
  list_locations: 'list-locations',
  get_default_location: 'get-default-location',
  set_default_location: 'set-default-location',
}

/** Account-level operations (metered by `account-ops`), as opposed to basin-level ones (`basin-ops`). */
export const ACCOUNT_ROUTES: ReadonlySet<Operation> = new Set<Operation>([
  'list_basins',
  'create_basin',
  'get_basin_config',
  'ensure_basin',
  'reconfigure_basin',
  'delete_basin',
  'list_access_tokens',
  'issue_access_token',
  'revoke_access_token',
  'account_metrics',
  'basin_metrics',
  'stream_metrics',
  'list_locations',
  'get_default_location',
  'set_default_location',
])
