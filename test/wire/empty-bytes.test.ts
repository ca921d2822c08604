import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { beforeAll, describe, expect, it } from 'vitest'
import { appendJson, BASE64, expectS2Error, readJson, recordsPath } from '../support/append-helpers.ts'
import { useEmulator, type RawResponse } from '../support/emulator.ts'
import { makeClient, readAllBytes, TRANSPORTS as SDK_TRANSPORTS } from '../support/sessions.ts'
import {
  decodeReadBatch,
  expectSessionHead,
  frame,
  openExchange,
  parseSseEvent,
  payloadOf,
  s2sAppendInit,
  s2sReadInit,
  sseReadInit,
  terminalOf,
  TRANSPORTS,
  useH2Client,
  decodeAppendAck,
  type Transport,
} from '../support/wire.ts'

// A protobuf `bytes` field can be absent or present with length 0; both mean "empty". protobufjs
// decodes either as a plain array rather than a Uint8Array, which once broke every JSON and SSE
// read of such a record (500) and made an empty-bodied protobuf fence a 422.

const t = useEmulator({ heartbeatMs: 50 })
const h2 = useH2Client(t)

/** A field of a record, header or input, by hand: absent when undefined, else tag, length, bytes. */
function field(tag: number, value: string | undefined): number[] {
  if (value === undefined) return []
  const bytes = [...Buffer.from(value)]
  if (bytes.length > 127) throw new Error('the hand encoder writes one-byte lengths only')
  return [tag, bytes.length, ...bytes]
}

interface HandHeader {
  readonly name?: string
  readonly value?: string
}
interface HandRecord {
  readonly headers?: readonly HandHeader[]
  readonly body?: string
}

/** `Header{name=1, value=2}`, `AppendRecord{headers=2, body=3}`, `AppendInput{records=1}`, each field written only when given. */
function handRecord(record: HandRecord): number[] {
  const headers = (record.headers ?? []).flatMap((h) => {
    const header = [...field(0x0a, h.name), ...field(0x12, h.value)]
    return [0x12, header.length, ...header]
  })
  return [...headers, ...field(0x1a, record.body)]
}
const handInput = (record: HandRecord): Buffer => {
  const bytes = handRecord(record)
  return Buffer.from([0x0a, bytes.length, ...bytes])
}

/** What a record reads back as, whatever the transport. */
interface Seen {
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string
}

const CASES: readonly { readonly name: string; readonly record: HandRecord; readonly seen: Seen }[] = [
  { name: 'a record with no field at all', record: {}, seen: { headers: [], body: '' } },
  { name: 'an empty body', record: { body: '' }, seen: { headers: [], body: '' } },
  { name: 'a header with no value', record: { headers: [{ name: 'h' }], body: 'x' }, seen: { headers: [['h', '']], body: 'x' } },
  { name: 'a header with an empty value', record: { headers: [{ name: 'h', value: '' }], body: 'x' }, seen: { headers: [['h', '']], body: 'x' } },
  { name: 'a fence with no header name', record: { headers: [{ value: 'fence' }], body: 'tok' }, seen: { headers: [['', 'fence']], body: 'tok' } },
  {
    name: 'a fence with an empty header name',
    record: { headers: [{ name: '', value: 'fence' }], body: 'tok' },
    seen: { headers: [['', 'fence']], body: 'tok' },
  },
  { name: 'a fence with no body', record: { headers: [{ value: 'fence' }] }, seen: { headers: [['', 'fence']], body: '' } },
  { name: 'a fence with an empty body', record: { headers: [{ name: '', value: 'fence' }], body: '' }, seen: { headers: [['', 'fence']], body: '' } },
]
const EXPECTED = CASES.map((c) => c.seen)

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
const fromBase64 = (value: string | undefined): string => Buffer.from(value ?? '', 'base64').toString('utf8')

type JsonRecord = { headers?: [string, string][]; body?: string }
function seenFromJson(records: readonly JsonRecord[], base64: boolean): Seen[] {
  const decode = base64 ? fromBase64 : (value: string | undefined) => value ?? ''
  return records.map((r) => ({ headers: (r.headers ?? []).map(([n, v]) => [decode(n), decode(v)] as const), body: decode(r.body) }))
}

/** The records of an SSE read's body; fails on an error event. */
function seenFromSse(body: string, base64: boolean): Seen[] {
  const events = body.split('\n\n').filter((raw) => raw !== '').map(parseSseEvent)
  const errors = events.filter((e) => e.event === 'error')
  expect(errors, body).toEqual([])
  const batches = events.filter((e) => e.event === 'batch')
  return batches.flatMap((e) => seenFromJson((JSON.parse(e.data) as { records: JsonRecord[] }).records, base64))
}

