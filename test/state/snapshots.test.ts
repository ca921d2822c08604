import { describe, expect, it } from 'vitest'
import { namespaceName, type SnapshotInfo } from 's2-emulator'
import { fenceRecord } from '../support/append-helpers.ts'
import { basinName, useEmulator } from '../support/emulator.ts'
import {
  appendBase64,
  asToken,
  capture,
  createBasin,
  createStream,
  expectErrorBody,
  expectStatus,
  records,
  tailOf,
  trimCommand,
  type Capture,
  type RawFn,
} from '../support/state.ts'
import { decodeReadBatch, H2Client, payloadOf, terminalOf, waitForOpenSessions } from '../support/wire.ts'

/**
 * Named in-memory snapshots (`emulator.snapshots`, `/_emulator/snapshots`): take one, change
 * anything, restore it, and every read answers byte for byte what it answered when it was taken:
 * records (base64), tails, configs, fencing tokens, trim points, deletion states, basin lists.
 */

/** Bytes that are not valid UTF-8, so only a byte-exact copy reads back the same. */
const binary = (n: number): Uint8Array => Uint8Array.from([0xff, 0xfe, 0x00, n & 0xff, 0x80])

/**
 * Builds a state with every kind of thing a snapshot must keep: records with headers and binary
 * bodies, a trim point, a fencing token, a reconfigured stream and basin, a stream pending deletion,
 * an empty stream. Returns the basin names.
 */
async function richState(raw: RawFn): Promise<{ a: string; b: string }> {
  const a = basinName('snap-a')
  const b = basinName('snap-b')
  await createBasin(raw, a, { default_stream_config: { retention_policy: { age: 86_400 } } })
  await createBasin(raw, b)
  await createStream(raw, a, 'log')
  await appendBase64(raw, a, 'log', [
    { body: 'zero', headers: [['k', 'v']] },
    { body: binary(1) },
    { body: 'two', headers: [['h1', 'x'], ['h2', '']] },
    { body: binary(3) },
    { body: '' },
  ])
  await appendBase64(raw, a, 'log', [trimCommand(2)])
  await appendBase64(raw, a, 'log', [fenceRecord('tok-1')])
  await createStream(raw, a, 'cfg', { retention_policy: { infinite: {} }, timestamping: { mode: 'arrival' } })
  await appendBase64(raw, a, 'cfg', [{ body: 'configured' }])
  expectStatus(await raw('PATCH', '/v1/streams/cfg', { headers: { 's2-basin': a }, body: { storage_class: 'standard' } }), 200)
  await createStream(raw, a, 'gone')
  await appendBase64(raw, a, 'gone', [{ body: 'deleted soon' }])
  expect((await raw('DELETE', '/v1/streams/gone', { headers: { 's2-basin': a } })).status).toBe(202)
  await createStream(raw, b, 'empty')
  expectStatus(await raw('PATCH', `/v1/basins/${b}`, { body: { create_stream_on_read: true } }), 200)
  return { a, b }
}

/** Changes every kind of thing richState made, and adds some. */
async function mutate(raw: RawFn, { a, b }: { a: string; b: string }, label: string): Promise<void> {
  await appendBase64(raw, a, 'log', [{ body: `${label}-more` }, { body: binary(9) }], { fencing_token: 'tok-1' })
  await appendBase64(raw, a, 'log', [trimCommand(6)], { fencing_token: 'tok-1' })
  await appendBase64(raw, a, 'log', [fenceRecord(`${label}-tok`)], { fencing_token: 'tok-1' })
  expectStatus(await raw('PATCH', '/v1/streams/cfg', { headers: { 's2-basin': a }, body: { retention_policy: { age: 60 } } }), 200)
  await appendBase64(raw, a, 'cfg', [{ body: `${label}-after-reconfigure` }])
  expect((await raw('DELETE', '/v1/streams/cfg', { headers: { 's2-basin': a } })).status).toBe(202)
  expectStatus(await raw('PATCH', `/v1/basins/${a}`, { body: { create_stream_on_append: true } }), 200)
  await createStream(raw, a, `${label}-new`)
  await appendBase64(raw, a, `${label}-new`, [{ body: 'new' }])
  await createBasin(raw, basinName(`${label}-c`))
  expect((await raw('DELETE', `/v1/basins/${b}`)).status).toBe(202)
}

