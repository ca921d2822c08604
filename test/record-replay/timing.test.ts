import { AppendInput, AppendRecord, type S2 } from '@s2-dev/streamstore'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { startCassette, type CassetteEntry, type ReplayTiming } from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'

const tempDir = useTempDirs()
const GAP_MS = 150
/** Timers never fire early, but the client's own reading adds a little noise either way. */
const NOISE_MS = 10

/**
 * A reader follows a stream while a writer appends three records GAP_MS apart; returns when the
 * reader received each record (ms since the first).
 */
async function followWhileWriting(s2: S2, basin: string, transport: 's2s' | 'fetch'): Promise<number[]> {
  const reader = s2.basin(basin).stream('ticks', { forceTransport: transport })
  const writer = s2.basin(basin).stream('ticks', { forceTransport: 'fetch' })
  const session = await reader.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 3 }, waitSecs: 10 } })
  const writing = (async () => {
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(GAP_MS)
      await writer.append(AppendInput.create([AppendRecord.string({ body: `tick-${i}` })]))
    }
  })()
  const arrivals: number[] = []
  const bodies: string[] = []
  for await (const record of session) {
    arrivals.push(performance.now())
    bodies.push(record.body)
  }
  await writing
  await reader.close()
  await writer.close()
  expect(bodies).toEqual(['tick-0', 'tick-1', 'tick-2'])
  return arrivals.map((t) => t - (arrivals[0] as number))
}

/** When each record reached the recorder, by the cassette's read session (ms since the first). */
function recordedArrivals(path: string): number[] {
  const cassette = JSON.parse(readFileSync(path, 'utf8')) as { entries: CassetteEntry[] }
  const read = cassette.entries.find((e) => e.operation === 'read' && e.session !== undefined)
  const times: number[] = []
  for (const item of read?.session?.output ?? []) {
    const batch = 'type' in item ? (item.type === 'ReadBatch' ? item.message : null) : item.event === 'batch' ? item.data : null
    const records = (batch as { records?: unknown[] } | null)?.records ?? []
    for (const _ of records) times.push(item.at)
  }
  return times.map((t) => t - (times[0] as number))
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number))

describe.each(['s2s', 'fetch'] as const)('replaying a live read session (%s)', (transport) => {
  it('reproduces the recorded gaps between records with recorded timing, and scaled ones with a factor', async () => {
    const path = join(tempDir(), 'ticks.json')
    const upstream = await startS2Emulator({ port: 0 })
    const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
    const s2 = sdkAt(recorder.url)
    await s2.basins.create({ basin: `ticks-${transport}` })
    await s2.basin(`ticks-${transport}`).streams.create({ stream: 'ticks' })
    await followWhileWriting(s2, `ticks-${transport}`, transport)
    await recorder.stop()
    await upstream.stop()

    const recorded = gaps(recordedArrivals(path))
    expect(recorded).toHaveLength(2)
    // The writer paused between appends, so the records reached the recorder well apart (how far
    // exactly depends on when the first one was delivered).
    for (const gap of recorded) expect(gap).toBeGreaterThanOrEqual(GAP_MS / 2)

    const replayWith = async (timing: ReplayTiming): Promise<number[]> => {
      const replayer = await startCassette({ path, mode: 'replay', timing, env: {} })
      const client = sdkAt(replayer.url)
      await client.basins.create({ basin: `ticks-${transport}` })
      await client.basin(`ticks-${transport}`).streams.create({ stream: 'ticks' })
      const arrivals = await followWhileWriting(client, `ticks-${transport}`, transport)
      expect((await replayer.stop()).misses).toEqual([])
      return gaps(arrivals)
    }
    const atRecordedPace = await replayWith('recorded')
    recorded.forEach((gap, i) => expect(atRecordedPace[i]).toBeGreaterThanOrEqual(gap - NOISE_MS))
    const atHalfPace = await replayWith(0.5)
    recorded.forEach((gap, i) => expect(atHalfPace[i]).toBeGreaterThanOrEqual(gap / 2 - NOISE_MS))
    await replayWith('fast') // the same records, with no pacing asserted
  })
})
