import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'
import { startCassette, type CassetteEntry, type CassetteServer } from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'
import {
  appendInputFrame,
  expectAck,
  expectBatch,
  expectFrame,
  H2Client,
  openExchange,
  s2sAppendInit,
  s2sReadInit,
  sseReadInit,
  terminalOf,
  TRANSPORTS,
  type Transport,
} from '../support/wire.ts'

/** Sessions on the wire, recorded and replayed exactly: S2S over both HTTP versions, resets, compression, SSE text. */

const tempDir = useTempDirs()
const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function upstreamWithStream(basin: string, stream: string): Promise<S2Emulator> {
  const upstream = await startS2Emulator({ port: 0 })
  cleanup.push(() => upstream.stop())
  await sdkAt(upstream.url).basins.create({ basin })
  await sdkAt(upstream.url).basin(basin).streams.create({ stream })
  return upstream
}

async function serve(options: Parameters<typeof startCassette>[0]): Promise<CassetteServer & { h2: H2Client }> {
  const server = await startCassette({ env: {}, ...options })
  const h2 = await H2Client.connect(server.url)
  cleanup.push(() => server.stop())
  cleanup.push(() => h2.destroy())
  return Object.assign(server, { h2 })
}

const entriesOf = (path: string): CassetteEntry[] => (JSON.parse(readFileSync(path, 'utf8')) as { entries: CassetteEntry[] }).entries

describe.each(TRANSPORTS)('an S2S append session over %s', (transport: Transport) => {
  const protocol = transport === 'h2' ? 'h2' : 'http/1.1'

  it('is recorded frame by frame and replayed with the same acks; input that departs from it gets a terminal miss frame', async () => {
    const path = join(tempDir(), 'append.json')
    const upstream = await upstreamWithStream('wire-append-1', 'log')
    const run = async (url: string, h2: H2Client, bodies: string[]) => {
      const x = openExchange(transport, url, h2, s2sAppendInit('wire-append-1', 'log'))
      expect((await x.head).status).toBe(200)
      await x.write(appendInputFrame(['a', 'b']))
      const first = await expectAck(x)
      await x.write(appendInputFrame(bodies))
      const second = await expectFrame(x)
      x.end()
      const rest = await x.remainingFrames()
      return { first, second, rest }
    }
    const recorder = await serve({ path, mode: 'record', upstream: upstream.url })
    const recorded = await run(recorder.url, recorder.h2, ['c'])
    await recorder.stop()
    expect(recorded.first).toMatchObject({ start: { seq_num: 0 }, end: { seq_num: 2 } })
    expect(recorded.rest).toEqual([])

    const [entry] = entriesOf(path)
    expect(entry).toMatchObject({ protocol, transport: 's2s', operation: 'append', session: { end: { kind: 'complete' } } })
    expect(entry?.session?.input?.map((f) => ('message' in f ? f.message : null))).toEqual([
      { records: [{ body: 'a' }, { body: 'b' }] },
      { records: [{ body: 'c' }] },
    ])
    expect(entry?.session?.output.map((f) => ('after' in f ? f.after : null))).toEqual([1, 2])

    const replayer = await serve({ path, mode: 'replay' })
    const replayed = await run(replayer.url, replayer.h2, ['c'])
    expect(replayed.first).toEqual(recorded.first)
    expect(replayed.second).toEqual(recorded.second)
    expect((await replayer.stop()).misses).toEqual([])

    const strict = await serve({ path, mode: 'replay' })
    const departed = await run(strict.url, strict.h2, ['not-c'])
    expect(departed.second.terminal).toBe(true)
    const terminal = terminalOf(departed.second)
    expect(terminal.status).toBe(599)
    expect(terminal.body).toMatchObject({ code: 'cassette_miss' })
    expect((terminal.body as { message: string }).message).toContain('input frame 2 differs')
    expect((await strict.stop()).misses).toMatchObject([{ reason: 'session_input', nearest: { id: entry?.id } }])
  })
})