function expectChanged(before: Capture, after: Capture): void {
  expect(after).not.toEqual(before)
}

describe('snapshots of everything', () => {
  const t = useEmulator({ deletionDelayMs: 600_000, trimDelayMs: 0 }) // trims apply at once: the state holds a trim point

  it('restores byte-identical reads, tails, configs, fencing tokens, trim points, deletion states and basin lists', async () => {
    await t.emulator.reset()
    const names = await richState(t.raw)
    const before = await capture(t.raw)
    // A sanity check of what the capture holds, so equal captures mean something.
    const log = before.basins[names.a]?.streams['log']
    expect(log?.tail.status).toBe(200)
    expect(JSON.parse(log?.tail.text ?? '{}')).toMatchObject({ tail: { seq_num: 7 } })
    expect(JSON.parse(log?.reads[0]?.text ?? '{}')).toMatchObject({ records: [{ seq_num: 2 }, { seq_num: 3 }, {}, {}, {}] })
    expect(JSON.parse(log?.fencing.text ?? '{}')).toEqual({ fencing_token_mismatch: 'tok-1' })
    const gone = before.basins[names.a]?.streams['gone']
    expect(gone?.listing).toMatchObject({ deleted_at: expect.any(String) })
    expect(gone?.config.status).toBe(409)
    expect(Object.keys(before.basins).sort()).toEqual([names.a, names.b].sort())

    const beforeTake = Date.now()
    const info = await t.emulator.snapshots.take('rich')
    expect(info).toEqual({ name: 'rich', namespace: null, takenAt: expect.any(Number), basins: 2, streams: 4, records: expect.any(Number) })
    expect(info.takenAt).toBeGreaterThanOrEqual(beforeTake)
    expect(info.takenAt).toBeLessThanOrEqual(Date.now())

    await mutate(t.raw, names, 'first')
    expectChanged(before, await capture(t.raw))

    expect(await t.emulator.snapshots.restore('rich')).toEqual(info)
    expect(await capture(t.raw)).toEqual(before)

    // Restore twice: change things again (differently), restore again, same state.
    await mutate(t.raw, names, 'second')
    expectChanged(before, await capture(t.raw))
    await t.emulator.snapshots.restore('rich')
    expect(await capture(t.raw)).toEqual(before)
  })

  it('gives back a live state: the restored fencing token guards appends and sequence numbers continue from the tail', async () => {
    await t.emulator.reset()
    const names = await richState(t.raw)
    await t.emulator.snapshots.take('live')
    await mutate(t.raw, names, 'changed')
    await t.emulator.snapshots.restore('live')

    const refused = await t.raw('POST', records('log'), {
      headers: { 's2-basin': names.a },
      body: { records: [{ body: 'x' }], fencing_token: 'changed-tok' },
    })
    expect(refused.status).toBe(412)
    expect(refused.json).toEqual({ fencing_token_mismatch: 'tok-1' })
    const ack = expectStatus<{ start: { seq_num: number } }>(
      await t.raw('POST', records('log'), { headers: { 's2-basin': names.a }, body: { records: [{ body: 'x' }], fencing_token: 'tok-1' } }),
      200,
    )
    expect(ack.start.seq_num).toBe(7)
    // The stream created after the snapshot is gone, and its name is free.
    expectErrorBody(await t.raw('GET', '/v1/streams/changed-new', { headers: { 's2-basin': names.a } }), 404, 'stream_not_found')
    await createStream(t.raw, names.a, 'changed-new')
    // The deleted stream is pending deletion again: its name is still blocked.
    expectErrorBody(
      await t.raw('POST', '/v1/streams', { headers: { 's2-basin': names.a }, body: { stream: 'gone' } }),
      409,
      'stream_deletion_pending',
    )
  })

  it('keeps a snapshot unchanged while 10,000 more records are appended to the live stream, and after restoring it', async () => {
    await t.emulator.reset()
    const basin = basinName('big')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 'big')
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ body: `record-${from + i}` }))
    await appendBase64(t.raw, basin, 'big', batch(0, 1000))
    await appendBase64(t.raw, basin, 'big', batch(1000, 500))
    const before = await capture(t.raw)

    expect((await t.emulator.snapshots.take('big')).records).toBe(1500)
    for (let i = 0; i < 10; i++) await appendBase64(t.raw, basin, 'big', batch(1500 + i * 1000, 1000))
    expect(await tailOf(t.raw, basin, 'big')).toMatchObject({ seq_num: 11_500 })
    expect((await t.emulator.snapshots.get('big')).records).toBe(1500)

    await t.emulator.snapshots.restore('big')
    expect(await tailOf(t.raw, basin, 'big')).toMatchObject({ seq_num: 1500 })
    expect(await capture(t.raw)).toEqual(before)

    // Appending to the restored stream does not reach into the snapshot either.
    await appendBase64(t.raw, basin, 'big', batch(1500, 600))
    await t.emulator.snapshots.restore('big')
    expect(await capture(t.raw)).toEqual(before)
  })

  it('ends read sessions on the streams a restore replaces with a terminal 404 naming the restore', async () => {
    await t.emulator.reset()
    const basin = basinName('watched')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 'watched')
    await appendBase64(t.raw, basin, 'watched', [{ body: 'in snapshot' }])
    await t.emulator.snapshots.take('watched')
    await appendBase64(t.raw, basin, 'watched', [{ body: 'after snapshot' }])

    const h2 = await H2Client.connect(t.url)
    try {
      const x = h2.exchange({ method: 'GET', path: records('watched', 'seq_num=0'), headers: { 's2-basin': basin, 'content-type': 's2s/proto' } })
      expect((await x.head).status).toBe(200)
      const first = await x.nextFrame()
      expect(first === null ? null : decodeReadBatch(payloadOf(first)).records.map((r) => r.body)).toEqual(['in snapshot', 'after snapshot'])
      await t.emulator.snapshots.restore('watched')
      let last = await x.nextFrame()
      while (last !== null && !last.terminal) last = await x.nextFrame()
      if (last === null) throw new Error('the session ended without a terminal frame')
      expect(terminalOf(last)).toMatchObject({
        status: 404,
        body: { code: 'stream_not_found', message: `stream \`watched\` in basin \`${basin}\` was removed by an s2-emulator reset or snapshot restore` },
      })
      expect(await waitForOpenSessions(t.url, (n) => n === 0)).toBe(0)
    } finally {
      h2.destroy()
    }
    // A new read sees the restored stream.
    const res = await t.raw('GET', records('watched', 'seq_num=0'), { headers: { 's2-basin': basin } })
    expect(expectStatus<{ records: { body: string }[] }>(res, 200).records.map((r) => r.body)).toEqual(['in snapshot'])
  })

  it('replaces a snapshot taken again under the same name', async () => {
    await t.emulator.reset()
    const basin = basinName('again')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    await appendBase64(t.raw, basin, 's', [{ body: 'one' }])
    await t.emulator.snapshots.take('same')
    await appendBase64(t.raw, basin, 's', [{ body: 'two' }])
    const second = await capture(t.raw)
    await t.emulator.snapshots.take('same')
    await appendBase64(t.raw, basin, 's', [{ body: 'three' }])
    await t.emulator.snapshots.restore('same')
    expect(await capture(t.raw)).toEqual(second)
    expect((await t.emulator.snapshots.list()).filter((s) => s.name === 'same')).toHaveLength(1)
  })
})

