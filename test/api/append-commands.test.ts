import { AppendInput, AppendRecord, FencingTokenMismatchError } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import {
  appendOk,
  appendRaw,
  b64,
  BASE64,
  checkTail,
  expect412,
  expectS2Error,
  fenceRecord,
  MiB,
  readAll,
  readRaw,
  seqNums,
  trimBody,
  trimRecord,
  withoutTimestamp,
  type EmulatorContext,
  type WireRecord,
} from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'

// Trims apply at once here: these tests are about where the trim point lands; test/api/trim.test.ts is about when.
const t = useEmulator({ trimDelayMs: 0 })

async function appendBodies(ctx: EmulatorContext, basin: string, stream: string, n: number): Promise<void> {
  await appendOk(ctx, basin, stream, { records: Array.from({ length: n }, (_, i) => ({ body: `r${i}` })) })
}

describe('fence command', () => {
  it.each([
    ['seeded', true],
    ['command-first', false],
  ])('controls the stream fencing token (%s)', async (_case, seeded) => {
    const { basin, stream } = await t.stream()
    if (seeded) expect((await appendOk(t, basin, stream, { records: [{ body: 'seed' }], fencing_token: '' })).end.seq_num).toBe(1)
    const start = seeded ? 1 : 0
    const ack = await appendOk(t, basin, stream, { records: [fenceRecord('updated-token')], fencing_token: '', match_seq_num: start })
    expect(ack.start.seq_num).toBe(start)
    expect(ack.end.seq_num).toBe(start + 1)
    expect412(await appendRaw(t, basin, stream, { records: [{ body: 'stale' }], fencing_token: '' }), {
      fencing_token_mismatch: 'updated-token',
    })
    const next = await appendOk(t, basin, stream, {
      records: [{ body: 'fenced' }],
      fencing_token: 'updated-token',
      match_seq_num: ack.end.seq_num,
    })
    expect(next.start.seq_num).toBe(ack.end.seq_num)
  })

  it('does not check appends that carry no fencing_token', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [fenceRecord('tok')] })
    expect((await appendOk(t, basin, stream, { records: [{ body: 'free' }] })).start.seq_num).toBe(1)
  })

  it('checks a batch holding a fence against the old token, then installs the new one for later batches', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [fenceRecord('a')] })
    // The batch's own token must match the current token, not the one it installs.
    expect412(await appendRaw(t, basin, stream, { records: [fenceRecord('b')], fencing_token: 'b' }), { fencing_token_mismatch: 'a' })
    // Records after the fence in the same batch are part of the already-checked batch.
    const ack = await appendOk(t, basin, stream, { records: [fenceRecord('b'), { body: 'same batch' }], fencing_token: 'a' })
    expect(ack.end.seq_num - ack.start.seq_num).toBe(2)
    expect412(await appendRaw(t, basin, stream, { records: [{}], fencing_token: 'a' }), { fencing_token_mismatch: 'b' })
    await appendOk(t, basin, stream, { records: [{}], fencing_token: 'b' })
  })

  it('installs nothing when its batch fails a condition', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [{ body: 'x' }] })
    expect412(await appendRaw(t, basin, stream, { records: [fenceRecord('never')], match_seq_num: 0 }), { seq_num_mismatch: 1 })
    await appendOk(t, basin, stream, { records: [{}], fencing_token: '' })
  })

  it('with an empty body resets the token to "" and is read back without a body field', async () => {
    const { basin, stream } = await t.stream()
    await appendOk(t, basin, stream, { records: [fenceRecord('tok')] })
    await appendOk(t, basin, stream, { records: [{ headers: [['', 'fence']] }], fencing_token: 'tok' })
    await appendOk(t, basin, stream, { records: [{ body: 'after' }], fencing_token: '' })
    expect(withoutTimestamp(await readAll(t, basin, stream))).toEqual([
      { seq_num: 0, headers: [['', 'fence']], body: 'tok' },
      { seq_num: 1, headers: [['', 'fence']] },
      { seq_num: 2, body: 'after' },
    ])
  })

  it('accepts a 36-byte token and rejects a longer one (counted in UTF-8 bytes) with 422', async () => {
    const { basin, stream } = await t.stream()
    const message = 'invalid `fence` command: fencing token must not exceed 36 bytes in length'
    expectS2Error(await appendRaw(t, basin, stream, { records: [fenceRecord('x'.repeat(37))] }), 422, 'invalid', message)
    expectS2Error(await appendRaw(t, basin, stream, { records: [fenceRecord('€'.repeat(13))] }), 422, 'invalid', message)
    expect((await checkTail(t, basin, stream)).seq_num).toBe(0)
    await appendOk(t, basin, stream, { records: [fenceRecord('€'.repeat(12))] })
    await appendOk(t, basin, stream, { records: [{}], fencing_token: '€'.repeat(12) })
  })

  it('rejects a token that is not UTF-8 with 422 and accepts a base64-encoded one', async () => {
    const { basin, stream } = await t.stream()
    const bad = await appendRaw(t, basin, stream, { records: [{ headers: [['', b64('fence')]], body: '/w==' }] }, BASE64)
    expectS2Error(bad, 422, 'invalid', 'invalid `fence` command: invalid UTF-8')
    await appendOk(t, basin, stream, { records: [{ headers: [['', b64('fence')]], body: b64('bin-tok') }] }, BASE64)
    expect412(await appendRaw(t, basin, stream, { records: [{}], fencing_token: '' }), { fencing_token_mismatch: 'bin-tok' })
  })

  it('through the SDK: AppendRecord.fence sets the token that FencingTokenMismatchError reports', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    const ack = await s.append(AppendInput.create([AppendRecord.fence('writer-1')], { fencingToken: '', matchSeqNum: 0 }))
    expect(ack.end.seqNum).toBe(1)
    const error = await s
      .append(AppendInput.create([AppendRecord.string({ body: 'x' })], { fencingToken: '' }))
      .then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(FencingTokenMismatchError)
    expect((error as FencingTokenMismatchError).expectedFencingToken).toBe('writer-1')
    const batch = await s.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(batch.records.map((r) => [r.seqNum, r.headers, r.body])).toEqual([[0, [['', 'fence']], 'writer-1']])
  })

  it('is metered as 8 + 2 + 5 + token bytes', async () => {
    const { basin, stream } = await t.stream()
    // fence "tok" = 18 bytes; the data record fills the batch to exactly 1 MiB.
    const fill = 'x'.repeat(MiB - 18 - 8)
    await appendOk(t, basin, stream, { records: [fenceRecord('tok'), { body: fill }] })
    const over = await appendRaw(t, basin, stream, { records: [fenceRecord('tok'), { body: `${fill}x` }] })
    expectS2Error(over, 422, 'invalid', 'record batch must not exceed a metered size of 1 MiB')
  })
})

