import { readFileSync } from 'node:fs'
import { AppendInput, AppendRecord, type ReadRecord, type SessionTransports } from '@s2-dev/streamstore'
import { afterEach, describe, expect, it } from 'vitest'
import { parseCli, UsageError } from '../../src/cli/args.ts'
import { appendJson, b64, BASE64, checkTail, readJson, trimRecord, type EmulatorContext } from '../support/append-helpers.ts'
import { startError, useEmulator } from '../support/emulator.ts'
import { makeClient, readAllBytes, TRANSPORTS as SDK_TRANSPORTS, useStreamHandles } from '../support/sessions.ts'
import {
  decodeReadBatch,
  expectSessionHead,
  openExchange,
  payloadOf,
  s2sReadInit,
  sseReadInit,
  terminalOf,
  TRANSPORTS,
  useH2Client,
  type H2Client,
  type Transport,
} from '../support/wire.ts'

// When a trim takes effect, as in s2-lite: the trim point is recorded when the trim is appended,
// and background work deletes the records `trimDelayMs` later (s2-lite's stream-trim task runs as
// soon as the trim is durable). Until then every new read still returns them. Read sessions already
// open deliver the records they had not reached, in append order: s2-lite's followers get appended
// records from memory, never from the keys the background work deletes.

/** 2^53 - 1: the trim `resumable-stream` appends to end a generation (past any tail, so it trims itself too). */
const TRIM_ALL = Number.MAX_SAFE_INTEGER
/** `[trim(2^53-1), fence("end-<id>")]` in base64 format: how a `resumable-stream` generation ends. */
const GENERATION_END = (id: string) => [
  trimRecord(TRIM_ALL),
  { headers: [['', b64('fence')]] as [string, string][], body: b64(`end-${id}`) },
]

interface Seen {
  readonly seqNum: number
  /** The body of a plain record; null for a command record (one header with an empty name). */
  readonly body: string | null
}
const seenOf = (seqNum: number, headers: readonly (readonly [string, string])[], body: string): Seen => ({
  seqNum,
  body: headers.length === 1 && headers[0]?.[0] === '' ? null : body,
})

type JsonRecord = { seq_num: number; headers?: [string, string][]; body?: string }
const fromBase64 = (value: string | undefined): string => Buffer.from(value ?? '', 'base64').toString('utf8')
function seenFromJson(records: readonly JsonRecord[], base64: boolean): Seen[] {
  const decode = base64 ? fromBase64 : (value: string | undefined) => value ?? ''
  return records.map((r) => seenOf(r.seq_num, (r.headers ?? []).map(([n, v]) => [decode(n), decode(v)] as const), decode(r.body)))
}
const seenFromProto = (bytes: Uint8Array): Seen[] =>
  decodeReadBatch(bytes).records.map((r) => seenOf(r.seq_num, r.headers.map((h) => [h.name, h.value] as const), r.body))
const seenFromSdk = (records: readonly ReadRecord<'bytes'>[]): Seen[] =>
  records.map((r) => {
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')
    return seenOf(r.seqNum, r.headers.map(([n, v]) => [text(n), text(v)] as const), text(r.body))
  })

