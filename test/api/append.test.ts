import {
  AppendInput,
  AppendRecord,
  FencingTokenMismatchError,
  SeqNumMismatchError,
  type AppendAck,
} from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import {
  appendOk,
  appendRaw,
  b64,
  BASE64,
  bodies,
  checkTail,
  expect412,
  expectS2Error,
  MiB,
  newStreamName,
  readAll,
  readRaw,
  recordsPath,
  streamNames,
  withoutTimestamp,
  type WireRecord,
} from '../support/append-helpers.ts'
import { sdk, useEmulator } from '../support/emulator.ts'

const t = useEmulator()

describe('append: JSON input shapes', () => {
  it('appends three records and acknowledges seq_nums 0..3', async () => {
    const { basin, stream } = await t.stream()
    const ack = await appendOk(t, basin, stream, { records: [{ body: 'a' }, { body: 'b' }, { body: 'c' }] })
    expect(ack.start.seq_num).toBe(0)
    expect(ack.end.seq_num).toBe(3)
    expect(bodies(await readAll(t, basin, stream))).toEqual(['a', 'b', 'c'])
  })

  it('stores headers as [name, value] pairs and a record without body or headers as an empty record', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, {
      records: [{ headers: [['k', 'v'], ['k', 'w']], body: 'x' }, {}, { headers: [], body: '' }],
    })
    const records = await readAll(t, basin, stream)
    expect(withoutTimestamp(records)).toEqual([
      { seq_num: 0, headers: [['k', 'v'], ['k', 'w']], body: 'x' },
      { seq_num: 1 },
      { seq_num: 2 },
    ])
  })

  it('treats null match_seq_num, fencing_token and timestamp as absent', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: 'first' }] })
    const ack = await appendOk(t, basin, stream, {
      records: [{ body: 'second', timestamp: null }],
      match_seq_num: null,
      fencing_token: null,
    })
    expect(ack.start.seq_num).toBe(1)
  })

  it.each([
    ['a body that is not JSON', '{"records": [', { 'content-type': 'application/json' }],
    ['a missing records field', '{}', { 'content-type': 'application/json' }],
    ['records that is not an array', '{"records": {}}', { 'content-type': 'application/json' }],
    ['a header that is not a pair', '{"records": [{"headers": [["a"]]}]}', { 'content-type': 'application/json' }],
    ['a body that is not a string', '{"records": [{"body": 5}]}', { 'content-type': 'application/json' }],
    ['a negative match_seq_num', '{"records": [{}], "match_seq_num": -1}', { 'content-type': 'application/json' }],
    ['a fractional timestamp', '{"records": [{"timestamp": 1.5}]}', { 'content-type': 'application/json' }],
  ])('rejects %s with 400 bad_json', async (_what, body, headers) => {
    const { basin, stream } = await t.stream()
    expectS2Error(await appendRaw(t, basin, stream, body, headers), 400, 'bad_json')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it.each([
    ['no Content-Type', {}],
    ['Content-Type: text/plain', { 'content-type': 'text/plain' }],
    ['Content-Type: application/proto (not a recognised protobuf type)', { 'content-type': 'application/proto' }],
  ])('rejects a JSON body sent with %s as 400 bad_json', async (_what, headers) => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, JSON.stringify({ records: [{ body: 'x' }] }), headers)
    expectS2Error(res, 400, 'bad_json', 'Expected request with `Content-Type: application/json`')
  })

  it('accepts any application/*+json Content-Type as JSON', async () => {
    const { basin, stream } = await t.stream()
    const body = JSON.stringify({ records: [{ body: 'x' }] })
    const ack = await appendOk(t, basin, stream, body, { 'content-type': 'application/vnd.s2+json' })
    expect(ack.end.seq_num).toBe(1)
  })
})