describe('snapshots of one namespace', () => {
  const t = useEmulator({ isolation: 'token', deletionDelayMs: 600_000, trimDelayMs: 0 })
  const alice = (): RawFn => asToken(t.raw, 'alice')
  const bob = (): RawFn => asToken(t.raw, 'bob')

  it('restoring a namespace snapshot puts that namespace back and leaves the others untouched', async () => {
    await t.emulator.reset()
    const names = await richState(alice())
    // Bob uses the same basin names.
    await createBasin(bob(), names.a)
    await createStream(bob(), names.a, 'log')
    await appendBase64(bob(), names.a, 'log', [{ body: 'bob-0' }])
    const aliceBefore = await capture(alice())

    const ns = `/_emulator/namespaces/${namespaceName('alice')}`
    const res = await t.raw('POST', `${ns}/snapshots`, { body: { name: 'alice-only' }, headers: { 's2-namespace-token': 'alice' } })
    const info = expectStatus<SnapshotInfo>(res, 201)
    expect(info).toEqual({ name: 'alice-only', namespace: namespaceName('alice'), takenAt: expect.any(Number), basins: 2, streams: 4, records: expect.any(Number) })
    // The name is the namespace's own: the emulator's snapshots do not have it.
    expectErrorBody(await t.raw('POST', '/_emulator/snapshots/alice-only/restore'), 404, 'snapshot_not_found')

    await mutate(alice(), names, 'alice')
    await appendBase64(bob(), names.a, 'log', [{ body: 'bob-1' }])
    await createBasin(bob(), basinName('bob-later'))
    const bobAfter = await capture(bob())

    const restored = await t.raw('POST', `${ns}/snapshots/alice-only/restore`)
    expect(expectStatus(restored, 200)).toEqual(info)
    expect(await capture(alice())).toEqual(aliceBefore)
    expect(await capture(bob())).toEqual(bobAfter)
  })

  it('a namespace snapshot taken before the namespace was used restores it to empty', async () => {
    await t.emulator.reset()
    await createBasin(bob(), basinName('bob-keeps'))
    const bobBefore = await capture(bob())
    const info = await t.emulator.namespace('carol').snapshots.take('carol-empty')
    expect(info).toMatchObject({ namespace: namespaceName('carol'), basins: 0, streams: 0, records: 0 })
    const carol = asToken(t.raw, 'carol')
    await richState(carol)
    await t.emulator.namespace('carol').snapshots.restore('carol-empty')
    expect(await capture(carol)).toEqual({ basins: {} })
    expect(await capture(bob())).toEqual(bobBefore)
  })

  it('a snapshot of everything holds every namespace', async () => {
    await t.emulator.reset()
    await richState(alice())
    await richState(bob())
    const before = { alice: await capture(alice()), bob: await capture(bob()) }
    const info = await t.emulator.snapshots.take('all')
    expect(info).toMatchObject({ namespace: null, basins: 4, streams: 8 })
    await t.emulator.namespace('alice').reset()
    await createBasin(bob(), basinName('extra'))
    await t.emulator.snapshots.restore('all')
    expect({ alice: await capture(alice()), bob: await capture(bob()) }).toEqual(before)
  })
})