const seenFromProto = (bytes: Uint8Array): Seen[] =>
  decodeReadBatch(bytes).records.map((r) => ({ headers: r.headers.map((h) => [h.name, h.value] as const), body: r.body }))

/** Every way to read a stream of `n` records, each answering what it saw. */
const READS: Record<string, (basin: string, stream: string, n: number) => Promise<Seen[]>> = {
  'unary JSON (raw)': async (basin, stream, n) => {
    const res = await readJson(t, basin, stream, `seq_num=0&count=${n}`)
    expect(res.status, res.text).toBe(200)
    return seenFromJson((res.json as { records: JsonRecord[] }).records, false)
  },
  'unary JSON (base64)': async (basin, stream, n) => {
    const res = await readJson(t, basin, stream, `seq_num=0&count=${n}`, BASE64)
    expect(res.status, res.text).toBe(200)
    return seenFromJson((res.json as { records: JsonRecord[] }).records, true)
  },
  'unary protobuf': async (basin, stream, n) => {
    const res = await readJson(t, basin, stream, `seq_num=0&count=${n}`, { accept: 'application/protobuf' })
    expect(res.status, res.text).toBe(200)
    return seenFromProto(res.body)
  },
  ...Object.fromEntries(
    TRANSPORTS.flatMap((transport) => [
      [`SSE over ${transport} (raw)`, sseRead(transport, false)],
      [`SSE over ${transport} (base64)`, sseRead(transport, true)],
      [`S2S over ${transport}`, s2sRead(transport)],
    ]),
  ),
  ...Object.fromEntries(
    SDK_TRANSPORTS.map((transport) => [
      `the SDK over ${transport}`,
      async (basin: string, stream: string, n: number) => {
        const s2 = makeClient(t.url)
        const handle = s2.basin(basin).stream(stream, { forceTransport: transport })
        try {
          const records = await readAllBytes(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: n } } })
          return records.map((r) => ({ headers: r.headers.map(([name, value]) => [text(name), text(value)] as const), body: text(r.body) }))
        } finally {
          await handle.close()
        }
      },
    ]),
  ),
}

function sseRead(transport: Transport, base64: boolean) {
  return async (basin: string, stream: string, n: number): Promise<Seen[]> => {
    const x = openExchange(transport, t.url, h2(), sseReadInit(basin, stream, `seq_num=0&count=${n}`, base64 ? BASE64 : {}))
    expectSessionHead(await x.head, 'text/event-stream')
    return seenFromSse(await x.text(), base64)
  }
}

function s2sRead(transport: Transport) {
  return async (basin: string, stream: string, n: number): Promise<Seen[]> => {
    const x = openExchange(transport, t.url, h2(), s2sReadInit(basin, stream, `seq_num=0&count=${n}`))
    expectSessionHead(await x.head, 's2s/proto')
    const frames = await x.remainingFrames()
    for (const f of frames) expect(f.terminal, f.terminal ? terminalOf(f).text : '').toBe(false)
    return frames.flatMap((f) => seenFromProto(payloadOf(f)))
  }
}

/** Every way to append one hand-encoded AppendInput, checking the append succeeded. */
const APPENDS: Record<string, (basin: string, stream: string, inputs: readonly Buffer[]) => Promise<void>> = {
  'unary protobuf over HTTP/1.1': async (basin, stream, inputs) => {
    for (const body of inputs) {
      const res = await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin, 'content-type': 'application/protobuf' }, body })
      expect(res.status, res.text).toBe(200)
    }
  },
  'unary protobuf over h2c': async (basin, stream, inputs) => {
    for (const body of inputs) {
      const headers = { 's2-basin': basin, 'content-type': 'application/protobuf' }
      const res = await h2().unary({ method: 'POST', path: recordsPath(stream), headers, body })
      expect(res.status, res.text).toBe(200)
    }
  },
  ...Object.fromEntries(
    TRANSPORTS.map((transport) => [
      `an S2S append session over ${transport}`,
      async (basin: string, stream: string, inputs: readonly Buffer[]) => {
        const x = openExchange(transport, t.url, h2(), s2sAppendInit(basin, stream))
        expectSessionHead(await x.head, 's2s/proto')
        for (const input of inputs) {
          await x.write(frame(input))
          const f = await x.nextFrame()
          if (f === null) throw new Error('the append session ended without an ack')
          expect(f.terminal, f.terminal ? terminalOf(f).text : '').toBe(false)
          decodeAppendAck(payloadOf(f))
        }
        x.end()
        expect(await x.remainingFrames()).toEqual([])
      },
    ]),
  ),
}