describe('append: S2-Format', () => {
  it('round-trips binary bodies and headers with S2-Format: base64', async () => {
    const { basin, stream } = await t.stream()
    const body = b64(new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]))
    const headerValue = b64(new Uint8Array([0xff, 0x00, 0xc3]))
    await appendOk(t, basin, stream, { records: [{ headers: [[b64('bin'), headerValue]], body }] }, BASE64)
    const [record] = await readAll(t, basin, stream, BASE64)
    expect(record).toMatchObject({ seq_num: 0, headers: [[b64('bin'), headerValue]], body })
  })

  it.each([
    ['base64', 'aGk=', 'hi'],
    ['json-binsafe', 'aGk=', 'hi'],
    ['raw', 'aGk=', 'aGk='],
    ['json', 'aGk=', 'aGk='],
  ])('S2-Format: %s decodes the body %s as %s', async (format, sent, stored) => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: sent }] }, { 's2-format': format })
    expect(bodies(await readAll(t, basin, stream))).toEqual([stored])
  })

  it('takes raw strings as their UTF-8 bytes when no S2-Format is sent', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ headers: [['ключ', 'значение']], body: 'héllo ✓' }] })
    const [record] = await readAll(t, basin, stream, BASE64)
    expect(record?.body).toBe(b64('héllo ✓'))
    expect(record?.headers).toEqual([[b64('ключ'), b64('значение')]])
  })

  it.each([
    ['a body with characters outside the alphabet', [{ body: 'not base64!' }]],
    ['a body without padding', [{ body: 'aGk' }]],
    ['a header name that is not base64', [{ headers: [['*', 'aGk=']] }]],
    ['a header value that is not base64', [{ headers: [['aGk=', '%%%%']] }]],
  ])('rejects %s with 422 invalid Base64 encoding', async (_what, records) => {
    const { basin, stream } = await t.stream()
    expectS2Error(await appendRaw(t, basin, stream, { records }, BASE64), 422, 'invalid', 'invalid Base64 encoding')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
  })

  it('reports a structural JSON error before a base64 error in an earlier record', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{ body: '!!!' }, { headers: 'x' }] }, BASE64)
    expectS2Error(res, 400, 'bad_json')
  })

  it('rejects an unknown S2-Format with 400 bad_header', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{ body: 'x' }] }, { 's2-format': 'hex' })
    expectS2Error(res, 400, 'bad_header')
    expect((res.json as { message: string }).message).toMatch(/^Invalid header `s2-format`/)
  })
})

