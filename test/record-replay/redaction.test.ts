import { AppendInput, AppendRecord, type S2 } from '@s2-dev/streamstore'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { loadCassette, redactionRules, REDACTED, startCassette, type CassetteEntry } from 's2-emulator/record-replay'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'

const tempDir = useTempDirs()
const TOKEN = 'tok-SECRET-5f2a9c'
const KEY = randomBytes(32).toString('base64')
const TENANT = 'tenant-SECRET-77'
const FENCE = 'fence-SECRET-1'

/** Calls that carry every secret: the token on all, the key on an encrypted stream's appends and sessions, and the user's own. */
async function secretWork(url: string): Promise<unknown[]> {
  const s2: S2 = sdkAt(url, { accessToken: TOKEN })
  const out: unknown[] = []
  await s2.basins.create({ basin: 'vault-basin', config: { streamCipher: 'aegis-256' } })
  await s2.basin('vault-basin').streams.create({ stream: 'vault' })
  const vault = s2.basin('vault-basin').stream('vault', { encryptionKey: KEY })
  out.push((await vault.append(AppendInput.create([AppendRecord.string({ body: 'sealed' })]))).end.seqNum)
  const session = await vault.appendSession()
  out.push((await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'sealed-2' })]))).ack()).end.seqNum)
  await session.close()
  const read = await vault.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 2 } } })
  for await (const record of read) out.push(record.body)
  await vault.close()
  const fenced = await fetch(`${url}/v1/streams/vault/records`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      's2-basin': 'vault-basin',
      's2-encryption-key': KEY,
      'x-tenant-id': TENANT,
    },
    body: JSON.stringify({ fencing_token: FENCE, records: [{ body: 'x' }] }),
  })
  out.push(fenced.status, await fenced.json())
  return out
}

it('keeps no token, encryption key or user-named secret in the cassette, and still replays', async () => {
  const path = join(tempDir(), 'secrets.json')
  const upstream = await startS2Emulator({ port: 0 })
  const redact = { headers: ['X-Tenant-Id'], jsonFields: ['fencing_token'] }
  const recorder = await startCassette({ path, mode: 'record', upstream: upstream.url, redact, env: {} })
  const recorded = await secretWork(recorder.url)
  await recorder.stop()
  await upstream.stop()
  expect(recorded).toEqual([1, 2, 'sealed', 'sealed-2', 412, { fencing_token_mismatch: "" }])

  const text = readFileSync(path, 'utf8')
  for (const secret of [TOKEN, KEY, TENANT, FENCE]) expect(text).not.toContain(secret)
  const cassette = JSON.parse(text) as { redaction: unknown; entries: CassetteEntry[] }
  expect(cassette.redaction).toEqual({
    headers: ['authorization', 's2-encryption-key', 'x-tenant-id'],
    jsonFields: ['access_token', 'fencing_token'],
  })
  const keyed = cassette.entries.filter((e) => e.request.headers['s2-encryption-key'] !== undefined)
  expect(keyed.map((e) => e.transport).sort()).toEqual(['s2s', 's2s', 'unary', 'unary'])
  for (const e of keyed) expect(e.request.headers['s2-encryption-key']).toBe(REDACTED)
  for (const e of cassette.entries) expect(e.request.headers.authorization).toBe(REDACTED)
  expect(cassette.entries.at(-1)?.request).toMatchObject({
    headers: { 'x-tenant-id': REDACTED },
    body: { json: { fencing_token: REDACTED, records: [{ body: 'x' }] } },
  })

  // Requests are redacted the same way before they are matched, so whatever the secrets, they match.
  const replayer = await startCassette({ path, mode: 'replay', env: {} })
  expect(await secretWork(replayer.url)).toEqual(recorded)
  expect((await replayer.stop()).misses).toEqual([])
})

it('redacts again at load: secrets written into a cassette by hand or by an older recorder never reach a replay', async () => {
  const path = join(tempDir(), 'hand-made.json')
  const entry = {
    id: 1,
    start: 0,
    duration: 1,
    protocol: 'http/1.1',
    transport: 'unary',
    request: {
      method: 'POST',
      path: '/v1/basins',
      headers: { authorization: 'Bearer leaked-token', 'content-type': 'application/json', 'x-api-key': 'k-1' },
      body: { json: { basin: 'loaded-basin', note: 'leaked-note' } },
    },
    response: {
      status: 201,
      headers: { 'content-type': 'application/json' },
      at: 1,
      body: { json: { name: 'loaded-basin', access_token: 'leaked-access', created_at: '2026-01-01T00:00:00Z', deleted_at: null } },
    },
  }
  writeFileSync(
    path,
    JSON.stringify({ format: 's2-emulator-cassette', version: 1, recordedAt: '2026-01-01T00:00:00Z', redaction: { headers: [], jsonFields: [] }, entries: [entry] }),
  )
  const loaded = await loadCassette(path, redactionRules({ headers: ['x-api-key'], jsonFields: ['note'] }))
  expect(loaded.entries[0]?.request.headers).toMatchObject({ authorization: REDACTED, 'x-api-key': REDACTED })
  expect(loaded.entries[0]?.request.body).toEqual({ json: { basin: 'loaded-basin', note: REDACTED } })
  expect(loaded.entries[0]?.response.body).toMatchObject({ json: { access_token: REDACTED } })
  expect(JSON.stringify(loaded)).not.toMatch(/leaked/)

  // A replay given the rule answers the request whatever the note says: the note was redacted on both sides.
  const replayer = await startCassette({ path, mode: 'replay', redact: { jsonFields: ['note'] }, env: {} })
  const res = await fetch(`${replayer.url}/v1/basins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ basin: 'loaded-basin', note: 'anything' }),
  })
  expect(res.status, await res.clone().text()).toBe(201)
  expect(await res.json()).toEqual({ name: 'loaded-basin', access_token: REDACTED, created_at: '2026-01-01T00:00:00Z', deleted_at: null })
  expect((await replayer.stop()).misses).toEqual([])
})
