import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../cassette/types.ts'
import { jsonToProto, protoIsLossless, protoToJson } from './proto-json.ts'

describe('protobuf messages as S2 JSON', () => {
  it('round-trips an AppendInput with text, headers, a timestamp and conditions', () => {
    const message: JsonValue = { records: [{ timestamp: 5, headers: [['k', 'v']], body: 'hello' }, {}], match_seq_num: 0, fencing_token: 'f' }
    const bytes = jsonToProto('AppendInput', message)
    expect(protoToJson('AppendInput', bytes)).toEqual({ message, format: 'raw' })
    expect(protoIsLossless('AppendInput', bytes)).toBe(true)
  })

  it('switches the whole message to base64 when any bytes are not UTF-8', () => {
    const bytes = jsonToProto('ReadBatch', { records: [{ seq_num: 1, timestamp: 2, body: '/wA=' }, { seq_num: 2, timestamp: 2, body: 'YQ==' }] }, 'base64')
    expect(protoToJson('ReadBatch', bytes)).toEqual({
      message: { records: [{ seq_num: 1, timestamp: 2, body: '/wA=' }, { seq_num: 2, timestamp: 2, body: 'YQ==' }] },
      format: 'base64',
    })
  })

  it('says the JSON shape is lossy for fields the schema does not know and integers beyond 2^53', () => {
    const ack = jsonToProto('AppendAck', { start: { seq_num: 1, timestamp: 1 }, end: { seq_num: 2, timestamp: 1 }, tail: { seq_num: 2, timestamp: 1 } })
    expect(protoIsLossless('AppendAck', ack)).toBe(true)
    const unknownField = protobuf.Writer.create().uint32((9 << 3) | 0).uint64(1).finish()
    expect(protoIsLossless('AppendAck', new Uint8Array([...ack, ...unknownField]))).toBe(false)
    const huge = protobuf.Writer.create().uint32((1 << 3) | 2).fork().uint32((1 << 3) | 0).uint64('18446744073709551615').ldelim().finish()
    expect(protoIsLossless('AppendAck', huge)).toBe(false)
  })
})