describe('append: batch validation', () => {
  it('rejects an empty batch with 422', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [] })
    expectS2Error(res, 422, 'invalid', 'record batch must not be empty')
  })

  it('accepts 1000 records and rejects 1001 with 422', async () => {
    const { basin, stream } = await t.stream()
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ body: `r${i}` }))
    const res = await appendRaw(t, basin, stream, { records: records(1001) })
    expectS2Error(res, 422, 'invalid', 'record batch must not exceed 1000 records')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
    const ack = await appendOk(t, basin, stream, { records: records(1000) })
    expect(ack.end.seq_num).toBe(1000)
  })

  it('meters 8 + 2 per header + header bytes + body bytes and accepts a batch of exactly 1 MiB', async () => {
    const { basin, stream } = await t.stream()
    // Record 1: 8 + 2*2 + (1+1) + (4+5) + body1 = 23 + body1. Record 2: 8 + body2 (UTF-8 bytes).
    const headers = [['k', 'v'], ['name', 'value']]
    const body2 = 'é'.repeat(250_000) // 500,000 bytes
    const body1 = 'a'.repeat(MiB - 23 - 8 - 500_000)
    const ack = await appendOk(t, basin, stream, { records: [{ headers, body: body1 }, { body: body2 }] })
    expect(ack.end.seq_num).toBe(2)
    const over = await appendRaw(t, basin, stream, { records: [{ headers, body: `${body1}a` }, { body: body2 }] })
    expectS2Error(over, 422, 'invalid', 'record batch must not exceed a metered size of 1 MiB')
    expect((await checkTail(t, basin, stream)).seq_num).toBe(2)
  })

  it('accepts a single record of exactly 1 MiB and rejects one byte more', async () => {
    const { basin, stream } = await t.stream()
    const ack = await appendOk(t, basin, stream, { records: [{ body: 'x'.repeat(MiB - 8) }] })
    expect(ack.end.seq_num).toBe(1)
    const res = await appendRaw(t, basin, stream, { records: [{ body: 'x'.repeat(MiB - 7) }] })
    expectS2Error(res, 422, 'invalid', 'record batch must not exceed a metered size of 1 MiB')
  })

  it('meters base64 records by their decoded bytes', async () => {
    const { basin, stream } = await t.stream()
    const exact = b64(new Uint8Array(MiB - 8).fill(0xab))
    const ack = await appendOk(t, basin, stream, { records: [{ body: exact }] }, BASE64)
    expect(ack.end.seq_num).toBe(1)
    const over = b64(new Uint8Array(MiB - 7).fill(0xab))
    expectS2Error(await appendRaw(t, basin, stream, { records: [{ body: over }] }, BASE64), 422, 'invalid')
  })

  it.each([
    ['an empty name beside another header', [['a', '1'], ['', 'x']]],
    ['an empty name with a command value beside another header', [['', 'fence'], ['k', 'v']]],
    ['two empty names', [['', 'trim'], ['', 'trim']]],
  ])('rejects a record header with %s as 422 invalid header: empty name', async (_what, headers) => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{ headers, body: 'x' }] })
    expectS2Error(res, 422, 'invalid', 'invalid header: empty name')
  })

  it.each([['bogus'], [''], ['fencing']])('rejects a single empty-name header with value %j as 422 unknown command', async (cmd) => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{ headers: [['', cmd]], body: 'x' }] })
    expectS2Error(res, 422, 'invalid', 'unknown command')
  })

  it('rejects a fencing_token over 36 bytes in the JSON body as 400 bad_json, counting UTF-8 bytes', async () => {
    const { basin, stream } = await t.stream()
    const tooLong = await appendRaw(t, basin, stream, { records: [{ body: 'x' }], fencing_token: 'a'.repeat(37) })
    expectS2Error(tooLong, 400, 'bad_json')
    expect((tooLong.json as { message: string }).message).toContain('36 bytes')
    // 13 characters, 39 bytes.
    const multiByte = await appendRaw(t, basin, stream, { records: [{ body: 'x' }], fencing_token: '€'.repeat(13) })
    expectS2Error(multiByte, 400, 'bad_json')
    // 36 bytes pass validation and reach the fencing check (the stream's token is "").
    const ok = await appendRaw(t, basin, stream, { records: [{ body: 'x' }], fencing_token: '€'.repeat(12) })
    expect412(ok, { fencing_token_mismatch: '' })
  })

  it('validates the batch before looking up the stream: 422, not 404', async () => {
    const basin = await t.basin()
    expectS2Error(await appendRaw(t, basin, 'missing', { records: [] }), 422, 'invalid', 'record batch must not be empty')
    const unknown = await appendRaw(t, 'no-such-basin-anywhere', 'missing', { records: [{ headers: [['', 'x']] }] })
    expectS2Error(unknown, 422, 'invalid', 'unknown command')
    const token = await appendRaw(t, basin, 'missing', { records: [{}], fencing_token: 'x'.repeat(40) })
    expectS2Error(token, 400, 'bad_json')
    expect(await streamNames(t, basin)).toEqual([])
  })

  it('checks S2-Basin, then S2-Format, then Content-Type, then the body', async () => {
    const { basin, stream } = await t.stream()
    const path = recordsPath(stream)
    const noBasin = await t.raw('POST', path, { headers: { 's2-format': 'hex' }, body: { records: [] } })
    expectS2Error(noBasin, 400, 'bad_header', 'Missing header `s2-basin`')
    const badBasin = await t.raw('POST', path, { headers: { 's2-basin': 'UPPER' }, body: { records: [] } })
    expectS2Error(badBasin, 400, 'bad_header')
    const badFormat = await appendRaw(t, basin, stream, '{"records": []}', { 's2-format': 'hex', 'content-type': 'text/plain' })
    expectS2Error(badFormat, 400, 'bad_header')
    const badType = await appendRaw(t, basin, stream, '{"records": []}', { 'content-type': 'text/plain' })
    expectS2Error(badType, 400, 'bad_json', 'Expected request with `Content-Type: application/json`')
  })
})