for (const [appendName, append] of Object.entries(APPENDS)) {
  describe(`records with empty byte fields appended by ${appendName}`, () => {
    let basin = ''
    let stream = ''
    beforeAll(async () => {
      ;({ basin, stream } = await t.stream())
      await append(
        basin,
        stream,
        CASES.map((c) => handInput(c.record)),
      )
    })

    for (const [readName, read] of Object.entries(READS)) {
      it(`read back by ${readName}: ${CASES.map((c) => c.name).join(', ')}`, async () => {
        expect(await read(basin, stream, CASES.length)).toEqual(EXPECTED)
      })
    }
  })
}

describe('records with empty byte fields appended by the SDK', () => {
  for (const transport of SDK_TRANSPORTS) {
    describe(`over ${transport}`, () => {
      let basin = ''
      let stream = ''
      const expected: Seen[] = [
        { headers: [['', 'fence']], body: 'tok' },
        { headers: [], body: '' },
        { headers: [['h', '']], body: 'x' },
        { headers: [['', 'fence']], body: '' },
      ]
      beforeAll(async () => {
        ;({ basin, stream } = await t.stream())
        const client = makeClient(t.url)
        const handle = client.basin(basin).stream(stream, { forceTransport: transport })
        try {
          await handle.append(AppendInput.create([AppendRecord.fence('tok')]))
          const session = await handle.appendSession()
          const ticket = await session.submit(
            AppendInput.create([AppendRecord.bytes({ body: new Uint8Array(0) }), AppendRecord.string({ body: 'x', headers: [['h', '']] })]),
          )
          await ticket.ack()
          await session.close()
          await handle.append(AppendInput.create([AppendRecord.fence('')]))
        } finally {
          await handle.close()
        }
      })

      for (const [readName, read] of Object.entries(READS)) {
        it(`are read back by ${readName}`, async () => {
          expect(await read(basin, stream, expected.length)).toEqual(expected)
        })
      }
    })
  }
})

describe('a protobuf fence with an empty token', () => {
  for (const [name, record] of [
    ['no body', { headers: [{ value: 'fence' }] }],
    ['an empty body', { headers: [{ name: '', value: 'fence' }], body: '' }],
  ] as const) {
    it(`with ${name} answers 200 and clears the token, as the same fence in JSON does`, async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, [{ headers: [['', 'fence']], body: 'tok' }])
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/protobuf' },
        body: handInput(record),
      })
      expect(res.status, res.text).toBe(200)
      const fenced: RawResponse = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin },
        body: { records: [{ body: 'late' }], fencing_token: 'tok' },
      })
      expect(fenced.status, fenced.text).toBe(412)
      expect(fenced.json).toEqual({ fencing_token_mismatch: '' })
      await appendJson(t, basin, stream, [{ body: 'unfenced' }])
    })
  }

  it('a header with neither name nor value is an unknown command in protobuf as in JSON (422)', async () => {
    const { basin, stream } = await t.stream()
    const proto = await t.raw('POST', recordsPath(stream), {
      headers: { 's2-basin': basin, 'content-type': 'application/protobuf' },
      body: handInput({ headers: [{}], body: 'x' }),
    })
    expectS2Error(proto, 422, 'invalid', 'unknown command')
    const json = await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin }, body: { records: [{ headers: [['', '']], body: 'x' }] } })
    expectS2Error(json, 422, 'invalid', 'unknown command')
  })

  it('the bytes of the issue report (0a 0e 12 07 12 05 "fence" 1a 03 "tok") append a fence that JSON reads show', async () => {
    const { basin, stream } = await t.stream()
    const body = Buffer.from([0x0a, 0x0e, 0x12, 0x07, 0x12, 0x05, ...Buffer.from('fence'), 0x1a, 0x03, ...Buffer.from('tok')])
    const res = await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin, 'content-type': 'application/protobuf' }, body })
    expect(res.status, res.text).toBe(200)
    const raw = await readJson(t, basin, stream, 'seq_num=0')
    expect(raw.status, raw.text).toBe(200)
    expect(raw.json).toMatchObject({ records: [{ seq_num: 0, headers: [['', 'fence']], body: 'tok' }] })
    const base64 = await readJson(t, basin, stream, 'seq_num=0', BASE64)
    expect(base64.status, base64.text).toBe(200)
    expect(base64.json).toMatchObject({ records: [{ seq_num: 0, headers: [['', 'ZmVuY2U=']], body: 'dG9r' }] })
  })
})
