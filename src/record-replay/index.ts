export { startCassette, type CassetteReport, type CassetteServer } from './server/cassette-server.ts'
export { formatCassetteReport } from './server/report.ts'
export {
  CASSETTE_MODE_ENV,
  CASSETTE_MODES,
  type CassetteMode,
  type CassetteOptions,
} from './options.ts'
export type { ReplayTiming } from './server/timing.ts'
export type { ReplayMiss } from './match/matcher.ts'
export { MISS_CODE, MISS_STATUS, UPSTREAM_ERROR_CODE, UPSTREAM_ERROR_STATUS } from './server/miss.ts'
export { loadCassette, parseCassette, saveCassette, serializeCassette } from './cassette/file.ts'
export { DEFAULT_REDACTED_FIELDS, DEFAULT_REDACTED_HEADERS, redactionRules } from './cassette/redact.ts'
export {
  CASSETTE_FORMAT,
  CASSETTE_VERSION,
  REDACTED,
  type Body,
  type Cassette,
  type CassetteEntry,
  type CassetteUpstream,
  type FrameEntry,
  type HeaderMap,
  type MessageType,
  type Protocol,
  type RecordedRequest,
  type RecordedResponse,
  type RecordedSession,
  type RedactionRules,
  type SessionEndKind,
  type SseEventEntry,
  type Transport,
} from './cassette/types.ts'
export { S2EmulatorError, type EmulatorErrorCode } from '../server/errors/index.ts'
export { formatVerifyReport, verifyCassette, type VerifiedExchange, type VerifyOptions, type VerifyReport } from './verify/verify.ts'
