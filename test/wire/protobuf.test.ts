import { describe, expect, it } from 'vitest'
import { recordsPath } from '../support/append-helpers.ts'
import { useEmulator, type RawResponse } from '../support/emulator.ts'
import { decodeAppendAck, decodeReadBatch, encodeAppendInput, type ProtoAppendInput } from '../support/wire.ts'

const t = useEmulator({ heartbeatMs: 50 })

function appendProto(
  basin: string,
  stream: string,
  body: ProtoAppendInput | Uint8Array,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const bytes = body instanceof Uint8Array ? body : encodeAppendInput(body)
  return t.raw('POST', recordsPath(stream), {
    headers: { 's2-basin': basin, 'content-type': 'application/protobuf', ...headers },
    body: bytes,
  })
}

function readProto(basin: string, stream: string, query: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return t.raw('GET', recordsPath(stream, query), { headers: { 's2-basin': basin, accept: 'application/protobuf', ...headers } })
}

function expectJsonError(res: RawResponse, status: number): void {
  expect(res.status, res.text).toBe(status)
  expect(res.headers['content-type']).toBe('application/json')
}

describe('unary protobuf append', () => {
  for (const contentType of ['application/protobuf', 'application/x-protobuf', 'Application/X-Protobuf', 'application/protobuf; charset=binary']) {
    it(`accepts Content-Type ${contentType} and answers a JSON ack when Accept is not protobuf`, async () => {
      const { basin, stream } = await t.stream()
      const res = await appendProto(basin, stream, { records: [{ body: 'a' }, { body: 'b' }] }, { 'content-type': contentType })
      expect(res.status, res.text).toBe(200)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.json).toMatchObject({ start: { seq_num: 0 }, end: { seq_num: 2 }, tail: { seq_num: 2 } })
    })
  }

  for (const accept of ['application/protobuf', 'application/x-protobuf']) {
    it(`answers a protobuf AppendAck with Content-Type application/protobuf when Accept is ${accept}`, async () => {
      const { basin, stream } = await t.stream()
      await appendProto(basin, stream, { records: [{ body: 'first' }] })
      const res = await appendProto(basin, stream, { records: [{ body: 'x', timestamp: 1 }, { body: 'y' }] }, { accept })
      expect(res.status, res.text).toBe(200)
      expect(res.headers['content-type']).toBe('application/protobuf')
      const ack = decodeAppendAck(res.body)
      expect(ack.start.seq_num).toBe(1)
      expect(ack.end.seq_num).toBe(3)
      expect(ack.tail.seq_num).toBe(3)
      expect(ack.end.timestamp).toBe(ack.tail.timestamp)
    })
  }

  it('answers JSON when protobuf is only a later Accept type', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [{ body: 'a' }] }, { accept: 'application/json, application/protobuf' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
  })

  it('stores binary bodies, headers and client timestamps exactly', async () => {
    const { basin, stream } = await t.stream()
    const body = Buffer.from([0xff, 0x00, 0xfe, 0x80])
    const res = await appendProto(basin, stream, {
      records: [{ body, timestamp: 42, headers: [{ name: 'h', value: Buffer.from([0xc3, 0x28]) }] }],
    })
    expect(res.status, res.text).toBe(200)
    const read = await readProto(basin, stream, 'seq_num=0')
    const batch = decodeReadBatch(read.body)
    expect(batch.records).toHaveLength(1)
    expect(batch.records[0]?.bodyBytes.equals(body)).toBe(true)
    expect(batch.records[0]?.timestamp).toBe(42)
    expect(batch.records[0]?.headers[0]?.name).toBe('h')
  })

  it('reads back as JSON a record whose header value and body are empty (absent on the wire)', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [{ headers: [{ name: 'done', value: '' }] }] })
    expect(res.status, res.text).toBe(200)
    const read = await t.raw('GET', recordsPath(stream, 'seq_num=0'), { headers: { 's2-basin': basin } })
    expect(read.status, read.text).toBe(200)
    expect(read.json).toMatchObject({ records: [{ seq_num: 0, headers: [['done', '']] }] })
    expect((read.json as { records: object[] }).records[0]).not.toHaveProperty('body')
  })

  it('checks match_seq_num 0 when the field is present, and answers the 412 as JSON', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a' }] })
    const res = await appendProto(basin, stream, { records: [{ body: 'b' }], match_seq_num: 0 }, { accept: 'application/protobuf' })
    expectJsonError(res, 412)
    expect(res.text).toBe('{"seq_num_mismatch":1}')
  })

  it('checks an empty fencing_token when the field is present', async () => {
    const { basin, stream } = await t.stream()
    const fence = await appendProto(basin, stream, { records: [{ headers: [{ name: '', value: 'fence' }], body: 'tok' }] })
    expect(fence.status, fence.text).toBe(200)
    const res = await appendProto(basin, stream, { records: [{ body: 'b' }], fencing_token: '' })
    expectJsonError(res, 412)
    expect(res.json).toEqual({ fencing_token_mismatch: 'tok' })
    const ok = await appendProto(basin, stream, { records: [{ body: 'b' }], fencing_token: 'tok' })
    expect(ok.status).toBe(200)
  })

  it('answers a missing stream with a JSON 404 even when Accept is protobuf', async () => {
    const { basin } = await t.stream()
    const res = await appendProto(basin, 'missing', { records: [{ body: 'a' }] }, { accept: 'application/protobuf' })
    expectJsonError(res, 404)
    expect(res.json).toMatchObject({ code: 'stream_not_found' })
  })

  it('answers an empty batch with a JSON 422 invalid', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [] }, { accept: 'application/protobuf' })
    expectJsonError(res, 422)
    expect(res.json).toEqual({ code: 'invalid', message: 'record batch must not be empty' })
  })

  it('answers a fencing token over 36 bytes with 422 (not bad_json as in JSON)', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [{ body: 'a' }], fencing_token: 'f'.repeat(37) })
    expectJsonError(res, 422)
    expect(res.json).toMatchObject({ code: 'invalid' })
  })

  it('answers an undecodable protobuf body with 400 bad_proto', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, Buffer.from([0x0a, 0x05, 0x01]), { accept: 'application/protobuf' })
    expectJsonError(res, 400)
    expect(res.json).toMatchObject({ code: 'bad_proto' })
  })

  it('answers a protobuf body over 2 MiB with 400 bad_proto', async () => {
    const { basin, stream } = await t.stream()
    const big = encodeAppendInput({ records: [{ body: Buffer.alloc(2 * 1024 * 1024 + 10, 1) }] })
    const res = await appendProto(basin, stream, big)
    expectJsonError(res, 400)
    expect(res.json).toMatchObject({ code: 'bad_proto' })
  })

  it('does not recognise application/proto: 400 bad_json, as s2-lite', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [{ body: 'a' }] }, { 'content-type': 'application/proto' })
    expectJsonError(res, 400)
    expect(res.json).toEqual({ code: 'bad_json', message: 'Expected request with `Content-Type: application/json`' })
  })

  it('treats a body with no Content-Type as JSON and rejects it with 400 bad_json', async () => {
    const { basin, stream } = await t.stream()
    const res = await t.raw('POST', recordsPath(stream), {
      headers: { 's2-basin': basin },
      body: encodeAppendInput({ records: [{ body: 'a' }] }),
    })
    expectJsonError(res, 400)
    expect(res.json).toMatchObject({ code: 'bad_json' })
  })

  it('returns command records in protobuf as one header with an empty name', async () => {
    const { basin, stream } = await t.stream()
    const res = await appendProto(basin, stream, { records: [{ headers: [{ name: '', value: 'fence' }], body: 'writer-1' }] })
    expect(res.status, res.text).toBe(200)
    const batch = decodeReadBatch((await readProto(basin, stream, 'seq_num=0')).body)
    expect(batch.records[0]?.headers).toEqual([{ name: '', value: 'fence' }])
    expect(batch.records[0]?.body).toBe('writer-1')
  })
})