describe('append: match_seq_num and fencing_token', () => {
  it('appends when match_seq_num equals the tail and answers 412 {"seq_num_mismatch":N} otherwise', async () => {
    const { basin, stream } = await t.stream()
    expect((await appendOk(t, basin, stream, { records: [{ body: 'a' }], match_seq_num: 0 })).start.seq_num).toBe(0)
    expect((await appendOk(t, basin, stream, { records: [{ body: 'b' }], match_seq_num: 1 })).start.seq_num).toBe(1)
    expect412(await appendRaw(t, basin, stream, { records: [{ body: 'c' }], match_seq_num: 0 }), { seq_num_mismatch: 2 })
    expect412(await appendRaw(t, basin, stream, { records: [{ body: 'c' }], match_seq_num: 7 }), { seq_num_mismatch: 2 })
    expect((await checkTail(t, basin, stream)).seq_num).toBe(2)
    expect(bodies(await readAll(t, basin, stream))).toEqual(['a', 'b'])
  })

  it('answers 412 {"seq_num_mismatch":0} for a match_seq_num on an empty stream', async () => {
    const { basin, stream } = await t.stream()
    expect412(await appendRaw(t, basin, stream, { records: [{}], match_seq_num: 1 }), { seq_num_mismatch: 0 })
  })

  it('accepts fencing_token "" on a new stream and answers 412 {"fencing_token_mismatch":""} for another token', async () => {
    const { basin, stream } = await t.stream()
    expect((await appendOk(t, basin, stream, { records: [{ body: 'a' }], fencing_token: '' })).end.seq_num).toBe(1)
    const res = await appendRaw(t, basin, stream, { records: [{ body: 'b' }], fencing_token: 'writer-1' })
    expect412(res, { fencing_token_mismatch: '' })
    expect((await checkTail(t, basin, stream)).seq_num).toBe(1)
  })

  it('checks the fencing token before match_seq_num', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{}], fencing_token: 'nope', match_seq_num: 9 })
    expect412(res, { fencing_token_mismatch: '' })
  })

  it('evaluates concurrent conditional appends in serial order: one match_seq_num 0 wins, the rest see 1', async () => {
    const { basin, stream } = await t.stream()
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => appendRaw(t, basin, stream, { records: [{ body: `w${i}` }], match_seq_num: 0 })),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    for (const res of results.filter((r) => r.status !== 200)) expect412(res, { seq_num_mismatch: 1 })
    expect((await checkTail(t, basin, stream)).seq_num).toBe(1)
  })

  it('the SDK raises SeqNumMismatchError with the expected seq_num parsed from the 412 body', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    const first = await s.append(AppendInput.create([AppendRecord.string({ body: 'a' })], { matchSeqNum: 0 }))
    expect(first.end.seqNum).toBe(1)
    const error = await s
      .append(AppendInput.create([AppendRecord.string({ body: 'b' })], { matchSeqNum: 5 }))
      .then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(SeqNumMismatchError)
    expect((error as SeqNumMismatchError).status).toBe(412)
    expect((error as SeqNumMismatchError).expectedSeqNum).toBe(1)
  })

  it('the SDK raises FencingTokenMismatchError with the current token parsed from the 412 body', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    await s.append(AppendInput.create([AppendRecord.fence('writer-1')], { fencingToken: '' }))
    const error = await s
      .append(AppendInput.create([AppendRecord.string({ body: 'x' })], { fencingToken: 'writer-2' }))
      .then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(FencingTokenMismatchError)
    expect((error as FencingTokenMismatchError).status).toBe(412)
    expect((error as FencingTokenMismatchError).expectedFencingToken).toBe('writer-1')
    const ok = await s.append(AppendInput.create([AppendRecord.string({ body: 'y' })], { fencingToken: 'writer-1', matchSeqNum: 1 }))
    expect(ok.start.seqNum).toBe(1)
  })
})

