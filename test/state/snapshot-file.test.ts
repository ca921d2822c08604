import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { gunzipSync, gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { S2EmulatorError, startS2Emulator, type S2Emulator, type S2EmulatorOptions } from '../../src/index.ts'
import { raw, startError, useStartedEmulators } from '../support/emulator.ts'
import { killAll, spawnProcess, started as cliStarted, until, type Spawned } from '../support/process.ts'
import { binary, DEL, KEY, ONE, richNamespace, T0, TWO } from '../support/rich-state.ts'
import {
  appendBase64,
  asToken,
  bodiesOf,
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

/**
 * Snapshot files (docs/snapshot-format.md): export a named snapshot to a file and import it into
 * another emulator (or another process) with every piece of state intact; download and upload the
 * bytes; corrupt, truncated and newer-format files are clear errors that change nothing; writes are
 * atomic, even when the process is killed mid-write; `--snapshot FILE` and `--persist DIR`.
 */

/**
 * Two emulators on virtual clocks at the same time answer reads of the same state identically.
 * Trims apply at once here (the state holds an applied trim point); pending ones have their own test.
 */
const VIRTUAL: S2EmulatorOptions = { clock: 'virtual', startTime: T0, deletionDelayMs: 600_000, trimDelayMs: 0 }

let dir = ''
const startEmulator = useStartedEmulators()

/** Emulators here may read and write snapshot files by path anywhere under the system's temporary directory. */
async function start(options: S2EmulatorOptions = {}): Promise<{ emulator: S2Emulator; raw: RawFn }> {
  const emulator = await startEmulator({ snapshotDir: tmpdir(), ...options })
  return { emulator, raw: (method, path, init) => raw(emulator.url, method, path, init) }
}

async function tempDir(): Promise<string> {
  dir ||= await mkdtemp(join(tmpdir(), 's2emu-snapfile-'))
  return mkdtemp(join(dir, 'case-'))
}

// Registered after useStartedEmulators, so (hooks run as a stack) processes are killed before emulators stop.
afterEach(async () => {
  await killAll()
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const TENANTS = ['tenant-a', 'tenant-b'] as const

/** Fills both tenants of an isolating emulator; returns each tenant's capture. */
async function richStore(r: RawFn): Promise<Record<string, Capture>> {
  const captures: Record<string, Capture> = {}
  for (const tenant of TENANTS) await richNamespace(asToken(r, tenant), tenant)
  for (const tenant of TENANTS) captures[tenant] = await capture(asToken(r, tenant))
  return captures
}

async function capturesOf(r: RawFn): Promise<Record<string, Capture>> {
  const captures: Record<string, Capture> = {}
  for (const tenant of TENANTS) captures[tenant] = await capture(asToken(r, tenant))
  return captures
}

describe('the README', () => {
  it('shows test/examples/readme-snapshot-files.test.ts word for word, and documents the format it links to', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
    const example = await readFile(new URL('../examples/readme-snapshot-files.test.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
    const format = await readFile(new URL('../../docs/snapshot-format.md', import.meta.url), 'utf8')
    expect(format).toContain('"S2EMSNAP"')
    expect(readme).toContain('(docs/snapshot-format.md)')
  })
})

describe('export and import', () => {
  it('carries every piece of state of every namespace into a new emulator, byte for byte', async () => {
    const a = await start({ ...VIRTUAL, isolation: 'token' })
    const before = await richStore(a.raw)
    // The captures hold what this test is about, so equal captures mean something.
    const log = before['tenant-a']?.basins[ONE]?.streams['log']
    expect(JSON.parse(log?.tail.text ?? '{}')).toEqual({ tail: { seq_num: 7, timestamp: T0 + 20_000 } })
    expect(JSON.parse(log?.reads[0]?.text ?? '{}')).toMatchObject({ records: [{ seq_num: 2 }, { seq_num: 3 }, {}, {}, {}] })
    expect(JSON.parse(log?.fencing.text ?? '{}')).toEqual({ fencing_token_mismatch: 'tok-tenant-a' })
    expect(before['tenant-a']?.basins[ONE]?.streams['gone']?.listing).toMatchObject({ deleted_at: expect.any(String) })
    expect(before['tenant-a']?.basins[DEL]?.listing).toMatchObject({ state: 'deleting' })
    expect(before['tenant-a']).not.toEqual(before['tenant-b'])

    const taken = await a.emulator.snapshots.take('everything')
    const file = join(await tempDir(), 'everything.s2snap')
    const exported = await a.emulator.snapshots.export('everything', file)
    expect(exported).toEqual({ ...taken, path: file, bytes: (await stat(file)).size })
    expect((await readFile(file)).subarray(0, 8).toString('latin1')).toBe('S2EMSNAP')

    const b = await start({ ...VIRTUAL, isolation: 'token' })
    const imported = await b.emulator.snapshots.import('from-file', file, { restore: true })
    expect(imported).toEqual({ ...taken, name: 'from-file', restored: true })
    expect(await capturesOf(b.raw)).toEqual(before)

    // Idempotency keys came along: the same create replays as a noop, another token is refused.
    const tenantA = asToken(b.raw, 'tenant-a')
    const replay = await tenantA('POST', '/v1/basins', {
      headers: { 's2-request-token': 'req-basin-tenant-a' },
      body: { basin: ONE, config: { default_stream_config: { retention_policy: { age: 60 } }, create_stream_on_append: true } },
    })
    expect([replay.status, replay.headers['s2-provision-result']]).toEqual([201, 'noop'])
    const streamReplay = await tenantA('POST', '/v1/streams', {
      headers: { 's2-basin': ONE, 's2-request-token': 'req-stream-tenant-a' },
      body: { stream: 'log', config: { retention_policy: { infinite: {} }, timestamping: { mode: 'client-require', uncapped: true } } },
    })
    expect([streamReplay.status, streamReplay.headers['s2-provision-result']]).toEqual([201, 'noop'])
    const otherToken = await tenantA('POST', '/v1/basins', { headers: { 's2-request-token': 'req-basin-tenant-b' }, body: { basin: ONE } })
    expectErrorBody(otherToken, 409, 'resource_already_exists')

    // The key ids of encrypted records came along: the right key reads them, another key cannot.
    const sealed = await tenantA('GET', records('secret', 'seq_num=0&wait=0'), { headers: { 's2-basin': TWO, 's2-encryption-key': KEY } })
    expect((expectStatus<{ records: { body: string }[] }>(sealed, 200)).records.map((x) => x.body)).toEqual(['tenant-a-sealed', 'enc-tok'])
    const wrong = await tenantA('GET', records('secret', 'seq_num=0&wait=0'), {
      headers: { 's2-basin': TWO, 's2-encryption-key': Buffer.alloc(32, 9).toString('base64') },
    })
    expectErrorBody(wrong, 400, 'decryption_failed')

    // Expiry times and pending purges came along: both emulators age the same way.
    for (const by of ['61s', '10m']) {
      await a.emulator.clock.advance(by)
      await b.emulator.clock.advance(by)
      expect(await capturesOf(b.raw)).toEqual(await capturesOf(a.raw))
    }
    expect(await bodiesOf(tenantA, ONE, 'expiring')).toEqual([])
    const later = await capture(tenantA)
    expect(Object.keys(later.basins).sort()).toEqual([ONE, TWO])
    expect(Object.keys(later.basins[ONE]?.streams ?? {}).sort()).toEqual(['expiring', 'log'])
  })

  it('keeps an imported snapshot aside until it is restored', async () => {
    const a = await start(VIRTUAL)
    await richNamespace(a.raw, 'aside')
    const before = await capture(a.raw)
    await a.emulator.snapshots.take('aside')
    const file = join(await tempDir(), 'aside.s2snap')
    await a.emulator.snapshots.export('aside', file)

    const b = await start(VIRTUAL)
    await createBasin(b.raw, 'snapfile-own-basin')
    const own = await capture(b.raw)
    const imported = await b.emulator.snapshots.import('aside', file)
    expect(imported).toMatchObject({ name: 'aside', restored: false, basins: 3, streams: 5 })
    expect(await capture(b.raw)).toEqual(own)
    expect((await b.emulator.snapshots.list()).map((s) => s.name)).toEqual(['aside'])
    await b.emulator.snapshots.restore('aside')
    expect(await capture(b.raw)).toEqual(before)
  })

  it('keeps a pending trim: the new emulator applies it when it falls due, as the old one does', async () => {
    const options = { ...VIRTUAL, trimDelayMs: 5000 }
    const a = await start(options)
    await createBasin(a.raw, 'snapfile-trim')
    await createStream(a.raw, 'snapfile-trim', 's')
    await appendBase64(a.raw, 'snapfile-trim', 's', [{ body: 'a' }, { body: 'b' }, { body: 'c' }])
    await appendBase64(a.raw, 'snapfile-trim', 's', [trimCommand(2)])
    await a.emulator.snapshots.take('pending')
    const file = join(await tempDir(), 'pending.s2snap')
    await a.emulator.snapshots.export('pending', file)

    const b = await start(options)
    await b.emulator.snapshots.import('pending', file, { restore: true })
    for (const emulator of [a, b]) expect(await bodiesOf(emulator.raw, 'snapfile-trim', 's')).toHaveLength(4)
    await a.emulator.clock.advance(4999)
    await b.emulator.clock.advance(4999)
    expect(await bodiesOf(b.raw, 'snapfile-trim', 's')).toHaveLength(4)
    await a.emulator.clock.advance(1)
    await b.emulator.clock.advance(1)
    for (const emulator of [a, b]) expect((await bodiesOf(emulator.raw, 'snapfile-trim', 's'))[0]).toBe('c')
    expect(await capture(b.raw)).toEqual(await capture(a.raw))
  })

  it('loads a file written before pending trims were kept (no pendingTrims in its STREAM frames)', async () => {
    const a = await start(VIRTUAL)
    await richNamespace(a.raw, 'older')
    const before = await capture(a.raw)
    await a.emulator.snapshots.take('older')
    const file = join(await tempDir(), 'older.s2snap')
    await a.emulator.snapshots.export('older', file)
    // Rewrite every STREAM frame (type 0x04) without the field, as an older emulator wrote them.
    const bytes = await readFile(file)
    const frames = gunzipSync(bytes.subarray(16))
    const rewritten: Buffer[] = []
    let stripped = 0
    for (let at = 0; at < frames.length; ) {
      const type = frames.readUInt8(at)
      const length = frames.readUInt32BE(at + 1)
      let payload = frames.subarray(at + 5, at + 5 + length)
      if (type === 0x04) {
        const stream = JSON.parse(payload.toString('utf8')) as Record<string, unknown>
        expect(stream).toHaveProperty('pendingTrims')
        delete stream['pendingTrims']
        stripped++
        payload = Buffer.from(JSON.stringify(stream), 'utf8')
      }
      const head = Buffer.alloc(5)
      head.writeUInt8(type, 0)
      head.writeUInt32BE(payload.length, 1)
      rewritten.push(head, payload)
      at += 5 + length
    }
    expect(stripped).toBe(5)
    await writeFile(file, Buffer.concat([bytes.subarray(0, 16), gzipSync(Buffer.concat(rewritten))]))

    const b = await start(VIRTUAL)
    await b.emulator.snapshots.import('older', file, { restore: true })
    expect(await capture(b.raw)).toEqual(before)
  })

  it('imports a snapshot of one namespace into that namespace only, or into another namespace', async () => {
    const a = await start({ ...VIRTUAL, isolation: 'token' })
    const before = await richStore(a.raw)
    await a.emulator.namespace('tenant-a').snapshots.take('only-a')
    const file = join(await tempDir(), 'only-a.s2snap')
    await a.emulator.namespace('tenant-a').snapshots.export('only-a', file)

    const b = await start({ ...VIRTUAL, isolation: 'token' })
    const tenantB = asToken(b.raw, 'tenant-b')
    await createBasin(tenantB, 'snapfile-b-only')
    const ownB = await capture(tenantB)
    const tenantA = b.emulator.namespace('tenant-a')
    expect(await tenantA.snapshots.import('only-a', file, { restore: true })).toMatchObject({ namespace: tenantA.name, restored: true })
    expect(await capture(asToken(b.raw, 'tenant-a'))).toEqual(before['tenant-a'])
    expect(await capture(tenantB)).toEqual(ownB)

    // A fixture saved from one namespace loads into any other (a fresh one per test, say).
    const fresh = await b.emulator.createNamespace()
    expect(await fresh.snapshots.import('fixture', file, { restore: true })).toMatchObject({ namespace: fresh.name, restored: true })
    expect(await capture(asToken(b.raw, fresh.token))).toEqual(before['tenant-a'])
    // A file of several namespaces does not fit in one.
    await a.emulator.snapshots.take('both')
    const both = join(await tempDir(), 'both.s2snap')
    await a.emulator.snapshots.export('both', both)
    await expect(fresh.snapshots.import('both', both)).rejects.toThrow(/holds 2 namespaces; a namespace can load a snapshot of one namespace only/)
    expect((await fresh.snapshots.list()).map((x) => x.name)).toEqual(['fixture'])
  })

  it('downloads the bytes of a snapshot and uploads them into another emulator', async () => {
    const a = await start({ ...VIRTUAL, isolation: 'token' })
    const before = await richStore(a.raw)
    const taken = await a.emulator.snapshots.take('wire')
    const res = await a.raw('GET', '/_emulator/snapshots/wire/file')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/octet-stream')
    expect(res.headers['content-disposition']).toBe('attachment; filename="wire.s2snap"')
    const bytes = await a.emulator.snapshots.download('wire')
    expect(Buffer.from(bytes).subarray(0, 8).toString('latin1')).toBe('S2EMSNAP')
    // Deterministic: the same snapshot gives the same bytes, whether downloaded or exported.
    expect(Buffer.from(bytes).equals(res.body)).toBe(true)
    const file = join(await tempDir(), 'wire.s2snap')
    await a.emulator.snapshots.export('wire', file)
    expect(Buffer.from(bytes).equals(await readFile(file))).toBe(true)

    const b = await start({ ...VIRTUAL, isolation: 'token' })
    expect(await b.emulator.snapshots.upload('up', bytes)).toEqual({ ...taken, name: 'up', restored: false })
    expect(await b.emulator.namespaces()).toEqual([])
    const put = await b.raw('PUT', '/_emulator/snapshots/up2/file?restore=true', { body: bytes })
    expect(expectStatus(put, 201)).toEqual({ ...taken, name: 'up2', restored: true })
    expect(await capturesOf(b.raw)).toEqual(before)
  })

  it('answers 404 for an unknown snapshot, 400 for missing fields, and 400 snapshot_file_io for paths it cannot use', async () => {
    const a = await start()
    await createBasin(a.raw, 'snapfile-errors')
    await a.emulator.snapshots.take('there')
    const base = await tempDir()
    expectErrorBody(await a.raw('POST', '/_emulator/snapshots/nope/export', { body: { path: join(base, 'x') } }), 404, 'snapshot_not_found')
    expectErrorBody(await a.raw('GET', '/_emulator/snapshots/nope/file'), 404, 'snapshot_not_found')
    expect(expectErrorBody(await a.raw('POST', '/_emulator/snapshots/there/export', { body: {} }), 400, 'bad_json').message).toMatch(/^path: required/)
    expect(expectErrorBody(await a.raw('POST', '/_emulator/snapshots/import', { body: { path: 'x' } }), 400, 'bad_json').message).toMatch(/^name: required/)
    expect(expectErrorBody(await a.raw('POST', '/_emulator/snapshots/import', { body: { name: 'x' } }), 400, 'bad_json').message).toMatch(/^path: required/)
    expectErrorBody(await a.raw('POST', '/_emulator/snapshots/import', { body: { name: 'bad name!', path: 'x' } }), 400, 'bad_json')
    expectErrorBody(await a.raw('POST', '/_emulator/snapshots/import', { body: { name: 'x', path: 'x', restore: 'yes' } }), 400, 'bad_json')

    const noDir = join(base, 'missing-dir', 'file.s2snap')
    const write = expectErrorBody(await a.raw('POST', '/_emulator/snapshots/there/export', { body: { path: noDir } }), 400, 'snapshot_file_io')
    expect(write.message).toContain(noDir)
    const missing = join(base, 'missing.s2snap')
    const read = expectErrorBody(await a.raw('POST', '/_emulator/snapshots/import', { body: { name: 'x', path: missing } }), 400, 'snapshot_file_io')
    expect(read.message).toContain(missing)
    expect(read.message).toContain('ENOENT')
    expect((await a.emulator.snapshots.list()).map((s) => s.name)).toEqual(['there'])
    // The client reads and writes files where it runs, and names the file it cannot use.
    await expect(a.emulator.snapshots.import('x', missing)).rejects.toThrow(`cannot read the snapshot file ${missing}`)
    await expect(a.emulator.snapshots.export('there', noDir)).rejects.toThrow(`cannot write the snapshot file ${noDir}`)
  })

  it('keeps files by path inside the snapshot directory, and off without one', async () => {
    const base = await tempDir()
    const confined = await start({ snapshotDir: base })
    await confined.emulator.snapshots.take('there')
    expectStatus(await confined.raw('POST', '/_emulator/snapshots/there/export', { body: { path: 'inside.s2snap' } }), 200)
    expect((await stat(join(base, 'inside.s2snap'))).size).toBeGreaterThan(0)
    for (const path of ['../outside.s2snap', '/etc/passwd', join(base, '..', 'x.s2snap'), '.', '/']) {
      const res = await confined.raw('POST', '/_emulator/snapshots/there/export', { body: { path } })
      expect(expectErrorBody(res, 400, 'bad_json').message).toMatch(/^path: must name a file inside the snapshot directory/)
      const imported = await confined.raw('POST', '/_emulator/snapshots/import', { body: { name: 'x', path } })
      expect(expectErrorBody(imported, 400, 'bad_json').message).toMatch(/^path: must name a file inside/)
    }
    const nul = await confined.raw('POST', '/_emulator/snapshots/there/export', { body: { path: 'a\u0000b' } })
    expect(expectErrorBody(nul, 400, 'bad_json').message).toMatch(/NUL/)

    const off = await start({ snapshotDir: undefined })
    await off.emulator.snapshots.take('there')
    const refused = await off.raw('POST', '/_emulator/snapshots/there/export', { body: { path: join(base, 'no.s2snap') } })
    expect(expectErrorBody(refused, 403, 'snapshot_files_off').message).toMatch(/--snapshot-dir/)
    expectErrorBody(await off.raw('POST', '/_emulator/snapshots/import', { body: { name: 'x', path: join(base, 'inside.s2snap') } }), 403, 'snapshot_files_off')
    await expect(stat(join(base, 'no.s2snap'))).rejects.toThrow(/ENOENT/)
    expect((await off.emulator.snapshots.list()).map((x) => x.name)).toEqual(['there'])
    // The client's export and import still work: they move the bytes.
    await off.emulator.snapshots.export('there', join(base, 'by-client.s2snap'))
    expect(await off.emulator.snapshots.import('back', join(base, 'by-client.s2snap'))).toMatchObject({ name: 'back' })
  })
})

describe('damaged files', () => {
  /** A small exported state and its file's bytes. */
  async function smallFile(): Promise<{ bytes: Buffer; path: string }> {
    const a = await start(VIRTUAL)
    await createBasin(a.raw, 'snapfile-small')
    await createStream(a.raw, 'snapfile-small', 's')
    await appendBase64(a.raw, 'snapfile-small', 's', [{ body: 'one', headers: [['k', 'v']] }, { body: binary(2) }])
    await a.emulator.snapshots.take('small')
    const path = join(await tempDir(), 'small.s2snap')
    await a.emulator.snapshots.export('small', path)
    return { bytes: await readFile(path), path }
  }

  /** An emulator with state and a snapshot of its own, to show a failed import changes nothing. */
  async function target() {
    const b = await start(VIRTUAL)
    await createBasin(b.raw, 'snapfile-target')
    await createStream(b.raw, 'snapfile-target', 't')
    await appendBase64(b.raw, 'snapfile-target', 't', [{ body: 'mine' }])
    await b.emulator.snapshots.take('kept')
    const state = await capture(b.raw)
    const unchanged = async (): Promise<void> => {
      expect(await capture(b.raw)).toEqual(state)
      expect((await b.emulator.snapshots.list()).map((s) => s.name)).toEqual(['kept'])
    }
    return { ...b, unchanged }
  }

  it('rejects every single flipped byte with 400 snapshot_file_invalid, and nothing changes', async () => {
    const { bytes } = await smallFile()
    const b = await target()
    const messages = new Set<string>()
    for (let i = 0; i < bytes.length; i++) {
      // Bytes 20-25 are the gzip header's mtime, flags and OS fields, which carry no data.
      if (i >= 20 && i <= 25) continue
      const damaged = Buffer.from(bytes)
      damaged[i] = (damaged[i] as number) ^ 0xff
      const res = await b.raw('PUT', '/_emulator/snapshots/damaged/file?restore=true', { body: damaged })
      const message = expectErrorBody(res, 400, 'snapshot_file_invalid').message
      expect(message).toMatch(/^the uploaded snapshot: /)
      messages.add(message)
    }
    const all = [...messages].join('\n')
    expect(all).toContain('not an s2-emulator snapshot file: it does not start with "S2EMSNAP"')
    expect(all).toContain('is newer than this emulator reads')
    expect(all).toContain('corrupt snapshot file: the compressed data is damaged')
    await b.unchanged()
  })

  it('rejects a truncated file, wherever it is cut, with a message saying so', async () => {
    const { bytes } = await smallFile()
    const b = await target()
    const dirname = await tempDir()
    for (const length of [0, 5, 8, 15, 16, 20, 40, Math.floor(bytes.length / 2), bytes.length - 4, bytes.length - 1]) {
      const path = join(dirname, `cut-${length}.s2snap`)
      await writeFile(path, bytes.subarray(0, length))
      const res = await b.raw('POST', '/_emulator/snapshots/import', { body: { name: 'cut', path, restore: true } })
      const message = expectErrorBody(res, 400, 'snapshot_file_invalid').message
      expect(message.startsWith(`${path}: `), message).toBe(true)
      expect(message, `cut at ${length}`).toMatch(length < 8 ? /not an s2-emulator snapshot file/ : /truncated/)
    }
    await b.unchanged()
  })

  it('rejects a file of a newer format version, naming both versions, at import and at start', async () => {
    const { bytes } = await smallFile()
    const newer = Buffer.from(bytes)
    newer.writeUInt32BE(99, 8)
    const path = join(await tempDir(), 'v99.s2snap')
    await writeFile(path, newer)
    const b = await target()
    const res = await b.raw('POST', '/_emulator/snapshots/import', { body: { name: 'v99', path, restore: true } })
    const message = expectErrorBody(res, 400, 'snapshot_file_invalid').message
    expect(message).toBe(`${path}: snapshot file format version 99 is newer than this emulator reads (version 1): upgrade s2-emulator to load it`)
    await b.unchanged()

    const failure = await startError({ port: 0, snapshotFile: path })
    expect(failure).toBeInstanceOf(S2EmulatorError)
    expect((failure as S2EmulatorError).code).toBe('S2EMU_BAD_SNAPSHOT_FILE')
    expect((failure as S2EmulatorError).message).toContain('format version 99 is newer than this emulator reads (version 1)')
  })

  it('rejects a file that is not a snapshot, and an empty upload', async () => {
    const b = await target()
    const notOurs = await b.raw('PUT', '/_emulator/snapshots/x/file', { body: '{"basins": []}' })
    expect(expectErrorBody(notOurs, 400, 'snapshot_file_invalid').message).toBe(
      'the uploaded snapshot: not an s2-emulator snapshot file: it does not start with "S2EMSNAP"',
    )
    expectErrorBody(await b.raw('PUT', '/_emulator/snapshots/x/file'), 400, 'snapshot_file_invalid')
    expectErrorBody(await b.raw('PUT', '/_emulator/snapshots/x/file?restore=maybe', { body: 'x' }), 400, 'bad_query')
    await b.unchanged()
  })
})

describe('options', () => {
  it('snapshotFile starts an emulator with the state of the file', async () => {
    const a = await start({ ...VIRTUAL, isolation: 'token' })
    const before = await richStore(a.raw)
    await a.emulator.snapshots.take('seed')
    const file = join(await tempDir(), 'seed.s2snap')
    await a.emulator.snapshots.export('seed', file)
    const b = await start({ ...VIRTUAL, isolation: 'token', snapshotFile: file })
    expect(await capturesOf(b.raw)).toEqual(before)
  })

  it('persistDir keeps the state across stop and start, and a snapshot file seeds only an empty directory', async () => {
    const base = await tempDir()
    const persistDir = join(base, 'state')
    const seedState = await start(VIRTUAL)
    await createBasin(seedState.raw, 'snapfile-seeded')
    await seedState.emulator.snapshots.take('seed')
    const seedFile = join(base, 'seed.s2snap')
    await seedState.emulator.snapshots.export('seed', seedFile)

    const first = await start({ ...VIRTUAL, persistDir, snapshotFile: seedFile })
    expect(Object.keys((await capture(first.raw)).basins)).toEqual(['snapfile-seeded'])
    await richNamespace(first.raw, 'persisted')
    const ack = await appendBase64(first.raw, ONE, 'log', [{ body: 'last acknowledged', timestamp: T0 + 30_000 }], { fencing_token: 'tok-persisted' })
    const before = await capture(first.raw)
    await first.emulator.stop()
    expect((await readdir(persistDir)).filter((n) => n.startsWith('.'))).toEqual([])

    const second = await start({ ...VIRTUAL, persistDir, snapshotFile: seedFile })
    expect(await capture(second.raw)).toEqual(before)
    expect(await tailOf(second.raw, ONE, 'log')).toEqual({ seq_num: ack.end.seq_num, timestamp: T0 + 30_000 })
    await expect(startS2Emulator({ persistDir: '' })).rejects.toThrow(/persistDir must be a non-empty path/)
  })
})

// ---- the command line, and crashes ----

/** The CLI on a free port, keeping deleted basins and streams listed for 10 minutes (so states compare exactly). */
const cli = (...args: string[]): Spawned =>
  spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--deletion-delay', '600000', '--trim-delay', '0', '--snapshot-dir', tmpdir(), ...args])

async function started(p: Spawned): Promise<{ url: string; raw: RawFn }> {
  const { url } = await cliStarted(p)
  return { url, raw: (method, path, init) => raw(url, method, path, init) }
}

async function stopWith(p: Spawned, signal: NodeJS.Signals): Promise<void> {
  p.child.kill(signal)
  expect(await p.exited).toEqual({ code: 0, signal: null })
}

/** Appends `megabytes` records of 1 MB of random (incompressible) bytes, so writing a snapshot takes a while. */
async function bulk(r: RawFn, basin: string, megabytes: number): Promise<void> {
  await createStream(r, basin, 'bulk')
  for (let i = 0; i < megabytes; i++) await appendBase64(r, basin, 'bulk', [{ body: randomBytes(1_000_000) }])
}

/** Waits until a temporary file of an atomic write to `target` exists with some bytes in it. */
async function writing(target: string): Promise<string> {
  const folder = join(target, '..')
  const name = target.slice(folder.length + 1)
  const pattern = new RegExp(`^\\.${name.replace(/\./g, '\\.')}\\.\\d+\\.[0-9a-f]+\\.tmp$`)
  let found = ''
  await until(async () => {
    for (const entry of await readdir(folder)) {
      if (pattern.test(entry) && (await stat(join(folder, entry)).catch(() => null))?.size) found = join(folder, entry)
    }
    return found !== ''
  })
  return found
}

describe('the command line', () => {
  it('--help documents --snapshot and --persist', async () => {
    const p = spawnProcess(process.execPath, ['src/cli.ts', '--help'])
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(p.stdout()).toMatch(/--snapshot <file> +start with the state of a snapshot file/)
    expect(p.stdout()).toMatch(/--persist <dir> +keep the state on disk across restarts/)
  })

  it('--persist DIR keeps records, tails and tokens across a SIGTERM and a restart, losing no acknowledged append', { timeout: 60_000 }, async () => {
    const persistDir = join(await tempDir(), 'data')
    const first = cli('--persist', persistDir)
    const one = await started(first)
    expect(first.stdout()).toContain(`persisting state in ${join(persistDir, 'state.s2snap')}`)
    await richNamespace(one.raw, 'cli')
    const ack = await appendBase64(one.raw, ONE, 'log', [{ body: 'acked just before SIGTERM', timestamp: T0 }], { fencing_token: 'tok-cli' })
    await stopWith(first, 'SIGTERM')
    expect(first.stdout()).toContain(`state saved to ${join(persistDir, 'state.s2snap')}`)

    const second = cli('--persist', persistDir)
    const two = await started(second)
    expect(await tailOf(two.raw, ONE, 'log')).toMatchObject({ seq_num: ack.end.seq_num })
    const log = (await capture(two.raw)).basins[ONE]?.streams['log']
    expect(JSON.parse(log?.fencing.text ?? '{}')).toEqual({ fencing_token_mismatch: 'tok-cli' })
    const bodies = await bodiesOf(two.raw, ONE, 'log')
    expect(bodies.at(-1)).toBe('acked just before SIGTERM')
    // And with SIGINT too, the second process's state is kept for a third.
    const state = await capture(two.raw)
    await stopWith(second, 'SIGINT')
    const third = cli('--persist', persistDir)
    const three = await started(third)
    expect(await capture(three.raw)).toEqual(state)
  })

  it('--snapshot FILE starts with the state of the file; export, a new process and import give the same', { timeout: 60_000 }, async () => {
    const base = await tempDir()
    const first = cli()
    const one = await started(first)
    await richNamespace(one.raw, 'cli-snap')
    const before = await capture(one.raw)
    expectStatus(await one.raw('POST', '/_emulator/snapshots', { body: { name: 'exported' } }), 201)
    const file = join(base, 'exported.s2snap')
    expectStatus(await one.raw('POST', '/_emulator/snapshots/exported/export', { body: { path: file } }), 200)
    await stopWith(first, 'SIGTERM')

    const second = cli('--snapshot', file)
    const two = await started(second)
    expect(second.stdout()).toContain(`started from snapshot file ${file}`)
    expect(await capture(two.raw)).toEqual(before)

    const third = cli()
    const three = await started(third)
    expectStatus(await three.raw('POST', '/_emulator/snapshots/import', { body: { name: 'again', path: file, restore: true } }), 201)
    expect(await capture(three.raw)).toEqual(before)
  })

  it('--snapshot with a damaged file exits 1 with a message naming the file, serving nothing', async () => {
    const path = join(await tempDir(), 'junk.s2snap')
    await writeFile(path, 'not a snapshot at all')
    const p = cli('--snapshot', path)
    expect(await p.exited).toEqual({ code: 1, signal: null })
    expect(p.stderr()).toContain(`cannot load a snapshot file: ${path}: not an s2-emulator snapshot file`)
    expect(p.stdout()).not.toContain('listening on')
  })

  it('a process killed in the middle of an export leaves the previous file at the path intact', { timeout: 60_000 }, async () => {
    const base = await tempDir()
    const file = join(base, 'target.s2snap')
    const p = cli()
    const { raw: r } = await started(p)
    await createBasin(r, 'snapfile-crash')
    await createStream(r, 'snapfile-crash', 'small')
    await appendBase64(r, 'snapfile-crash', 'small', [{ body: 'previous version' }])
    const previous = await capture(r)
    expectStatus(await r('POST', '/_emulator/snapshots', { body: { name: 'snap' } }), 201)
    expectStatus(await r('POST', '/_emulator/snapshots/snap/export', { body: { path: file } }), 200)
    const previousBytes = await readFile(file)

    await bulk(r, 'snapfile-crash', 24)
    expectStatus(await r('POST', '/_emulator/snapshots', { body: { name: 'snap' } }), 201)
    const exporting = r('POST', '/_emulator/snapshots/snap/export', { body: { path: file } }).catch(() => null)
    const temp = await writing(file)
    p.child.kill('SIGKILL')
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(await exporting).toBeNull()

    // The half-written temporary file is there (the kill did land mid-write) and is not a snapshot.
    expect((await stat(temp)).size).toBeGreaterThan(0)
    expect((await readFile(file)).equals(previousBytes)).toBe(true)
    const b = await start()
    expect(await b.emulator.snapshots.import('previous', file, { restore: true })).toMatchObject({ records: 1 })
    expect(await capture(b.raw)).toEqual(previous)
    const half = await b.raw('POST', '/_emulator/snapshots/import', { body: { name: 'half', path: temp } })
    expectErrorBody(half, 400, 'snapshot_file_invalid')
  })

  it('a process killed while --persist writes its state on SIGTERM loses nothing: the next start replays the log and cleans up', { timeout: 60_000 }, async () => {
    const persistDir = join(await tempDir(), 'data')
    const stateFile = join(persistDir, 'state.s2snap')
    const first = cli('--persist', persistDir)
    const one = await started(first)
    await createBasin(one.raw, 'snapfile-persist-crash')
    await createStream(one.raw, 'snapfile-persist-crash', 'kept')
    await appendBase64(one.raw, 'snapfile-persist-crash', 'kept', [{ body: 'saved cleanly' }])
    await stopWith(first, 'SIGTERM')

    const second = cli('--persist', persistDir)
    const two = await started(second)
    await bulk(two.raw, 'snapfile-persist-crash', 24)
    await appendBase64(two.raw, 'snapfile-persist-crash', 'kept', [{ body: 'acknowledged before the kill' }])
    const acknowledged = await tailOf(two.raw, 'snapfile-persist-crash', 'bulk')
    second.child.kill('SIGTERM')
    await writing(stateFile)
    second.child.kill('SIGKILL')
    expect(await second.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect((await readdir(persistDir)).some((n) => n.endsWith('.tmp'))).toBe(true)

    const third = cli('--persist', persistDir)
    const three = await started(third)
    expect(await tailOf(three.raw, 'snapfile-persist-crash', 'bulk')).toEqual(acknowledged)
    expect(await bodiesOf(three.raw, 'snapfile-persist-crash', 'kept')).toEqual(['saved cleanly', 'acknowledged before the kill'])
    expect((await readdir(persistDir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})