describe('unary protobuf read', () => {
  it('answers a catch-up read with a protobuf ReadBatch without a tail', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a', timestamp: 10 }, { body: 'b', timestamp: 20 }] })
    const res = await readProto(basin, stream, 'seq_num=0')
    expect(res.status, res.text).toBe(200)
    expect(res.headers['content-type']).toBe('application/protobuf')
    expect(decodeReadBatch(res.body)).toEqual({
      records: [
        { seq_num: 0, timestamp: 10, headers: [], body: 'a', bodyBytes: Buffer.from('a') },
        { seq_num: 1, timestamp: 20, headers: [], body: 'b', bodyBytes: Buffer.from('b') },
      ],
    })
  })

  it('accepts application/x-protobuf in Accept', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a' }] })
    const res = await readProto(basin, stream, 'seq_num=0', { accept: 'application/x-protobuf' })
    expect(res.headers['content-type']).toBe('application/protobuf')
    expect(decodeReadBatch(res.body).records.map((r) => r.body)).toEqual(['a'])
  })

  it('ignores s2-format for protobuf reads: bodies are raw bytes', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'plain' }] })
    const res = await readProto(basin, stream, 'seq_num=0', { 's2-format': 'base64' })
    expect(decodeReadBatch(res.body).records[0]?.body).toBe('plain')
  })

  it('includes the tail when a long-poll receives a live batch', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a', timestamp: 5 }] })
    const pending = readProto(basin, stream, 'seq_num=1&wait=5')
    // Let the read reach the tail first; an append that came before it would be catch-up (no tail).
    await new Promise((resolve) => setTimeout(resolve, 100))
    await appendProto(basin, stream, { records: [{ body: 'b', timestamp: 6 }] })
    const res = await pending
    expect(res.status, res.text).toBe(200)
    const batch = decodeReadBatch(res.body)
    expect(batch.records.map((r) => [r.seq_num, r.body])).toEqual([[1, 'b']])
    expect(batch.tail).toEqual({ seq_num: 2, timestamp: 6 })
  })

  it('answers a read beyond the tail with a JSON 416 carrying the tail, even when Accept is protobuf', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a', timestamp: 9 }] })
    const res = await readProto(basin, stream, 'seq_num=3')
    expectJsonError(res, 416)
    expect(res.json).toEqual({ tail: { seq_num: 1, timestamp: 9 } })
  })

  it('answers a missing stream with a JSON 404 even when Accept is protobuf', async () => {
    const { basin } = await t.stream()
    const res = await readProto(basin, 'missing', 'seq_num=0')
    expectJsonError(res, 404)
    expect(res.json).toMatchObject({ code: 'stream_not_found' })
  })

  it('answers an empty protobuf ReadBatch when the bound cannot be met (count=0)', async () => {
    const { basin, stream } = await t.stream()
    await appendProto(basin, stream, { records: [{ body: 'a' }] })
    const res = await readProto(basin, stream, 'seq_num=0&count=0')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/protobuf')
    expect(decodeReadBatch(res.body)).toEqual({ records: [] })
  })
})