describe('snapshots on a virtual clock', () => {
  const t = useEmulator({ clock: 'virtual', startTime: '2026-01-01T00:00:00Z', deletionDelayMs: 5000, backgroundIntervalMs: 1000 })

  it('restores a pending deletion with its purge still due at the original time', async () => {
    const basin = basinName('purge')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 'doomed')
    expect((await t.raw('DELETE', '/v1/streams/doomed', { headers: { 's2-basin': basin } })).status).toBe(202)
    const before = await capture(t.raw)
    await t.emulator.snapshots.take('pending')

    await t.emulator.clock.advance('5s')
    expectErrorBody(await t.raw('GET', '/v1/streams/doomed', { headers: { 's2-basin': basin } }), 404, 'stream_not_found')
    await t.emulator.clock.set(Date.parse('2026-01-01T00:00:01Z'))

    await t.emulator.snapshots.restore('pending')
    expect(await capture(t.raw)).toEqual(before)
    await t.emulator.clock.advance(3999)
    expectErrorBody(await t.raw('GET', '/v1/streams/doomed', { headers: { 's2-basin': basin } }), 409, 'stream_deletion_pending')
    await t.emulator.clock.advance(1)
    expectErrorBody(await t.raw('GET', '/v1/streams/doomed', { headers: { 's2-basin': basin } }), 404, 'stream_not_found')
  })

  it('keeps the records of a snapshot that the live stream trims and frees afterwards', async () => {
    const basin = basinName('trimmed')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    await appendBase64(t.raw, basin, 's', Array.from({ length: 1000 }, (_, i) => ({ body: `r${i}` })))
    await appendBase64(t.raw, basin, 's', Array.from({ length: 100 }, (_, i) => ({ body: `r${1000 + i}` })))
    const before = await capture(t.raw)
    await t.emulator.snapshots.take('untrimmed')
    await appendBase64(t.raw, basin, 's', [trimCommand(1050)])
    // Background work frees trimmed records from memory.
    await t.emulator.clock.advance('10s')
    const trimmed = await t.raw('GET', records('s', 'seq_num=0&count=1'), { headers: { 's2-basin': basin } })
    expect((trimmed.json as { records: { seq_num: number }[] }).records[0]?.seq_num).toBe(1050)

    await t.emulator.snapshots.restore('untrimmed')
    expect(await capture(t.raw)).toEqual(before)
  })
})