/** Every way to read a stream from seq 0 up to its tail (at most 100 records) in one new read. */
function newReads(t: EmulatorContext, h2: () => H2Client): Record<string, (basin: string, stream: string) => Promise<Seen[]>> {
  const unary = (headers: Record<string, string>, decode: (body: Buffer, text: string) => Seen[]) => async (basin: string, stream: string) => {
    const res = await readJson(t, basin, stream, 'seq_num=0&count=100', headers)
    expect(res.status, res.text).toBe(200)
    return decode(res.body, res.text)
  }
  const sse = (transport: Transport, base64: boolean) => async (basin: string, stream: string) => {
    const x = openExchange(transport, t.url, h2(), sseReadInit(basin, stream, 'seq_num=0&count=100', base64 ? BASE64 : {}))
    expectSessionHead(await x.head, 'text/event-stream')
    const seen: Seen[] = []
    for (let event = await x.nextEvent(); event !== null; event = await x.nextEvent()) {
      expect(event.event, event.raw).not.toBe('error')
      if (event.event === 'batch') seen.push(...seenFromJson((JSON.parse(event.data) as { records: JsonRecord[] }).records, base64))
    }
    return seen
  }
  const s2s = (transport: Transport) => async (basin: string, stream: string) => {
    const x = openExchange(transport, t.url, h2(), s2sReadInit(basin, stream, 'seq_num=0&count=100'))
    expectSessionHead(await x.head, 's2s/proto')
    const frames = await x.remainingFrames()
    for (const f of frames) expect(f.terminal, f.terminal ? terminalOf(f).text : '').toBe(false)
    return frames.flatMap((f) => seenFromProto(payloadOf(f)))
  }
  const sdk = (transport: SessionTransports) => async (basin: string, stream: string) => {
    const handle = makeClient(t.url).basin(basin).stream(stream, { forceTransport: transport })
    try {
      return seenFromSdk(await readAllBytes(handle, { start: { from: { seqNum: 0 } }, stop: { limits: { count: 100 } } }))
    } finally {
      await handle.close()
    }
  }
  return {
    'a unary JSON read (raw)': unary({}, (_body, text) => seenFromJson((JSON.parse(text) as { records: JsonRecord[] }).records, false)),
    'a unary JSON read (base64)': unary(BASE64, (_body, text) => seenFromJson((JSON.parse(text) as { records: JsonRecord[] }).records, true)),
    'a unary protobuf read': unary({ accept: 'application/protobuf' }, (body) => seenFromProto(body)),
    ...Object.fromEntries(
      TRANSPORTS.flatMap((transport) => [
        [`an SSE read over ${transport} (raw)`, sse(transport, false)],
        [`an SSE read over ${transport} (base64)`, sse(transport, true)],
        [`an S2S read over ${transport}`, s2s(transport)],
      ]),
    ),
    ...Object.fromEntries(SDK_TRANSPORTS.map((transport) => [`an SDK read session over ${transport}`, sdk(transport)])),
  }
}

const seqNums = (seen: readonly Seen[]): number[] => seen.map((s) => s.seqNum)

describe('a trim on a virtual clock (trimDelayMs 100, the default)', () => {
  const t = useEmulator({ clock: 'virtual' })
  const h2 = useH2Client(t)
  const reads = newReads(t, h2)

  for (const [name, read] of Object.entries(reads)) {
    it(`leaves ${name} when background work runs, 100 ms after it was appended; the tail never moves`, async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, ['a', 'b', 'c', 'd'])
      await appendJson(t, basin, stream, [trimRecord(3)], BASE64)
      expect(seqNums(await read(basin, stream))).toEqual([0, 1, 2, 3, 4])
      await t.emulator.clock.advance(99)
      expect(seqNums(await read(basin, stream))).toEqual([0, 1, 2, 3, 4])
      await t.emulator.clock.advance(1)
      expect(await read(basin, stream)).toEqual([
        { seqNum: 3, body: 'd' },
        { seqNum: 4, body: null },
      ])
      expect(await checkTail(t, basin, stream)).toMatchObject({ seq_num: 5 })
    })
  }

  it('moves reads from a timestamp or a tail offset past the trimmed records only once applied', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [
      { body: 'a', timestamp: 10 },
      { body: 'b', timestamp: 20 },
      { body: 'c', timestamp: 30 },
    ])
    await appendJson(t, basin, stream, [{ ...trimRecord(2), timestamp: 40 }], BASE64)
    const first = async (query: string) => ((await readJson(t, basin, stream, query)).json as { records: JsonRecord[] }).records[0]?.seq_num
    expect([await first('timestamp=0'), await first('tail_offset=4')]).toEqual([0, 0])
    await t.emulator.clock.advance(100)
    expect([await first('timestamp=0'), await first('tail_offset=4')]).toEqual([2, 2])
  })
})

