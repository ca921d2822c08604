import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { recordsPath } from '../support/append-helpers.ts'
import { basinName, useEmulator, type RawResponse } from '../support/emulator.ts'
import { decodeReadBatch, encodeAppendInput } from '../support/wire.ts'

const t = useEmulator({ heartbeatMs: 50 })

const compressors = { gzip: gzipSync, zstd: zstdCompressSync } as const

function decompressed(res: RawResponse): Buffer {
  const encoding = res.headers['content-encoding']
  if (encoding === undefined) return res.body
  if (encoding === 'gzip') return gunzipSync(res.body)
  if (encoding === 'zstd') return zstdDecompressSync(res.body)
  throw new Error(`unexpected content-encoding ${String(encoding)}`)
}

async function readAll(basin: string, stream: string): Promise<string[]> {
  const res = await t.raw('GET', recordsPath(stream, 'seq_num=0'), { headers: { 's2-basin': basin } })
  expect(res.status, res.text).toBe(200)
  return (res.json as { records: { body?: string }[] }).records.map((r) => r.body ?? '')
}

describe('request decompression (Content-Encoding)', () => {
  for (const algorithm of ['gzip', 'zstd'] as const) {
    it(`accepts a ${algorithm}-compressed JSON append`, async () => {
      const { basin, stream } = await t.stream()
      const json = JSON.stringify({ records: [{ body: 'packed' }, { body: 'y'.repeat(3000) }] })
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/json', 'content-encoding': algorithm },
        body: compressors[algorithm](Buffer.from(json)),
      })
      expect(res.status, res.text).toBe(200)
      expect(res.json).toMatchObject({ end: { seq_num: 2 } })
      expect(await readAll(basin, stream)).toEqual(['packed', 'y'.repeat(3000)])
    })

    it(`accepts a ${algorithm}-compressed protobuf append`, async () => {
      const { basin, stream } = await t.stream()
      const proto = encodeAppendInput({ records: [{ body: 'proto-packed' }] })
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/protobuf', 'content-encoding': algorithm },
        body: compressors[algorithm](proto),
      })
      expect(res.status, res.text).toBe(200)
      expect(await readAll(basin, stream)).toEqual(['proto-packed'])
    })

    it(`accepts a ${algorithm}-compressed control-plane JSON body (create basin)`, async () => {
      const basin = basinName()
      const res = await t.raw('POST', '/v1/basins', {
        headers: { 'content-type': 'application/json', 'content-encoding': algorithm },
        body: compressors[algorithm](Buffer.from(JSON.stringify({ basin }))),
      })
      expect(res.status, res.text).toBe(201)
      expect(res.json).toMatchObject({ name: basin })
    })

    it(`answers a corrupt ${algorithm} JSON body with 400 bad_json`, async () => {
      const { basin, stream } = await t.stream()
      const good = compressors[algorithm](Buffer.from(JSON.stringify({ records: [{ body: 'a' }] })))
      const corrupt = Buffer.concat([good.subarray(0, 6), Buffer.from('garbage-garbage-garbage')])
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/json', 'content-encoding': algorithm },
        body: corrupt,
      })
      expect(res.status, res.text).toBe(400)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.json).toMatchObject({ code: 'bad_json' })
      const tail = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
      expect(tail.json).toEqual({ tail: { seq_num: 0, timestamp: 0 } })
    })

    it(`answers a corrupt ${algorithm} protobuf body with 400 bad_proto`, async () => {
      const { basin, stream } = await t.stream()
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/protobuf', 'content-encoding': algorithm },
        body: Buffer.from('definitely not compressed'),
      })
      expect(res.status, res.text).toBe(400)
      expect(res.json).toMatchObject({ code: 'bad_proto' })
    })
  }

  it('answers a body that decompresses to more than 2 MiB with 400 bad_json', async () => {
    const { basin, stream } = await t.stream()
    const json = JSON.stringify({ records: [{ body: 'a'.repeat(3 * 1024 * 1024) }] })
    const res = await t.raw('POST', recordsPath(stream), {
      headers: { 's2-basin': basin, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(json)),
    })
    expect(res.status, res.text).toBe(400)
    expect(res.json).toMatchObject({ code: 'bad_json' })
  })

  for (const encoding of ['br', 'deflate', 'compress', 'x-custom']) {
    it(`answers an unsupported Content-Encoding ${encoding} with a 400 JSON error`, async () => {
      const { basin, stream } = await t.stream()
      const res = await t.raw('POST', recordsPath(stream), {
        headers: { 's2-basin': basin, 'content-type': 'application/json', 'content-encoding': encoding },
        body: JSON.stringify({ records: [{ body: 'a' }] }),
      })
      expect(res.status, res.text).toBe(400)
      expect(res.headers['content-type']).toBe('application/json')
      expect(typeof (res.json as { code?: unknown }).code).toBe('string')
    })
  }

  it('accepts Content-Encoding identity as uncompressed', async () => {
    const { basin, stream } = await t.stream()
    const res = await t.raw('POST', recordsPath(stream), {
      headers: { 's2-basin': basin, 'content-type': 'application/json', 'content-encoding': 'identity' },
      body: JSON.stringify({ records: [{ body: 'plain' }] }),
    })
    expect(res.status, res.text).toBe(200)
  })
})

