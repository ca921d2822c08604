import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { startCassette, verifyCassette } from 's2-emulator/record-replay'
import { useTempDirs } from '../support/cassettes.ts'
import { runWorkload } from '../support/sdk-workload.ts'

const tempDir = useTempDirs()

describe('an SDK workload recorded from an upstream emulator', () => {
  it('replays with no network: the same workload gets the same results, and nothing is missed or left over', async () => {
    const path = join(tempDir(), 'workload.json')
    const upstream = await startS2Emulator({ port: 0 })
    const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
    const recorded = await runWorkload(recorder.url, 'workload')
    const recording = await recorder.stop()
    await upstream.stop()
    expect(recording).toMatchObject({ mode: 'record', saved: true, misses: [] })
    expect(recording.recorded).toBeGreaterThan(20)

    // The run really exercised what it claims to: every step answered, errors where expected.
    const byLabel = new Map(recorded)
    expect(byLabel.get('append with a stale match_seq_num (412)')).toMatchObject({ error: 'SeqNumMismatchError', status: 412, expectedSeqNum: 3 })
    expect(byLabel.get('read beyond the tail (416)')).toMatchObject({ error: 'RangeNotSatisfiableError', status: 416 })
    expect(byLabel.get('s2s: read session beyond the tail (416)')).toMatchObject({ status: 416 })
    expect(byLabel.get('fetch: read session beyond the tail (416)')).toMatchObject({ status: 416 })
    expect(byLabel.get('fetch: read session')).toHaveLength(6)
    expect(byLabel.get('delete basin')).toBe('(no value)')
    expect(recorded.filter(([, value]) => (value as { error?: string }).error !== undefined).map(([label]) => label)).toEqual([
      'create stream (exists)',
      'append with a stale match_seq_num (412)',
      'read beyond the tail (416)',
      's2s: read session beyond the tail (416)',
      'fetch: read session beyond the tail (416)',
    ])

    // The cassette holds every transport the workload used.
    const cassette = JSON.parse(readFileSync(path, 'utf8')) as { entries: { transport: string; protocol: string; operation?: string }[] }
    const kinds = new Set(cassette.entries.map((e) => `${e.operation} ${e.transport} ${e.protocol}`))
    for (const kind of ['append unary http/1.1', 'append s2s h2', 'read s2s h2', 'read sse http/1.1', 'read unary http/1.1']) {
      expect(kinds).toContain(kind)
    }

    const replayer = await startCassette({ path, mode: 'replay', env: {} })
    const replayed = await runWorkload(replayer.url, 'workload')
    const replay = await replayer.stop()
    expect(replayed).toEqual(recorded)
    expect(replay).toMatchObject({ mode: 'replay', replayed: recording.recorded, recorded: 0, misses: [], unused: [], saved: false })
  })

  it('verify finds no difference between the recording and a fresh emulator', async () => {
    const path = join(tempDir(), 'workload.json')
    const upstream = await startS2Emulator({ port: 0 })
    const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
    await runWorkload(recorder.url, 'verified')
    await recorder.stop()
    await upstream.stop()

    const report = await verifyCassette({ cassette: path })
    expect(report.exchanges.filter((x) => x.differences.length > 0)).toEqual([])
    expect(report).toMatchObject({ ok: true, differing: 0, target: 'in-process emulator' })
    expect(report.exchanges.length).toBeGreaterThan(20)
  })
})
