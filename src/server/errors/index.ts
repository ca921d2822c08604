export { S2_ERROR_STATUS, isS2ErrorCode, type S2ErrorCode } from './codes.ts'
export { S2Error, type AdminErrorCode, type S2ErrorKind, type JsonValue } from './s2-error.ts'
export { errors } from './catalogue.ts'
export { S2EmulatorError, type EmulatorErrorCode } from './emulator-error.ts'
