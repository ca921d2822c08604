import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { RecordListBuilder, type RecordList } from '../../store/record-list.ts'
import { RecordLog } from '../../store/record-log.ts'
import { encodeAppendAck, encodeReadBatch } from './read-batch.ts'

const root = protobuf.parse(readFileSync(new URL('../../../../proto/s2.proto', import.meta.url), 'utf8'), { keepCase: true }).root
const ReadBatch = root.lookupType('s2.v1.ReadBatch')
const AppendAck = root.lookupType('s2.v1.AppendAck')

// Around each varint length (7 bits a byte) and the 32-bit halves the writer splits large values into.
const EDGES = [0, 1, 127, 128, 16_383, 16_384, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 35, 2 ** 42 - 1, 1_764_720_000_123, 2 ** 49, 2 ** 53 - 1]

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Records at `start`, one per timestamp, with a header on every third. */
function list(start: number, timestamps: readonly number[]): RecordList {
  const log = new RecordLog(start)
  timestamps.forEach((ts, i) => log.add(ts, i % 3 === 0 ? [{ name: text('h'), value: text(`v${i}`) }] : [], text(i % 4 === 0 ? '' : `body ${i}`), Infinity, null))
  const builder = new RecordListBuilder(timestamps.length)
  for (let seq = start; seq < log.next; seq++) builder.add(log.chunkAt(seq), seq - log.chunkAt(seq).base)
  return builder.finish()
}

/** What protobufjs writes for the same batch. */
function reference(records: RecordList, tail: { seqNum: number; timestamp: number } | null): Uint8Array {
  const message = {
    records: records.map((r) => ({
      seq_num: r.seqNum,
      timestamp: r.timestamp,
      headers: r.headers.map((h) => ({ name: h.name, value: h.value })),
      body: r.body,
    })),
    ...(tail === null ? {} : { tail: { seq_num: tail.seqNum, timestamp: tail.timestamp } }),
  }
  return ReadBatch.encode(ReadBatch.fromObject(message)).finish()
}

describe('ReadBatch and AppendAck written by hand', () => {
  it('writes the bytes protobufjs writes, for sequence numbers and timestamps of every varint length', () => {
    for (const start of [0, 127, 2 ** 32 - 2, 2 ** 53 - 40]) {
      const records = list(start, EDGES)
      for (const tail of [null, { seqNum: start + EDGES.length, timestamp: 0 }, { seqNum: 2 ** 53 - 1, timestamp: 2 ** 49 + 3 }]) {
        expect(Buffer.from(encodeReadBatch(records, tail))).toEqual(Buffer.from(reference(records, tail)))
      }
    }
  })

  it('writes an AppendAck as protobufjs does', () => {
    for (const value of EDGES) {
      const ack = { start: { seqNum: value, timestamp: 1 }, end: { seqNum: value + 1, timestamp: value }, tail: { seqNum: value + 1, timestamp: value } }
      const message = { start: { seq_num: value, timestamp: 1 }, end: { seq_num: value + 1, timestamp: value }, tail: { seq_num: value + 1, timestamp: value } }
      expect(Buffer.from(encodeAppendAck(ack))).toEqual(Buffer.from(AppendAck.encode(AppendAck.fromObject(message)).finish()))
    }
  })
})