describe('managing snapshots', () => {
  const t = useEmulator()

  it('lists, gets and deletes snapshots; a deleted one is 404 snapshot_not_found everywhere', async () => {
    await t.emulator.reset()
    await createBasin(t.raw, basinName('m'))
    const one = await t.emulator.snapshots.take('one')
    const two = expectStatus<SnapshotInfo>(await t.raw('POST', '/_emulator/snapshots', { body: { name: 'two' } }), 201)

    const listed = expectStatus<{ snapshots: SnapshotInfo[] }>(await t.raw('GET', '/_emulator/snapshots'), 200)
    expect(listed.snapshots.filter((s) => ['one', 'two'].includes(s.name))).toEqual([one, two])
    expect(await t.emulator.snapshots.get('one')).toEqual(one)
    expect(expectStatus(await t.raw('GET', '/_emulator/snapshots/two'), 200)).toEqual(two)

    const deleted = await t.raw('DELETE', '/_emulator/snapshots/one')
    expect({ status: deleted.status, text: deleted.text }).toEqual({ status: 204, text: '' })
    const notFound = { code: 'snapshot_not_found', message: 'no snapshot named "one"' }
    for (const res of [
      await t.raw('GET', '/_emulator/snapshots/one'),
      await t.raw('POST', '/_emulator/snapshots/one/restore'),
      await t.raw('DELETE', '/_emulator/snapshots/one'),
    ]) {
      expectErrorBody(res, 404, 'snapshot_not_found')
      expect(res.json).toEqual(notFound)
    }
    expect((await t.emulator.snapshots.list()).map((s) => s.name)).not.toContain('one')
    await expect(t.emulator.snapshots.get('one')).rejects.toThrow(/snapshot_not_found/)
    await t.emulator.snapshots.delete('two')
  })

  it('accepts names of 1 to 128 letters, digits, ".", "_" and "-"', async () => {
    for (const name of ['a', 'Before-Test_1.0', 'x'.repeat(128)]) {
      const res = await t.raw('POST', '/_emulator/snapshots', { body: { name } })
      expect(expectStatus<SnapshotInfo>(res, 201).name).toBe(name)
      expect((await t.raw('GET', `/_emulator/snapshots/${name}`)).status).toBe(200)
    }
  })

  const badNames: { name: string; body: unknown; message: RegExp }[] = [
    { name: 'an empty name', body: { name: '' }, message: /^name: must be 1 to 128 characters/ },
    { name: 'a name with a space', body: { name: 'my snapshot' }, message: /^name: must be/ },
    { name: 'a name with a slash', body: { name: 'a/b' }, message: /^name: must be/ },
    { name: 'a name of 129 characters', body: { name: 'x'.repeat(129) }, message: /^name: must be/ },
    { name: 'a non-ASCII name', body: { name: 'café' }, message: /^name: must be/ },
    { name: 'no name', body: {}, message: /^name: required/ },
    { name: 'a name that is not a string', body: { name: 7 }, message: /^name: must be a string/ },
    { name: 'a namespace (taken through its own routes)', body: { name: 'ok', namespace: 'x' }, message: /^namespace: a namespace's snapshots are taken through its own routes/ },
  ]
  for (const { name, body, message } of badNames) {
    it(`rejects ${name} with 400 and takes no snapshot`, async () => {
      const before = (await t.emulator.snapshots.list()).length
      const res = await t.raw('POST', '/_emulator/snapshots', { body })
      expect(expectErrorBody(res, 400, 'bad_json').message).toMatch(message)
      expect((await t.emulator.snapshots.list()).length).toBe(before)
    })
  }
})
