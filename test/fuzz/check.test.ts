import { describe, expect, it } from 'vitest'
import { answerProblems, errorShapeProblem } from './check.ts'
import type { FuzzRequest } from './generate.ts'
import type { Outcome } from './send.ts'

// The rules the fuzz suite holds every answer to, on answers written by hand: each rule refuses
// what it must, so a green fuzz run means the emulator kept them.

const request = (method: string, path: string, transport: 'http1' | 'h2' = 'http1'): FuzzRequest => ({
  index: 0, category: 'path', transport, method, path, headers: {}, body: new Uint8Array(0), mayWait: false,
})
const answer = (status: number, body: string, headers: Record<string, string> = body === '' ? {} : { 'content-type': 'application/json' }): Outcome => ({
  status, headers, body: Buffer.from(body), liveSession: false, waited: false,
})

describe('error shapes', () => {
  it('takes {code, message} with the status of its code, and 412 and 416 in their own shapes', () => {
    expect(errorShapeProblem(400, { code: 'bad_json', message: 'x' }, false)).toBeNull()
    expect(errorShapeProblem(412, { seq_num_mismatch: 3 }, false)).toBeNull()
    expect(errorShapeProblem(412, { fencing_token_mismatch: 'a' }, false)).toBeNull()
    expect(errorShapeProblem(416, { tail: { seq_num: 1, timestamp: 2 } }, false)).toBeNull()
    expect(errorShapeProblem(403, { code: 'admin_forbidden', message: 'x' }, true)).toBeNull()
  })

  it('refuses extra keys, a code with another status, unknown codes, and admin codes outside the admin API', () => {
    expect(errorShapeProblem(400, { code: 'bad_json', message: 'x', detail: 1 }, false)).toMatch(/keys/)
    expect(errorShapeProblem(404, { code: 'bad_json', message: 'x' }, false)).toMatch(/travels with 400/)
    expect(errorShapeProblem(400, { code: 'oops', message: 'x' }, false)).toMatch(/unknown error code/)
    expect(errorShapeProblem(403, { code: 'admin_forbidden', message: 'x' }, false)).toMatch(/unknown error code/)
    expect(errorShapeProblem(412, { code: 'append_condition_failed', message: 'x' }, false)).toMatch(/412/)
    expect(errorShapeProblem(400, 'bad', false)).toMatch(/not a JSON object/)
  })
})

describe('answers', () => {
  it('refuses a 5xx, except 501 not_implemented from the lite stubs', () => {
    expect(answerProblems(request('GET', '/v1/basins'), answer(500, '{"code":"other","message":"x"}'))).toContain('status 500')
    expect(answerProblems(request('GET', '/v1/basins'), answer(501, '{"code":"not_implemented","message":"Not implemented"}'))).toContain('status 501')
    expect(answerProblems(request('GET', '/v1/metrics?set=x'), answer(501, '{"code":"not_implemented","message":"Not implemented"}'))).toEqual([])
  })

  it('takes a bare 404, a bare 405 only with Allow, and a bare 400 only from the parser for a method it does not know', () => {
    expect(answerProblems(request('GET', '/nope'), answer(404, ''))).toEqual([])
    expect(answerProblems(request('PATCH', '/v1/basins'), answer(405, '', { allow: 'GET,POST' }))).toEqual([])
    expect(answerProblems(request('PATCH', '/v1/basins'), answer(405, ''))).toEqual(['a bare 405 without Allow'])
    expect(answerProblems(request('FOO', '/v1'), answer(400, '', { connection: 'close' }))).toEqual([])
    expect(answerProblems(request('FOO', '/v1', 'h2'), answer(400, ''))).toEqual(['error 400 with an empty body'])
    expect(answerProblems(request('GET', '/v1/basins'), answer(400, ''))).toEqual(['error 400 with an empty body'])
  })

  it('refuses an error that is not JSON, and reports a hang or a missing answer as it is', () => {
    expect(answerProblems(request('GET', '/v1/basins'), answer(400, '{"code":"bad_query","message":"x"}', { 'content-type': 'text/plain' }))[0]).toMatch(/content-type/)
    expect(answerProblems(request('GET', '/v1/basins'), { ...answer(200, ''), status: null, problem: 'hang: no response within 10 ms' })).toEqual(['hang: no response within 10 ms'])
  })
})
