/**
 * Names of S2 operations: the OpenAPI operation ids. Metrics count by them, and fault rules
 * (later) match on them.
 */
export const OPERATIONS = [
  'list_basins',
  'create_basin',
  'get_basin_config',
  'ensure_basin',
  'reconfigure_basin',
  'delete_basin',
  'list_streams',
  'create_stream',
  'get_stream_config',
  'ensure_stream',
  'reconfigure_stream',
  'delete_stream',
  'append',
  'read',
  'check_tail',
  'list_access_tokens',
  'issue_access_token',
  'revoke_access_token',
  'account_metrics',
  'basin_metrics',
  'stream_metrics',
  'list_locations',
  'get_default_location',
  'set_default_location',
] as const

export type Operation = (typeof OPERATIONS)[number]
