import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'

const t = useEmulator()
const key = () => randomBytes(32).toString('base64')

async function encryptedStream(cipher = 'aegis-256') {
  return t.stream(undefined, { stream_cipher: cipher })
}

describe('encrypted streams (stream_cipher and s2-encryption-key)', () => {
  it('gives new streams the basin cipher and keeps it when the basin changes', async () => {
    const { basin, stream } = await encryptedStream()
    const patch = await t.raw('PATCH', `/v1/basins/${basin}`, { body: { stream_cipher: 'aes-256-gcm' } })
    expect(patch.status).toBe(200)
    await t.raw('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream: 'later' } })
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    const ciphers = Object.fromEntries(
      (list.json as { streams: { name: string; cipher: string | null }[] }).streams.map((s) => [s.name, s.cipher]),
    )
    expect(ciphers).toEqual({ [stream]: 'aegis-256', later: 'aes-256-gcm' })
  })

  it('round-trips records with the right key', async () => {
    const { basin, stream } = await encryptedStream()
    const k = key()
    const headers = { 's2-basin': basin, 's2-encryption-key': k }
    const append = await t.raw('POST', `/v1/streams/${stream}/records`, { headers, body: { records: [{ body: 'secret' }] } })
    expect(append.status).toBe(200)
    const read = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, { headers })
    expect(read.status).toBe(200)
    expect((read.json as { records: { body: string }[] }).records.map((r) => r.body)).toEqual(['secret'])
  })

  it('rejects appends and reads without a key before touching the stream', async () => {
    const { basin, stream } = await encryptedStream()
    const missing = { code: 'bad_header', message: "missing encryption key for stream cipher 'aegis-256'" }
    const append = await t.raw('POST', `/v1/streams/${stream}/records`, {
      headers: { 's2-basin': basin },
      body: { records: [{ body: 'x' }] },
    })
    expect([append.status, append.json]).toEqual([400, missing])
    for (const accept of ['application/json', 'text/event-stream']) {
      const read = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0&wait=0`, {
        headers: { 's2-basin': basin, accept },
      })
      expect([read.status, read.headers['content-type'], read.json]).toEqual([400, 'application/json', missing])
    }
    const s2s = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, {
      headers: { 's2-basin': basin, 'content-type': 's2s/proto' },
    })
    expect([s2s.status, s2s.json]).toEqual([400, missing])
    const tail = await t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })
    expect(tail.json).toEqual({ tail: { seq_num: 0, timestamp: 0 } })
  })

  it('answers a read with the wrong key with 400 decryption_failed (an error event over SSE)', async () => {
    const { basin, stream } = await encryptedStream()
    await t.raw('POST', `/v1/streams/${stream}/records`, {
      headers: { 's2-basin': basin, 's2-encryption-key': key() },
      body: { records: [{ body: 'secret' }] },
    })
    const wrong = { 's2-basin': basin, 's2-encryption-key': key() }
    const unary = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0&wait=0`, { headers: wrong })
    expect(unary.status).toBe(400)
    expect(unary.json).toEqual({ code: 'decryption_failed', message: 'record decryption failed' })
    const sse = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0&count=1`, {
      headers: { ...wrong, accept: 'text/event-stream' },
    })
    expect(sse.status).toBe(200)
    expect(sse.text).toBe('event: error\ndata: {"code":"decryption_failed","message":"record decryption failed"}\n\n')
  })

  it('keeps command records readable with any key', async () => {
    const { basin, stream } = await encryptedStream()
    const fence = await t.raw('POST', `/v1/streams/${stream}/records`, {
      headers: { 's2-basin': basin, 's2-encryption-key': key() },
      body: { records: [{ headers: [['', 'fence']], body: 'writer-1' }] },
    })
    expect(fence.status).toBe(200)
    const read = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, {
      headers: { 's2-basin': basin, 's2-encryption-key': key() },
    })
    expect(read.status).toBe(200)
    expect((read.json as { records: unknown[] }).records).toEqual([
      expect.objectContaining({ seq_num: 0, headers: [['', 'fence']], body: 'writer-1' }),
    ])
  })

  it('ignores the key on plaintext streams but still rejects a malformed one', async () => {
    const { basin, stream } = await t.stream()
    const ok = await t.raw('POST', `/v1/streams/${stream}/records`, {
      headers: { 's2-basin': basin, 's2-encryption-key': key() },
      body: { records: [{ body: 'plain' }] },
    })
    expect(ok.status).toBe(200)
    const read = await t.raw('GET', `/v1/streams/${stream}/records?seq_num=0`, { headers: { 's2-basin': basin } })
    expect((read.json as { records: { body: string }[] }).records[0]?.body).toBe('plain')
    for (const bad of ['not base64!', Buffer.alloc(16).toString('base64'), 'A'.repeat(48)]) {
      const res = await t.raw('POST', `/v1/streams/${stream}/records`, {
        headers: { 's2-basin': basin, 's2-encryption-key': bad },
        body: { records: [{ body: 'x' }] },
      })
      expect(res.status).toBe(400)
      expect((res.json as { code: string; message: string }).code).toBe('bad_header')
      expect((res.json as { message: string }).message).toMatch(/^invalid encryption key/)
    }
    const tail = await t.raw('GET', `/v1/streams/${stream}/records/tail`, { headers: { 's2-basin': basin } })
    expect(tail.json).toEqual({ tail: { seq_num: 1, timestamp: expect.any(Number) } })
  })

  it('auto-creates encrypted streams on append and check-tail with the basin cipher', async () => {
    const basin = await t.basin({ stream_cipher: 'aegis-256', create_stream_on_append: true, create_stream_on_read: true })
    const k = key()
    const append = await t.raw('POST', '/v1/streams/auto-a/records', {
      headers: { 's2-basin': basin, 's2-encryption-key': k },
      body: { records: [{ body: 'x' }] },
    })
    expect(append.status).toBe(200)
    const tail = await t.raw('GET', '/v1/streams/auto-b/records/tail', { headers: { 's2-basin': basin } })
    expect(tail.json).toEqual({ tail: { seq_num: 0, timestamp: 0 } })
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect((list.json as { streams: { name: string; cipher: string }[] }).streams.map((s) => [s.name, s.cipher])).toEqual([
      ['auto-a', 'aegis-256'],
      ['auto-b', 'aegis-256'],
    ])
  })
})