it('records a read session the upstream reset mid-way, and replays the reset', async () => {
  const path = join(tempDir(), 'reset.json')
  const upstream = await upstreamWithStream('wire-reset-1', 'log')
  const writer = sdkAt(upstream.url).basin('wire-reset-1').stream('log')
  await writer.append(AppendInput.create(['a', 'b', 'c', 'd'].map((body) => AppendRecord.string({ body }))))
  await writer.close()
  await upstream.faults.add({ match: { operation: 'read' }, action: { type: 'truncate', after: { records: 2 }, mode: 'rst' } })
  const read = async (server: { url: string; h2: H2Client }) => {
    const x = openExchange('h2', server.url, server.h2, s2sReadInit('wire-reset-1', 'log', 'seq_num=0&count=4'))
    const batch = await expectBatch(x)
    return { bodies: batch.records.map((r) => Buffer.from(r.body).toString()), end: await x.body.finished() }
  }
  const recorder = await serve({ path, mode: 'record', upstream: upstream.url })
  expect(await read(recorder)).toEqual({ bodies: ['a', 'b'], end: 'error' })
  await recorder.stop()
  expect(entriesOf(path)[0]?.session?.end.kind).toBe('reset')

  const replayer = await serve({ path, mode: 'replay' })
  expect(await read(replayer)).toEqual({ bodies: ['a', 'b'], end: 'error' })
})

it('keeps compressed frames compressed: stored decoded with their algorithm, sent again compressed', async () => {
  const path = join(tempDir(), 'zstd.json')
  const upstream = await upstreamWithStream('wire-zstd-1', 'log')
  const big = 'z'.repeat(4096)
  const run = async (url: string) => {
    const s2 = sdkAt(url, { compression: 'zstd' })
    const log = s2.basin('wire-zstd-1').stream('log')
    const session = await log.appendSession()
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: big })]))).ack()
    await session.close()
    const read = await log.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1 } } })
    const bodies: string[] = []
    for await (const record of read) bodies.push(record.body)
    await log.close()
    return bodies
  }
  const recorder = await serve({ path, mode: 'record', upstream: upstream.url })
  expect(await run(recorder.url)).toEqual([big])
  await recorder.stop()
  const sessions = entriesOf(path).filter((e) => e.session)
  expect(sessions.map((e) => e.session?.input?.[0] ?? e.session?.output[0])).toMatchObject([
    { type: 'AppendInput', compression: 'zstd', message: { records: [{ body: big }] } },
    { type: 'ReadBatch', compression: 'zstd', message: { records: [{ seq_num: 0, body: big }] } },
  ])
  const replayer = await serve({ path, mode: 'replay' })
  expect(await run(replayer.url)).toEqual([big])
  expect((await replayer.stop()).misses).toEqual([])
})

it('replays an SSE read session byte for byte', async () => {
  const path = join(tempDir(), 'sse.json')
  const upstream = await upstreamWithStream('wire-sse-1', 'log')
  const writer = sdkAt(upstream.url).basin('wire-sse-1').stream('log')
  await writer.append(AppendInput.create(['a', 'é', '{"json":true}'].map((body) => AppendRecord.string({ body }))))
  await writer.close()
  const read = async (server: { url: string; h2: H2Client }) => {
    const x = openExchange('http1', server.url, server.h2, sseReadInit('wire-sse-1', 'log', 'seq_num=0&count=3'))
    return { head: await x.head, text: await x.text() }
  }
  const recorder = await serve({ path, mode: 'record', upstream: upstream.url })
  const recorded = await read(recorder)
  await recorder.stop()
  expect(recorded.text).toMatch(/^event: batch\nid: 2,3,\d+\ndata: \{"records":\[/)
  expect(recorded.text.endsWith('data: [DONE]\n\n')).toBe(true)
  expect(entriesOf(path)[0]?.session?.output).toMatchObject([
    { event: 'batch', id: expect.stringMatching(/^2,3,/), data: { records: [{ body: 'a' }, { body: 'é' }, { body: '{"json":true}' }] } },
    { text: '[DONE]' },
  ])

  const replayer = await serve({ path, mode: 'replay' })
  const replayed = await read(replayer)
  expect(replayed.text).toBe(recorded.text)
  expect(replayed.head.headers['content-type']).toBe('text/event-stream')
})