describe('trim command', () => {
  it.each([
    ['3 bytes', 'YWJj', 3],
    ['0 bytes', '', 0],
    ['9 bytes', b64(new Uint8Array(9)), 9],
  ])('rejects a body of %s with 422', async (_what, body, n) => {
    const { basin, stream } = await t.stream()
    const res = await appendRaw(t, basin, stream, { records: [{ headers: [['', b64('trim')]], body }] }, BASE64)
    expectS2Error(res, 422, 'invalid', `invalid \`trim\` command: earliest sequence number to trim to was ${n} bytes, must be 8`)
  })

  it('makes records below the trim point vanish from reads; the trim record itself is returned', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 5)
    const ack = await appendOk(t, basin, stream, { records: [trimRecord(3)] }, BASE64)
    expect(ack.start.seq_num).toBe(5)
    const records = await readAll(t, basin, stream, BASE64)
    expect(seqNums(records)).toEqual([3, 4, 5])
    expect(withoutTimestamp(records.slice(2))).toEqual([{ seq_num: 5, headers: [['', b64('trim')]], body: trimBody(3) }])
    // A read starting below the trim point starts at the first kept record.
    const fromOne = await readRaw(t, basin, stream, 'seq_num=1&count=10')
    expect(seqNums((fromOne.json as { records: WireRecord[] }).records)).toEqual([3, 4, 5])
    expect((await checkTail(t, basin, stream)).seq_num).toBe(6)
  })

  it('can be sent in raw format when its 8 bytes are valid UTF-8', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 3)
    await appendOk(t, basin, stream, { records: [{ headers: [['', 'trim']], body: '\u0000'.repeat(7) + '\u0002' }] })
    expect(seqNums(await readAll(t, basin, stream))).toEqual([2, 3])
  })

  it('can remove itself but nothing after it', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 2)
    // Trim record at seq 2, asking for 100: the effective point is 3.
    await appendOk(t, basin, stream, { records: [trimRecord(100), { body: b64('same batch') }] }, BASE64)
    await appendOk(t, basin, stream, { records: [{ body: 'later' }] })
    expect(withoutTimestamp(await readAll(t, basin, stream))).toEqual([
      { seq_num: 3, body: 'same batch' },
      { seq_num: 4, body: 'later' },
    ])
  })

  it('only moves forward: a lower or equal trim is appended but has no effect', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 6)
    await appendOk(t, basin, stream, { records: [trimRecord(4)] }, BASE64)
    expect(seqNums(await readAll(t, basin, stream))).toEqual([4, 5, 6])
    const lower = await appendOk(t, basin, stream, { records: [trimRecord(2)] }, BASE64)
    expect(lower.start.seq_num).toBe(7)
    const equal = await appendOk(t, basin, stream, { records: [trimRecord(4)] }, BASE64)
    expect(equal.start.seq_num).toBe(8)
    expect(seqNums(await readAll(t, basin, stream))).toEqual([4, 5, 6, 7, 8])
  })

  it('to 0 removes nothing', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 2)
    await appendOk(t, basin, stream, { records: [trimRecord(0)] }, BASE64)
    expect(seqNums(await readAll(t, basin, stream))).toEqual([0, 1, 2])
  })

  it('is metered as 22 bytes', async () => {
    const { basin, stream } = await t.stream()
    const fill = new Uint8Array(MiB - 22 - 8)
    await appendOk(t, basin, stream, { records: [trimRecord(0), { body: b64(fill) }] }, BASE64)
    const over = await appendRaw(t, basin, stream, { records: [trimRecord(0), { body: b64(new Uint8Array(fill.length + 1)) }] }, BASE64)
    expectS2Error(over, 422, 'invalid', 'record batch must not exceed a metered size of 1 MiB')
  })

  it('through the SDK: reads after a trim start at the trim point', async () => {
    const { basin, stream } = await t.stream()
    await appendBodies(t, basin, stream, 4)
    await appendOk(t, basin, stream, { records: [trimRecord(2)] }, BASE64)
    const s = t.s2.basin(basin).stream(stream)
    const batch = await s.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(batch.records.map((r) => r.seqNum)).toEqual([2, 3, 4])
    expect(batch.records.slice(0, 2).map((r) => r.body)).toEqual(['r2', 'r3'])
  })
})
