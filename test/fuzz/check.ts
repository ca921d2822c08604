/**
 * What every answer to a fuzzed request must be (s2-lite's shapes; see
 * README "Errors" and test/api/bad-requests.test.ts):
 * - no 5xx, except 501 `not_implemented` from the lite profile's stubs (access tokens, the
 *   metrics API, locations), which it sends only after the request is valid;
 * - an error is JSON `{code, message}` with the status of its code, except 412 (`seq_num_mismatch`
 *   or `fencing_token_mismatch`), 416 (`tail`), a bare 404 for a path the API does not know and a
 *   bare 405 with `Allow` for a known path and a wrong method;
 * - over HTTP/1.1, a method Node's parser does not know (`FOO`, `get`) is refused by the parser
 *   itself, before the emulator sees a request: a bare 400 that closes the connection (hyper, under
 *   s2-lite, accepts any method token and would answer 404 or 405);
 * - an S2S append session that started ends in whole frames, and a terminal frame is its last
 *   frame, a 4xx with an S2-shaped body.
 */
import { METHODS } from 'node:http'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { S2_ERROR_STATUS } from '../../src/server/errors/codes.ts'
import { splitFrames, terminalOf } from '../support/wire.ts'
import type { FuzzRequest } from './generate.ts'
import type { Outcome } from './send.ts'

/** The admin API's own codes (AdminErrorCode in src/server/errors/s2-error.ts), in the same shape. */
const ADMIN_CODES = new Set([
  'fault_not_found', 'snapshot_not_found', 'clock_not_controllable', 'snapshot_file_invalid', 'snapshot_file_io', 'snapshot_files_off',
  'namespace_not_found', 'namespace_exists', 'isolation_off', 'admin_forbidden', 'admin_unauthorized',
])

/** The lite profile's 501 stubs (README "What it implements"; s2-api.md, the 501 legend). */
const NOT_IMPLEMENTED_PATHS = /^\/v1\/(access-tokens|metrics|locations)(\/|$|\?)/

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

function decoded(outcome: Outcome): Buffer {
  const encoding = String(outcome.headers['content-encoding'] ?? '')
  if (encoding === 'gzip') return gunzipSync(outcome.body)
  if (encoding === 'zstd') return zstdDecompressSync(outcome.body)
  return outcome.body
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** What is wrong with an error body of this status (null when it is S2-shaped). */
export function errorShapeProblem(status: number, body: unknown, admin: boolean): string | null {
  if (!isObject(body)) return `error ${status} is not a JSON object`
  const keys = Object.keys(body).sort().join(',')
  if (status === 412) {
    if (keys === 'seq_num_mismatch' && typeof body['seq_num_mismatch'] === 'number') return null
    if (keys === 'fencing_token_mismatch' && typeof body['fencing_token_mismatch'] === 'string') return null
    return `412 body has keys [${keys}], not seq_num_mismatch or fencing_token_mismatch`
  }
  if (status === 416) {
    const tail = body['tail']
    if (keys === 'tail' && isObject(tail) && typeof tail['seq_num'] === 'number' && typeof tail['timestamp'] === 'number') return null
    return `416 body is not {tail: {seq_num, timestamp}}`
  }
  if (keys !== 'code,message') return `error ${status} has keys [${keys}], not [code,message]`
  const code = body['code']
  if (typeof code !== 'string' || typeof body['message'] !== 'string') return `error ${status}: code and message must be strings`
  if (Object.hasOwn(S2_ERROR_STATUS, code)) {
    const expected = S2_ERROR_STATUS[code as keyof typeof S2_ERROR_STATUS]
    return expected === status ? null : `code ${code} travels with ${expected}, not ${status}`
  }
  if (admin && ADMIN_CODES.has(code)) return null
  return `unknown error code ${code} (status ${status})`
}

/** Everything wrong with this answer; empty when it is as it must be. */
export function answerProblems(request: FuzzRequest, outcome: Outcome): string[] {
  if (outcome.problem !== undefined) return [outcome.problem]
  if (outcome.waited || outcome.status === null) return []
  const status = outcome.status
  const admin = request.path.startsWith('/_emulator')
  const problems: string[] = []
  if (status >= 500 && !(status === 501 && NOT_IMPLEMENTED_PATHS.test(request.path))) problems.push(`status ${status}`)
  if (status >= 400 && request.method !== 'HEAD') {
    const bytes = decoded(outcome)
    if (bytes.length === 0) {
      if (status === 405 && outcome.headers['allow'] === undefined) problems.push('a bare 405 without Allow')
      else if (status === 400 && request.transport === 'http1' && !METHODS.includes(request.method)) {
        if (outcome.headers['connection'] !== 'close') problems.push("the parser's bare 400 without Connection: close")
      } else if (status !== 404 && status !== 405) problems.push(`error ${status} with an empty body`)
    } else {
      const problem = errorShapeProblem(status, parseJson(bytes), admin)
      if (problem !== null) problems.push(`${problem}: ${bytes.toString('utf8').slice(0, 300)}`)
      if (!String(outcome.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`error ${status} with content-type ${String(outcome.headers['content-type'])}`)
    }
  }
  if (status === 200 && String(outcome.headers['content-type'] ?? '').startsWith('s2s/proto')) problems.push(...sessionProblems(outcome.body))
  return problems
}

/** An S2S append session's response: whole frames; a terminal frame only last, 4xx, S2-shaped. */
function sessionProblems(body: Buffer): string[] {
  let split
  try {
    split = splitFrames(body)
  } catch (error) {
    return [`S2S response: ${(error as Error).message}`]
  }
  if (split.rest.length > 0) return [`S2S response ends inside a frame (${split.rest.length} bytes left)`]
  const problems: string[] = []
  split.frames.forEach((f, i) => {
    if (!f.terminal) return
    if (i !== split.frames.length - 1) problems.push(`terminal frame ${i} is not the last of ${split.frames.length}`)
    let terminal
    try {
      terminal = terminalOf(f)
    } catch (error) {
      problems.push(`terminal frame unreadable: ${(error as Error).message}`)
      return
    }
    if (terminal.status < 400 || terminal.status >= 500) problems.push(`terminal frame with status ${terminal.status}: ${terminal.text}`)
    else {
      const problem = errorShapeProblem(terminal.status, terminal.body, false)
      if (problem !== null) problems.push(`terminal frame: ${problem}: ${terminal.text}`)
    }
  })
  return problems
}
