import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import {
  CASSETTE_FORMAT,
  CASSETTE_VERSION,
  loadCassette,
  MISS_CODE,
  MISS_STATUS,
  startCassette,
  UPSTREAM_ERROR_CODE,
  UPSTREAM_ERROR_STATUS,
} from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'
import { REPO_ROOT } from '../support/process.ts'

const tempDir = useTempDirs()
const header = { format: CASSETTE_FORMAT, recordedAt: '2026-01-01T00:00:00.000Z', redaction: { headers: [], jsonFields: [] } }

function write(name: string, content: unknown): string {
  const path = join(tempDir(), name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

describe('loading a cassette', () => {
  it('fails clearly on a cassette of a newer format version', async () => {
    await expect(loadCassette(write('new.json', { ...header, version: CASSETTE_VERSION + 1, entries: [] }))).rejects.toMatchObject({
      code: 'S2EMU_CASSETTE_VERSION',
      message: expect.stringContaining(`format version ${CASSETTE_VERSION + 1} is newer than this s2-emulator reads (up to ${CASSETTE_VERSION}); upgrade s2-emulator`),
    })
  })

  it('fails clearly on a cassette of an older format version it has no migration for', async () => {
    await expect(loadCassette(write('old.json', { ...header, version: 0, entries: [] }))).rejects.toMatchObject({
      code: 'S2EMU_CASSETTE_VERSION',
      message: expect.stringContaining('format version 0 is no longer read (this s2-emulator reads version 1); record the cassette again'),
    })
  })

  it.each([
    ['not JSON', '{"format": ', 'not JSON'],
    ['another file', { hello: 'world' }, 'not an s2-emulator cassette'],
    ['a bad entry', { ...header, version: 1, entries: [{ id: 1, start: 0, duration: 0, protocol: 'h3', transport: 'unary' }] }, 'entries[0]: "protocol" must be "http/1.1" or "h2"'],
    ['a bad body', { ...header, version: 1, entries: [{ id: 1, start: 0, duration: 0, protocol: 'h2', transport: 'unary', request: { method: 'GET', path: '/', headers: {}, body: { xml: '<a/>' } }, response: { status: 200, headers: {} } }] }, 'entries[0].request.body: a body holds one of'],
  ])('says what is wrong with %s', async (_name, content, message) => {
    await expect(loadCassette(write('bad.json', content))).rejects.toMatchObject({ code: 'S2EMU_BAD_CASSETTE', message: expect.stringContaining(message) })
  })
})

describe('a recorded cassette', () => {
  it('is JSON laid out for diffs: one exchange per entry, one frame per line; .gz compresses it and loads the same', async () => {
    const upstream = await startS2Emulator({ port: 0 })
    const dir = tempDir()
    const plain = join(dir, 'c.json')
    const packed = join(dir, 'c.json.gz')
    for (const path of [plain, packed]) {
      const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
      const s2 = sdkAt(recorder.url)
      await s2.basins.ensure({ basin: 'format-basin' })
      await s2.basin('format-basin').streams.ensure({ stream: 'log' })
      const log = s2.basin('format-basin').stream('log')
      const session = await log.appendSession()
      for (const body of ['a', 'b', 'c']) await (await session.submit(AppendInput.create([AppendRecord.string({ body })]))).ack()
      await session.close()
      await log.close()
      await recorder.stop()
    }
    await upstream.stop()

    const text = readFileSync(plain, 'utf8')
    expect(text.startsWith(`{\n  "format": "${CASSETTE_FORMAT}",\n  "version": ${CASSETTE_VERSION},\n  "recordedAt": "`)).toBe(true)
    const frameLines = text.split('\n').filter((line) => /^\s+\{"at":/.test(line))
    expect(frameLines).toHaveLength(6) // three AppendInput frames, three AppendAck frames
    for (const line of frameLines) expect(() => JSON.parse(line.trim().replace(/,$/, ''))).not.toThrow()

    const bytes = readFileSync(packed)
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b])
    expect(bytes.length).toBeLessThan(text.length / 2)
    const [fromPlain, fromPacked] = [await loadCassette(plain), await loadCassette(packed)]
    expect(fromPacked.entries.map((e) => [e.operation, e.transport, e.session?.input?.length])).toEqual(
      fromPlain.entries.map((e) => [e.operation, e.transport, e.session?.input?.length]),
    )
  })
})

describe('docs/cassette-format.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/cassette-format.md'), 'utf8')
  it('documents this format version, the miss and upstream errors, and the mode variable', () => {
    expect(doc).toContain(`# s2-emulator cassettes (format version ${CASSETTE_VERSION})`)
    for (const text of [`${MISS_STATUS}`, MISS_CODE, `${UPSTREAM_ERROR_STATUS}`, UPSTREAM_ERROR_CODE, 'S2_EMULATOR_CASSETTE_MODE']) expect(doc).toContain(text)
    for (const code of ['S2EMU_BAD_CASSETTE', 'S2EMU_CASSETTE_VERSION', 'S2EMU_CASSETTE_NOT_FOUND']) expect(doc).toContain(`\`${code}\``)
  })
})