describe('the trimDelayMs option', () => {
  const instant = useEmulator({ clock: 'virtual', trimDelayMs: 0 })
  const slow = useEmulator({ clock: 'virtual', trimDelayMs: 60_000 })

  it('0 applies a trim to new reads at once', async () => {
    const { basin, stream } = await instant.stream()
    await appendJson(instant, basin, stream, ['a', 'b'])
    await appendJson(instant, basin, stream, [trimRecord(1)], BASE64)
    const res = await readJson(instant, basin, stream, 'seq_num=0')
    expect((res.json as { records: JsonRecord[] }).records.map((r) => r.seq_num)).toEqual([1, 2])
  })

  it('60000 keeps trimmed records readable for a minute of the clock', async () => {
    const { basin, stream } = await slow.stream()
    await appendJson(slow, basin, stream, ['a', 'b'])
    await appendJson(slow, basin, stream, [trimRecord(1)], BASE64)
    await slow.emulator.clock.advance('59s')
    const before = await readJson(slow, basin, stream, 'seq_num=0')
    expect((before.json as { records: JsonRecord[] }).records.map((r) => r.seq_num)).toEqual([0, 1, 2])
    await slow.emulator.clock.advance('1s')
    const after = await readJson(slow, basin, stream, 'seq_num=0')
    expect((after.json as { records: JsonRecord[] }).records.map((r) => r.seq_num)).toEqual([1, 2])
  })

  it('is --trim-delay on the command line', () => {
    expect(parseCli(['--trim-delay', '0'], {})).toMatchObject({ kind: 'serve', options: { trimDelayMs: 0 } })
    expect(parseCli(['--trim-delay', '2500'], {})).toMatchObject({ kind: 'serve', options: { trimDelayMs: 2500 } })
    expect(() => parseCli(['--trim-delay', '-1'], {})).toThrow(UsageError)
  })

  it('must be a number of milliseconds >= 0', async () => {
    const error = await startError({ trimDelayMs: -1 })
    expect(error).toMatchObject({ code: 'S2EMU_BAD_OPTIONS', message: expect.stringContaining('trimDelayMs must be a number of milliseconds >= 0') })
  })
})

