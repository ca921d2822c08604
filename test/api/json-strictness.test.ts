import { describe, expect, it } from 'vitest'
import { checkTail, expectS2Error, recordsPath } from '../support/append-helpers.ts'
import type { RawResponse } from '../support/emulator.ts'
import { useEmulator } from '../support/emulator.ts'

/**
 * JSON that `JSON.parse` takes but s2-lite (serde derive over sonic-rs) refuses with 400 bad_json:
 * a struct field given twice, and a u64 field given as a float (`1.0`, `1e3`, `1e-400`) or as an
 * integer beyond u64 (`18446744073709551616`), which serde reads as a float. Such requests change
 * nothing. Unknown fields stay ignored, repeated or not, whatever number they hold.
 */

const t = useEmulator()
const JSON_CT = { 'content-type': 'application/json' }

/** Sends a JSON text exactly as written. */
const send = (method: string, path: string, text: string, headers: Record<string, string> = {}) =>
  t.raw(method, path, { headers: { ...JSON_CT, ...headers }, body: text })

/** A 400 bad_json whose message names the problem (it is prefixed as s2-lite prefixes it). */
function badJson(res: RawResponse, problem: string): void {
  expectS2Error(res, 400, 'bad_json')
  expect((res.json as { message: string }).message).toContain(problem)
}

const FLOATS = [
  ['1.0', 'floating point `1.0`'],
  ['1e3', 'floating point `1000.0`'],
  ['1E3', 'floating point `1000.0`'],
  ['1e-400', 'floating point `0.0`'],
  ['2.5e1', 'floating point `25.0`'],
  ['18446744073709551616', 'floating point `18446744073709552000.0`'],
  ['99999999999999999999999', 'floating point `100000000000000000000000.0`'],
] as const

describe('u64 fields refuse floats and integers beyond u64', () => {
  it.each(FLOATS)('match_seq_num: %s is 400 bad_json naming %s, and appends nothing', async (number, shown) => {
    const { basin, stream } = await t.stream()
    const res = await send('POST', recordsPath(stream), `{"records":[{"body":"x"}],"match_seq_num":${number}}`, { 's2-basin': basin })
    badJson(res, `match_seq_num: invalid type: ${shown}, expected u64`)
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it.each(FLOATS)('a record timestamp of %s is 400 bad_json', async (number) => {
    const { basin, stream } = await t.stream()
    const res = await send('POST', recordsPath(stream), `{"records":[{"body":"x","timestamp":${number}}]}`, { 's2-basin': basin })
    badJson(res, 'records[0].timestamp: invalid type: floating point')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it.each(FLOATS)('retention_policy.age and delete_on_empty.min_age_secs of %s are 400 bad_json on create, ensure and reconfigure', async (number) => {
    const basin = await t.basin()
    const age = `{"stream":"s-age","config":{"retention_policy":{"age":${number}}}}`
    badJson(await send('POST', '/v1/streams', age, { 's2-basin': basin }), 'retention_policy.age')
    const doe = `{"delete_on_empty":{"min_age_secs":${number}}}`
    badJson(await send('PUT', '/v1/streams/s-doe', doe, { 's2-basin': basin }), 'min_age_secs')
    badJson(await send('PATCH', `/v1/basins/${basin}`, `{"default_stream_config":${doe}}`), 'min_age_secs')
    const streams = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect(streams.json).toEqual({ streams: [], has_more: false })
  })

  it('the largest u64 and integers written plainly are still numbers', async () => {
    const { basin, stream } = await t.stream()
    const ok = await send('POST', recordsPath(stream), '{"records":[{"body":"x","timestamp":0}],"match_seq_num":0}', { 's2-basin': basin })
    expect(ok.status).toBe(200)
    const max = await send('POST', recordsPath(stream), '{"records":[{"body":"x"}],"match_seq_num":18446744073709551615}', { 's2-basin': basin })
    expect(max.status).toBe(412) // parsed, and it does not match the tail
  })
})

describe('a field given twice', () => {
  it('records twice in an append is 400 bad_json "duplicate field" and appends nothing', async () => {
    const { basin, stream } = await t.stream()
    const res = await send('POST', recordsPath(stream), '{"records":[],"records":[{"body":"x"}]}', { 's2-basin': basin })
    badJson(res, 'duplicate field `records`')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it.each([
    ['a record body', '{"records":[{"body":"a","body":"b"}]}', 'records[0]: duplicate field `body`'],
    ['match_seq_num', '{"records":[{"body":"a"}],"match_seq_num":0,"match_seq_num":0}', 'duplicate field `match_seq_num`'],
    ['a key written with an escape', '{"records":[{"body":"a"}],"rec\\u006frds":[]}', 'duplicate field `records`'],
  ])('%s twice in an append is 400 bad_json', async (_, text, message) => {
    const { basin, stream } = await t.stream()
    badJson(await send('POST', recordsPath(stream), text, { 's2-basin': basin }), message)
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it('in control-plane bodies and configs is 400 bad_json, and creates nothing', async () => {
    const basin = await t.basin()
    badJson(await send('POST', '/v1/basins', '{"basin":"twice-named-1","basin":"twice-named-2"}'), 'duplicate field `basin`')
    const twiceClass = '{"stream":"s1","config":{"storage_class":"standard","storage_class":"express"}}'
    badJson(await send('POST', '/v1/streams', twiceClass, { 's2-basin': basin }), 'duplicate field `storage_class`')
    const twiceAge = '{"stream":"s2","config":{"retention_policy":{"age":60,"age":61}}}'
    badJson(await send('POST', '/v1/streams', twiceAge, { 's2-basin': basin }), 'retention_policy')
    const twiceFlag = '{"create_stream_on_append":true,"create_stream_on_append":false}'
    badJson(await send('PATCH', `/v1/basins/${basin}`, twiceFlag), 'duplicate field `create_stream_on_append`')
    expect((await t.raw('GET', '/v1/basins?prefix=twice-named')).json).toEqual({ basins: [], has_more: false })
    expect((await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })).json).toEqual({ streams: [], has_more: false })
    expect((await t.raw('GET', `/v1/basins/${basin}`)).json).toMatchObject({ create_stream_on_append: false })
  })

  it('an unknown field given twice, or holding a float, is ignored as serde ignores it', async () => {
    const { basin, stream } = await t.stream()
    const res = await send('POST', recordsPath(stream), '{"records":[{"body":"x","note":1.5}],"extra":1e3,"extra":[1.0]}', { 's2-basin': basin })
    expect(res.status).toBe(200)
    expect((await checkTail(t, basin, stream)).seq_num).toBe(1)
  })
})
