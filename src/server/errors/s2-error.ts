import { S2_ERROR_STATUS, type S2ErrorCode } from './codes.ts'

/** A JSON value, as error bodies and wire messages carry them. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * The kinds of failure S2 reports. Append condition failures (412) and unsatisfiable reads (416)
 * have no code on the wire (their bodies are `{"seq_num_mismatch":N}` and `{"tail":{...}}`);
 * they get names here so logs, metrics and fault rules can tell them apart.
 */
export type S2ErrorKind = S2ErrorCode | 'append_condition_failed' | 'range_not_satisfiable' | AdminErrorCode

/** Codes of the emulator's admin API (`/_emulator/...`), which answers in S2's `{code, message}` shape. */
export type AdminErrorCode =
  | 'fault_not_found'
  | 'snapshot_not_found'
  | 'clock_not_controllable'
  | 'snapshot_file_invalid'
  | 'snapshot_file_io'
  | 'snapshot_files_off'
  | 'namespace_not_found'
  | 'namespace_exists'
  | 'isolation_off'
  | 'admin_forbidden'
  | 'admin_unauthorized'

/**
 * An S2 API error: what every layer throws and only the protocol layer turns into bytes.
 */
export class S2Error extends Error {
  readonly code: S2ErrorKind
  readonly status: number
  /** The JSON body sent on the wire: `{code, message}` except for 412 and 416. */
  readonly body: JsonValue

  constructor(code: S2ErrorCode, message: string)
  constructor(code: S2ErrorKind, message: string, status: number, body: JsonValue)
  constructor(code: S2ErrorKind, message: string, status?: number, body?: JsonValue) {
    super(message)
    this.name = 'S2Error'
    this.code = code
    this.status = status ?? S2_ERROR_STATUS[code as S2ErrorCode]
    this.body = body ?? { code, message }
  }
}