describe('append: the ack', () => {
  it('has exactly start, end (last seq_num + 1, last timestamp) and tail', async () => {
    const { basin, stream } = await t.stream()
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 0, timestamp: 0 })
    const res = await appendRaw(t, basin, stream, { records: [{ timestamp: 1000 }, { timestamp: 2000 }, { timestamp: 3000 }] })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({
      start: { seq_num: 0, timestamp: 1000 },
      end: { seq_num: 3, timestamp: 3000 },
      tail: { seq_num: 3, timestamp: 3000 },
    })
    expect(await appendOk(t, basin, stream, { records: [{ timestamp: 4000 }] })).toEqual({
      start: { seq_num: 3, timestamp: 4000 },
      end: { seq_num: 4, timestamp: 4000 },
      tail: { seq_num: 4, timestamp: 4000 },
    })
    expect(await checkTail(t, basin, stream)).toEqual({ seq_num: 4, timestamp: 4000 })
  })

  it('the SDK reads the ack as positions with Date timestamps', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    const ack = await s.append(
      AppendInput.create([AppendRecord.string({ body: 'a', timestamp: 5000 }), AppendRecord.string({ body: 'b', timestamp: 6000 })]),
    )
    expect(ack.start).toEqual({ seqNum: 0, timestamp: new Date(5000) })
    expect(ack.end).toEqual({ seqNum: 2, timestamp: new Date(6000) })
    expect(ack.tail).toEqual({ seqNum: 2, timestamp: new Date(6000) })
    expect((await s.checkTail()).tail).toEqual({ seqNum: 2, timestamp: new Date(6000) })
  })
})

describe('append: auto-create and missing resources', () => {
  it('creates a missing stream on append when the basin has create_stream_on_append', async () => {
    const basin = await t.basin({ create_stream_on_append: true })
    const ack = await appendOk(t, basin, 'auto', { records: [{ body: 'x' }] })
    expect(ack.start.seq_num).toBe(0)
    expect(ack.end.seq_num).toBe(1)
    expect(await streamNames(t, basin)).toEqual(['auto'])
    expect((await checkTail(t, basin, 'auto')).seq_num).toBe(1)
  })

  it('gives an auto-created stream the basin default stream config', async () => {
    const basin = await t.basin({
      create_stream_on_append: true,
      default_stream_config: { storage_class: 'standard', timestamping: { mode: 'arrival' } },
    })
    const before = Date.now()
    const ack = await appendOk(t, basin, 'auto', { records: [{ body: 'x', timestamp: 1000 }] })
    expect(ack.start.timestamp).toBeGreaterThanOrEqual(before)
    const config = await t.raw('GET', '/v1/streams/auto', { headers: { 's2-basin': basin } })
    expect(config.json).toMatchObject({ storage_class: 'standard', timestamping: { mode: 'arrival' } })
  })

  it('answers 404 stream_not_found without create_stream_on_append and creates nothing', async () => {
    const basin = await t.basin({ create_stream_on_read: true })
    const res = await appendRaw(t, basin, 'missing', { records: [{ body: 'x' }] })
    expectS2Error(res, 404, 'stream_not_found', `stream \`missing\` in basin \`${basin}\` not found`)
    expect(await streamNames(t, basin)).toEqual([])
  })

  it('answers 404 basin_not_found to append, read and check-tail in a missing basin', async () => {
    const basin = 'no-such-basin-for-append'
    const message = `basin \`${basin}\` not found`
    expectS2Error(await appendRaw(t, basin, 's', { records: [{ body: 'x' }] }), 404, 'basin_not_found', message)
    expectS2Error(await readRaw(t, basin, 's', 'seq_num=0'), 404, 'basin_not_found', message)
    const tail = await t.raw('GET', `${recordsPath('s')}/tail`, { headers: { 's2-basin': basin } })
    expectS2Error(tail, 404, 'basin_not_found', message)
  })

  it('check-tail creates a missing stream with create_stream_on_read (tail 0,0), not with create_stream_on_append', async () => {
    const onRead = await t.basin({ create_stream_on_read: true })
    expect(await checkTail(t, onRead, 'auto')).toEqual({ seq_num: 0, timestamp: 0 })
    expect(await streamNames(t, onRead)).toEqual(['auto'])
    const onAppend = await t.basin({ create_stream_on_append: true })
    const res = await t.raw('GET', `${recordsPath('auto')}/tail`, { headers: { 's2-basin': onAppend } })
    expectS2Error(res, 404, 'stream_not_found')
    expect(await streamNames(t, onAppend)).toEqual([])
  })

  it('is race-safe: 10 concurrent appends to a missing stream create one stream with all 10 records', async () => {
    const basin = await t.basin({ create_stream_on_append: true })
    const clients = Array.from({ length: 10 }, () => sdk(t.emulator).basin(basin).stream('raced'))
    const acks = await Promise.all(
      clients.map((s, i) => s.append(AppendInput.create([AppendRecord.string({ body: `body-${i}` })]))),
    )
    expect(acks.map((a) => a.start.seqNum).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(await streamNames(t, basin)).toEqual(['raced'])
    expect((await checkTail(t, basin, 'raced')).seq_num).toBe(10)
    const read = bodies(await readAll(t, basin, 'raced'))
    expect(read.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `body-${i}`).sort())
  })
})

