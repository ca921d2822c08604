/** Codes of the emulator's own errors (not S2's): bad options, ports, files. */
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
  | 'S2EMU_PERSIST_FAILED'
  | 'S2EMU_BAD_INIT_FILE'
  | 'S2EMU_BAD_RECORDS_FILE'
  | 'S2EMU_UNSUPPORTED_NODE'

/** An error about using the emulator itself; its message says what to do. */
export class S2EmulatorError extends Error {
  readonly code: EmulatorErrorCode

  constructor(code: EmulatorErrorCode, message: string, options?: ErrorOptions) {
    super(`[s2-emulator] ${message}`, options)
    this.name = 'S2EmulatorError'
    this.code = code
  }
}
