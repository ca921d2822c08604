/** Codes of the emulator's own errors (not S2's): bad options, ports, files, admin calls. */
export type EmulatorErrorCode =
  | 'S2EMU_BAD_OPTIONS'
  | 'S2EMU_PORT_IN_USE'
  | 'S2EMU_LISTEN_FAILED'
  | 'S2EMU_STOPPED'
  | 'S2EMU_UNREACHABLE'
  | 'S2EMU_ADMIN_REQUEST_FAILED'
  | 'S2EMU_FAULT_NOT_FIRED'
  | 'S2EMU_BAD_FAULTS_FILE'
  | 'S2EMU_BAD_SNAPSHOT_FILE'
  | 'S2EMU_SNAPSHOT_FILE_IO'
  | 'S2EMU_PERSIST_FAILED'
  | 'S2EMU_BAD_INIT_FILE'
  | 'S2EMU_BAD_RECORDS_FILE'
  | 'S2EMU_BAD_CASSETTE'
  | 'S2EMU_CASSETTE_VERSION'
  | 'S2EMU_CASSETTE_NOT_FOUND'
  | 'S2EMU_CASSETTE_MISS'
  | 'S2EMU_NOT_PROVIDED'
  | 'S2EMU_NOT_IN_TEST'
  | 'S2EMU_MISSING_PEER'
  | 'S2EMU_EMULATOR_ONLY'
  | 'S2EMU_IMAGE_BUILD_FAILED'
  | 'S2EMU_CONTAINER_FAILED'
  | 'S2EMU_UNSUPPORTED_NODE'

export interface S2EmulatorErrorOptions extends ErrorOptions {
  /** For a failed admin call: the HTTP status it answered with. */
  readonly status?: number
  /** For a failed admin call: the `code` of its error body (e.g. `namespace_not_found`). */
  readonly adminCode?: string
}

/** An error about using the emulator itself; its message says what to do. */
export class S2EmulatorError extends Error {
  readonly code: EmulatorErrorCode
  /** For a failed admin call: the HTTP status it answered with. */
  readonly status: number | undefined
  /** For a failed admin call: the `code` of its error body. */
  readonly adminCode: string | undefined

  constructor(code: EmulatorErrorCode, message: string, options?: S2EmulatorErrorOptions) {
    super(`[s2-emulator] ${message}`, options)
    this.name = 'S2EmulatorError'
    this.code = code
    this.status = options?.status
    this.adminCode = options?.adminCode
  }
}