describe('append: many clients at once', () => {
  it('20 SDK clients x 25 appends: every acked batch appears exactly once, contiguous and in order', async () => {
    const { basin, stream } = await t.stream()
    const CLIENTS = 20
    const APPENDS = 25
    const sizeOf = (c: number, a: number): number => ((c + a) % 5) + 1
    const bodyOf = (c: number, a: number, r: number): string => `c${c}-a${a}-r${r}`
    const acked: { ack: AppendAck; bodies: string[] }[] = []

    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const s = sdk(t.emulator).basin(basin).stream(stream)
        let previousEnd = -1
        for (let a = 0; a < APPENDS; a++) {
          const batch = Array.from({ length: sizeOf(c, a) }, (_, r) => bodyOf(c, a, r))
          const ack = await s.append(AppendInput.create(batch.map((body) => AppendRecord.string({ body }))))
          // A client's own sequential appends land in order.
          expect(ack.start.seqNum).toBeGreaterThanOrEqual(previousEnd)
          previousEnd = ack.end.seqNum
          acked.push({ ack, bodies: batch })
        }
      }),
    )

    const total = acked.reduce((n, b) => n + b.bodies.length, 0)
    expect(acked).toHaveLength(CLIENTS * APPENDS)
    // The acked ranges tile [0, total) with no gap and no overlap.
    const sorted = [...acked].sort((x, y) => x.ack.start.seqNum - y.ack.start.seqNum)
    let next = 0
    for (const { ack, bodies: batch } of sorted) {
      expect(ack.start.seqNum).toBe(next)
      expect(ack.end.seqNum - ack.start.seqNum).toBe(batch.length)
      expect(ack.tail.seqNum).toBeGreaterThanOrEqual(ack.end.seqNum)
      next = ack.end.seqNum
    }
    expect(next).toBe(total)
    expect((await checkTail(t, basin, stream)).seq_num).toBe(total)

    // Each batch's records sit at ack.start..ack.end, in order; every body appears exactly once.
    const records = await readAll(t, basin, stream)
    expect(records.map((r) => r.seq_num)).toEqual(Array.from({ length: total }, (_, i) => i))
    for (const { ack, bodies: batch } of acked) {
      expect(bodies(records.slice(ack.start.seqNum, ack.end.seqNum))).toEqual(batch)
    }
    expect(new Set(bodies(records)).size).toBe(total)
    for (let i = 1; i < records.length; i++) {
      expect((records[i] as WireRecord).timestamp).toBeGreaterThanOrEqual((records[i - 1] as WireRecord).timestamp)
    }
  })
})

describe('append: streams and basins being deleted', () => {
  // A long deletion delay keeps the deleted resources in their pending state for the whole block.
  const d = useEmulator({ deletionDelayMs: 60_000 })

  it('answers 409 stream_deletion_pending to an append to a stream being deleted', async () => {
    const { basin, stream } = await d.stream()
    await appendOk(d, basin, stream, { records: [{ body: 'x' }] })
    expect((await d.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })).status).toBe(202)
    const res = await appendRaw(d, basin, stream, { records: [{ body: 'y' }] })
    expectS2Error(res, 409, 'stream_deletion_pending', 'stream deletion pending')
    // An invalid batch is still rejected first.
    expectS2Error(await appendRaw(d, basin, stream, { records: [] }), 422, 'invalid')
  })

  it('answers 409 basin_deletion_pending when an append would auto-create a stream in a basin being deleted', async () => {
    const basin = await d.basin({ create_stream_on_append: true })
    expect((await d.raw('DELETE', `/v1/basins/${basin}`)).status).toBe(202)
    const res = await appendRaw(d, basin, newStreamName(), { records: [{ body: 'x' }] })
    expectS2Error(res, 409, 'basin_deletion_pending', `basin \`${basin}\` is being deleted`)
  })
})