describe('a read session open when a trim is applied (trimDelayMs 0: at once)', () => {
  const t = useEmulator({ trimDelayMs: 0, heartbeatMs: 50 })
  const h2 = useH2Client(t)
  const openStream = useStreamHandles()
  afterEach(async () => {
    await t.emulator.faults.clear()
  })

  /** A live session from `from` that hands out what it delivers, until it has seen `lastSeqNum`. */
  interface Live {
    until(lastSeqNum: number): Promise<Seen[]>
    close(): Promise<void>
  }

  const sessions: Record<string, (basin: string, stream: string, from: number) => Promise<Live>> = {
    ...Object.fromEntries(
      TRANSPORTS.flatMap((transport) => [
        [
          `SSE over ${transport}`,
          async (basin: string, stream: string, from: number): Promise<Live> => {
            const x = openExchange(transport, t.url, h2(), sseReadInit(basin, stream, `seq_num=${from}`, BASE64))
            expectSessionHead(await x.head, 'text/event-stream')
            return {
              async until(last) {
                const seen: Seen[] = []
                while (seen.at(-1)?.seqNum !== last) {
                  const event = await x.nextEvent()
                  if (event === null) throw new Error('the SSE session ended')
                  expect(event.event, event.raw).not.toBe('error')
                  if (event.event === 'batch') seen.push(...seenFromJson((JSON.parse(event.data) as { records: JsonRecord[] }).records, true))
                }
                return seen
              },
              close: async () => x.abort(),
            }
          },
        ],
        [
          `S2S over ${transport}`,
          async (basin: string, stream: string, from: number): Promise<Live> => {
            const x = openExchange(transport, t.url, h2(), s2sReadInit(basin, stream, `seq_num=${from}`))
            expectSessionHead(await x.head, 's2s/proto')
            return {
              async until(last) {
                const seen: Seen[] = []
                while (seen.at(-1)?.seqNum !== last) {
                  const f = await x.nextFrame()
                  if (f === null) throw new Error('the S2S session ended')
                  expect(f.terminal, f.terminal ? terminalOf(f).text : '').toBe(false)
                  seen.push(...seenFromProto(payloadOf(f)))
                }
                return seen
              },
              close: async () => x.abort(),
            }
          },
        ],
      ]),
    ),
    ...Object.fromEntries(
      SDK_TRANSPORTS.map((transport) => [
        `the SDK over ${transport}`,
        async (basin: string, stream: string, from: number): Promise<Live> => {
          const handle = openStream(makeClient(t.url), basin, stream, transport)
          const session = await handle.readSession({ start: { from: { seqNum: from } } }, { as: 'bytes' })
          const iterator = session[Symbol.asyncIterator]()
          return {
            async until(last) {
              const seen: Seen[] = []
              while (seen.at(-1)?.seqNum !== last) {
                const next = await iterator.next()
                if (next.done) throw new Error('the SDK read session ended')
                seen.push(...seenFromSdk([next.value]))
              }
              return seen
            },
            close: async () => {
              await iterator.return?.()
            },
          }
        },
      ]),
    ),
  }

  /** Stalls the next read session of this stream for 1 s once it has sent one record: what is appended meanwhile piles up unread. */
  const stallAfterOneRecord = (stream: string) =>
    t.emulator.faults.add({ match: { stream, operation: 'read' }, action: { type: 'stall', ms: 1000, after: { records: 1 } }, times: 1 })

  for (const [name, open] of Object.entries(sessions)) {
    it(`${name}: a follower from seq 1 gets every chunk of a generation, then its trim and fence, while new reads see only the fence`, async () => {
      const { basin, stream } = await t.stream()
      await appendJson(t, basin, stream, ['start'])
      await stallAfterOneRecord(stream)
      const follower = await open(basin, stream, 1)
      await appendJson(t, basin, stream, ['chunk-0'])
      expect(await follower.until(1)).toEqual([{ seqNum: 1, body: 'chunk-0' }])
      // The rest of the generation lands while the follower is stalled, and is trimmed at once.
      for (let i = 1; i < 6; i++) await appendJson(t, basin, stream, [`chunk-${i}`])
      await appendJson(t, basin, stream, GENERATION_END('gen-1'), BASE64)
      const fresh = await readJson(t, basin, stream, 'seq_num=1')
      expect((fresh.json as { records: JsonRecord[] }).records.map((r) => r.seq_num)).toEqual([8])

      const rest = await follower.until(8)
      expect(rest).toEqual([
        ...[1, 2, 3, 4, 5].map((i) => ({ seqNum: i + 1, body: `chunk-${i}` })),
        { seqNum: 7, body: null },
        { seqNum: 8, body: null },
      ])
      await follower.close()
    })

    it(`${name}: a reader still catching up over 2500 records delivers every one after a trim of all of them`, async () => {
      const { basin, stream } = await t.stream()
      for (let b = 0; b < 3; b++) {
        const n = b < 2 ? 1000 : 500
        await appendJson(t, basin, stream, Array.from({ length: n }, (_, i) => `r${b * 1000 + i}`))
      }
      await stallAfterOneRecord(stream)
      const reader = await open(basin, stream, 0)
      expect(seqNums(await reader.until(0))).toEqual([0])
      await appendJson(t, basin, stream, GENERATION_END('gen-2'), BASE64)
      const rest = await reader.until(2501)
      expect(seqNums(rest)).toEqual(Array.from({ length: 2501 }, (_, i) => i + 1))
      expect(rest.slice(0, 2499).every((s, i) => s.body === `r${i + 1}`)).toBe(true)
      await reader.close()
    })
  }

  it('the SDK appending a generation through an append session, with a follower reading it, loses nothing', async () => {
    const { basin, stream } = await t.stream()
    const client = makeClient(t.url)
    const writer = openStream(client, basin, stream, 's2s')
    await writer.append(AppendInput.create([AppendRecord.string({ body: 'start' })]))
    const follower = await sessions['the SDK over s2s']?.(basin, stream, 1)
    if (follower === undefined) throw new Error('no SDK session opener')
    const append = await writer.appendSession()
    const tickets = []
    for (let i = 0; i < 6; i++) tickets.push(await append.submit(AppendInput.create([AppendRecord.string({ body: `chunk-${i}` })])))
    tickets.push(await append.submit(AppendInput.create([AppendRecord.trim(TRIM_ALL), AppendRecord.fence('end-gen-3')])))
    for (const ticket of tickets) await ticket.ack()
    await append.close()
    const seen = await follower.until(8)
    expect(seen.map((s) => s.body)).toEqual(['chunk-0', 'chunk-1', 'chunk-2', 'chunk-3', 'chunk-4', 'chunk-5', null, null])
    await follower.close()
  })
})

it('the README shows test/examples/readme-trim.test.ts word for word', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('../examples/readme-trim.test.ts', import.meta.url), 'utf8')
  expect(readme).toContain(`\n## Trims\n`)
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
})