describe('response compression (Accept-Encoding)', () => {
  /** A stream holding one record whose unary JSON read body is exactly `size` bytes. */
  async function readOfSize(size: number): Promise<{ basin: string; stream: string; expected: string }> {
    const { basin, stream } = await t.stream()
    const overhead = JSON.stringify({ records: [{ seq_num: 0, timestamp: 1, body: '' }] }).length
    const body = 'c'.repeat(size - overhead)
    const res = await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin }, body: { records: [{ body, timestamp: 1 }] } })
    expect(res.status).toBe(200)
    const expected = JSON.stringify({ records: [{ seq_num: 0, timestamp: 1, body }] })
    expect(expected.length).toBe(size)
    return { basin, stream, expected }
  }

  const read = (basin: string, stream: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    t.raw('GET', recordsPath(stream, 'seq_num=0'), { headers: { 's2-basin': basin, ...headers } })

  for (const [acceptEncoding, expected] of [
    ['zstd', 'zstd'],
    ['gzip', 'gzip'],
    ['gzip, zstd', 'zstd'],
    ['gzip, deflate, br, zstd', 'zstd'],
    ['zstd;q=0, gzip', 'gzip'],
    ['br', undefined],
    ['identity', undefined],
  ] as const) {
    it(`with accept-encoding "${acceptEncoding}" a 4 KiB body is ${expected ?? 'not compressed'}`, async () => {
      const { basin, stream, expected: json } = await readOfSize(4096)
      const res = await read(basin, stream, { 'accept-encoding': acceptEncoding })
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.headers['content-encoding']).toBe(expected)
      if (expected !== undefined) {
        expect(res.body.length).toBeLessThan(4096)
        expect(Number(res.headers['content-length'])).toBe(res.body.length)
      }
      expect(decompressed(res).toString('utf8')).toBe(json)
    })
  }

  it('does not compress without accept-encoding', async () => {
    const { basin, stream, expected } = await readOfSize(4096)
    const res = await read(basin, stream)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.text).toBe(expected)
  })

  it('compresses a body of exactly 1024 bytes but not one of 1023 bytes', async () => {
    const small = await readOfSize(1023)
    const smallRes = await read(small.basin, small.stream, { 'accept-encoding': 'zstd, gzip' })
    expect(smallRes.headers['content-encoding']).toBeUndefined()
    expect(smallRes.text).toBe(small.expected)

    const big = await readOfSize(1024)
    const bigRes = await read(big.basin, big.stream, { 'accept-encoding': 'zstd, gzip' })
    expect(bigRes.headers['content-encoding']).toBe('zstd')
    expect(decompressed(bigRes).toString('utf8')).toBe(big.expected)
  })

  it('compresses protobuf read responses of 1 KiB or more too', async () => {
    const { basin, stream } = await t.stream()
    const body = 'p'.repeat(3000)
    await t.raw('POST', recordsPath(stream), { headers: { 's2-basin': basin }, body: { records: [{ body, timestamp: 1 }] } })
    const res = await read(basin, stream, { accept: 'application/protobuf', 'accept-encoding': 'gzip' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/protobuf')
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(decodeReadBatch(decompressed(res)).records[0]?.body).toBe(body)
  })

  it('leaves small error bodies uncompressed', async () => {
    const { basin } = await t.stream()
    const res = await t.raw('GET', recordsPath('missing', 'seq_num=0'), { headers: { 's2-basin': basin, 'accept-encoding': 'zstd' } })
    expect(res.status).toBe(404)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.json).toMatchObject({ code: 'stream_not_found' })
  })
})
