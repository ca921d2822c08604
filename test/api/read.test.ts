import { AppendInput, AppendRecord, RangeNotSatisfiableError, S2Error } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import {
  appendJson,
  bodies,
  readJson,
  recordsPath,
  seqNums,
  textRecords,
  type JsonInputRecord,
  type ReadBody,
  type WireAck,
} from '../support/append-helpers.ts'
import { useEmulator } from '../support/emulator.ts'

// A long deletion delay keeps deleted streams in their "deletion pending" state for the whole file.
// Trims apply at once here: these tests are about where reads start; test/api/trim.test.ts is about when.
const t = useEmulator({ deletionDelayMs: 600_000, trimDelayMs: 0 })

const U64_MAX = '18446744073709551615'

/** A 200 read; returns its body. */
async function readOk(basin: string, stream: string, query: string, headers: Record<string, string> = {}): Promise<ReadBody> {
  const res = await readJson(t, basin, stream, query, headers)
  expect(res.status, res.text).toBe(200)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  return res.json as ReadBody
}

/** s2's metered size of a record with UTF-8 strings: 8 + 2 per header + header bytes + body bytes. */
function metered(record: JsonInputRecord): number {
  const headers = record.headers ?? []
  let size = 8 + 2 * headers.length + Buffer.byteLength(record.body ?? '')
  for (const [name, value] of headers) size += Buffer.byteLength(name) + Buffer.byteLength(value)
  return size
}

/** A stream holding records with the given timestamps; bodies are `r0`, `r1`, ... */
async function streamWithTimestamps(timestamps: number[]): Promise<{ basin: string; stream: string; ack: WireAck }> {
  const { basin, stream } = await t.stream()
  const ack = await appendJson(
    t,
    basin,
    stream,
    timestamps.map((timestamp, i) => ({ timestamp, body: `r${i}` })),
  )
  return { basin, stream, ack }
}

describe('read start: seq_num, timestamp, tail_offset', () => {
  it('reads every record from seq_num 0, with no tail on a catch-up read', async () => {
    const { basin, stream } = await t.stream()
    const ack = await appendJson(t, basin, stream, textRecords('b', 5))
    const batch = await readOk(basin, stream, 'seq_num=0')
    expect(batch).toStrictEqual({
      records: [0, 1, 2, 3, 4].map((i) => ({ seq_num: i, timestamp: ack.start.timestamp, body: `b-${i}` })),
    })
  })

  it('starts at the given seq_num', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 5))
    const batch = await readOk(basin, stream, 'seq_num=3')
    expect(seqNums(batch)).toEqual([3, 4])
    expect(bodies(batch)).toEqual(['b-3', 'b-4'])
  })

  it('starts at the first record whose timestamp is at or after the given one, duplicates included', async () => {
    const { basin, stream } = await streamWithTimestamps([1000, 1000, 1000])
    expect(seqNums(await readOk(basin, stream, 'timestamp=1000'))).toEqual([0, 1, 2])
    expect(seqNums(await readOk(basin, stream, 'timestamp=0'))).toEqual([0, 1, 2])
  })

  it('starts at the first of several records sharing the first timestamp above the one asked for', async () => {
    const { basin, stream } = await streamWithTimestamps([1000, 2000, 2000, 3000])
    const batch = await readOk(basin, stream, 'timestamp=1500')
    expect(batch.records.map((r) => [r.seq_num, r.timestamp])).toEqual([
      [1, 2000],
      [2, 2000],
      [3, 3000],
    ])
    expect(seqNums(await readOk(basin, stream, 'timestamp=3000'))).toEqual([3])
  })

  it('starts tail_offset records before the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 5))
    const batch = await readOk(basin, stream, 'tail_offset=2')
    expect(seqNums(batch)).toEqual([3, 4])
    expect(bodies(batch)).toEqual(['b-3', 'b-4'])
  })

  it('starts at seq_num 0 when tail_offset is larger than the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 3))
    expect(seqNums(await readOk(basin, stream, 'tail_offset=10'))).toEqual([0, 1, 2])
    expect(seqNums(await readOk(basin, stream, `tail_offset=${U64_MAX}`))).toEqual([0, 1, 2])
  })

  it('starts at the tail when no start is given, so a read without wait is 416 with the tail', async () => {
    const { basin, stream } = await streamWithTimestamps([1000, 2000])
    const res = await readJson(t, basin, stream, '')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: { seq_num: 2, timestamp: 2000 } })
    const limited = await readJson(t, basin, stream, 'count=10')
    expect(limited.status).toBe(416)
    expect(limited.json).toStrictEqual({ tail: { seq_num: 2, timestamp: 2000 } })
  })

  it('answers 416 with tail {0,0} for a read of an empty stream from seq_num 0 without wait', async () => {
    const { basin, stream } = await t.stream()
    const res = await readJson(t, basin, stream, 'seq_num=0')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
  })

  it.each([
    ['seq_num=1&timestamp=2'],
    ['seq_num=0&tail_offset=0'],
    ['timestamp=0&tail_offset=1'],
    ['seq_num=0&timestamp=0&tail_offset=0'],
  ])('rejects more than one start parameter (%s) with 422 invalid', async (query) => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 2))
    const res = await readJson(t, basin, stream, query)
    expect(res.status).toBe(422)
    expect(res.json).toStrictEqual({
      code: 'invalid',
      message: 'only one of seq_num, timestamp, or tail_offset can be provided',
    })
  })
})

describe('the 416 response', () => {
  it('is exactly {"tail":{"seq_num":N,"timestamp":T}} as JSON, with no code or message', async () => {
    const { basin, stream, ack } = await streamWithTimestamps([1000, 2000])
    expect(ack.end).toStrictEqual({ seq_num: 2, timestamp: 2000 })
    const res = await readJson(t, basin, stream, 'seq_num=100')
    expect(res.status).toBe(416)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.text).toBe('{"tail":{"seq_num":2,"timestamp":2000}}')
  })

  // s2-lite test_read_at_tail_without_follow_returns_unwritten: the tail equals ack.end {2, 2000}.
  it.each([
    ['tail_offset=0&count=10'],
    ['seq_num=2&count=10&wait=0'],
    [`timestamp=2001&until=${U64_MAX}`],
    ['timestamp=2001&count=10&clamp=true'],
  ])('answers 416 with the tail for a read at the tail that may not follow (%s)', async (query) => {
    const { basin, stream, ack } = await streamWithTimestamps([1000, 2000])
    const res = await readJson(t, basin, stream, query)
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: ack.end })
    expect(res.json).toStrictEqual({ tail: { seq_num: 2, timestamp: 2000 } })
  })
})

describe('clamp', () => {
  it('answers 416 beyond the tail without clamp, and still 416 with clamp when the read may not follow', async () => {
    const { basin, stream, ack } = await streamWithTimestamps([1000])
    const unclamped = await readJson(t, basin, stream, 'seq_num=100')
    expect(unclamped.status).toBe(416)
    expect(unclamped.json).toStrictEqual({ tail: ack.end })
    const clamped = await readJson(t, basin, stream, 'seq_num=100&clamp=true')
    expect(clamped.status).toBe(416)
    expect(clamped.json).toStrictEqual({ tail: { seq_num: 1, timestamp: 1000 } })
  })

  it('answers 416 for a timestamp beyond the tail timestamp without clamp', async () => {
    const { basin, stream } = await streamWithTimestamps([1000, 2000])
    const res = await readJson(t, basin, stream, 'timestamp=2001&count=10')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: { seq_num: 2, timestamp: 2000 } })
  })

  it('has no effect on a start below the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 3))
    expect(seqNums(await readOk(basin, stream, 'seq_num=1&clamp=true'))).toEqual([1, 2])
    expect(seqNums(await readOk(basin, stream, 'seq_num=1&clamp=false'))).toEqual([1, 2])
  })
})

describe('count and bytes limits', () => {
  it('returns the first count records', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 10))
    const batch = await readOk(basin, stream, 'seq_num=0&count=5')
    expect(bodies(batch)).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4'])
    expect(batch).not.toHaveProperty('tail')
  })

  it('returns no records for count=0 or bytes=0', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 3))
    expect(await readOk(basin, stream, 'seq_num=0&count=0')).toStrictEqual({ records: [] })
    expect(await readOk(basin, stream, 'seq_num=0&bytes=0')).toStrictEqual({ records: [] })
  })

  it('returns exactly the records that fit when bytes is their exact metered size', async () => {
    const { basin, stream } = await t.stream()
    const records: JsonInputRecord[] = [
      { body: 'first-record', headers: [['k', 'v']] },
      { body: 'second' },
      { body: 'third' },
    ]
    await appendJson(t, basin, stream, records)
    const exact = metered(records[0] as JsonInputRecord) + metered(records[1] as JsonInputRecord)
    expect(exact).toBe(8 + 2 + 2 + 12 + (8 + 6))
    expect(bodies(await readOk(basin, stream, `seq_num=0&bytes=${exact}`))).toEqual(['first-record', 'second'])
    expect(bodies(await readOk(basin, stream, `seq_num=0&bytes=${exact - 1}`))).toEqual(['first-record'])
  })

  it('returns empty records, not an error, when bytes is smaller than the first record', async () => {
    const { basin, stream } = await t.stream()
    const first: JsonInputRecord = { body: 'hello world' }
    await appendJson(t, basin, stream, [first, { body: 'x' }])
    expect(await readOk(basin, stream, `seq_num=0&bytes=${metered(first) - 1}`)).toStrictEqual({ records: [] })
  })

  it('stops at count when count is reached before bytes', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('rec', 10))
    expect(seqNums(await readOk(basin, stream, 'seq_num=0&count=5&bytes=1000000'))).toEqual([0, 1, 2, 3, 4])
  })

  it('stops at bytes when bytes is reached before count', async () => {
    const { basin, stream } = await t.stream()
    const records = textRecords('rec', 10) // each body is 5 bytes: metered 13
    await appendJson(t, basin, stream, records)
    const three = 3 * metered(records[0] as JsonInputRecord)
    expect(seqNums(await readOk(basin, stream, `seq_num=0&count=100&bytes=${three}`))).toEqual([0, 1, 2])
  })
})

describe('caps on unary reads', () => {
  it('silently reduces count above 1000, and a read without count, to exactly 1000 records', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('x', 1000))
    await appendJson(t, basin, stream, textRecords('y', 300))
    await appendJson(t, basin, stream, textRecords('z', 200))
    for (const query of ['seq_num=0&count=5000', 'seq_num=0&count=1001', 'seq_num=0', `seq_num=0&count=${U64_MAX}`]) {
      const batch = await readOk(basin, stream, query)
      expect(batch.records).toHaveLength(1000)
      expect(batch.records[0]?.seq_num).toBe(0)
      expect(batch.records[999]?.seq_num).toBe(999)
      expect(batch).not.toHaveProperty('tail')
    }
    const rest = await readOk(basin, stream, 'seq_num=1000&count=5000')
    expect(seqNums(rest)).toEqual(Array.from({ length: 500 }, (_, i) => 1000 + i))
  })

  it('silently reduces bytes above 1 MiB, and a read without bytes, to 1 MiB', async () => {
    const { basin, stream } = await t.stream()
    const big: JsonInputRecord = { body: 'a'.repeat(400_000) }
    // Three records of 400,008 metered bytes: two fit in 1 MiB (1,048,576), three do not.
    await appendJson(t, basin, stream, [big, big])
    await appendJson(t, basin, stream, [big])
    for (const query of ['seq_num=0&bytes=2000000', 'seq_num=0', `seq_num=0&bytes=${U64_MAX}`]) {
      const batch = await readOk(basin, stream, query)
      expect(seqNums(batch)).toEqual([0, 1])
      expect(batch.records[1]?.body).toHaveLength(400_000)
    }
  })
})

describe('until', () => {
  // s2-lite test_read_until_timestamp_boundaries: records at 1000, 2000, 2000, 3000.
  it.each([
    [500, []],
    [1000, []],
    [1001, [1000]],
    [2000, [1000]],
    [2001, [1000, 2000, 2000]],
    [5000, [1000, 2000, 2000, 3000]],
  ])('with until=%i returns the records before it (exclusive)', async (until, expected) => {
    const { basin, stream } = await streamWithTimestamps([1000, 2000, 2000, 3000])
    const batch = await readOk(basin, stream, `seq_num=0&until=${until}`)
    expect(batch.records.map((r) => r.timestamp)).toEqual(expected)
    expect(batch).not.toHaveProperty('tail')
  })

  // s2-lite test_read_until_with_additional_limits: records at 1000, 2000, 3000, 4000.
  it.each([
    ['count=2&until=5000', 2],
    ['count=10&until=3500', 3],
    ['bytes=2rec&until=5000', 2],
    ['bytes=100rec&until=3500', 3],
  ])('combined with another limit stops at whichever comes first (%s)', async (limits, expected) => {
    const { basin, stream } = await streamWithTimestamps([1000, 2000, 3000, 4000])
    const rec = metered({ body: 'r0' })
    const query = limits.replace(/bytes=(\d+)rec/, (_, n: string) => `bytes=${Number(n) * rec}`)
    const batch = await readOk(basin, stream, `seq_num=0&${query}`)
    expect(seqNums(batch)).toEqual(Array.from({ length: expected }, (_, i) => i))
  })

  it('with a timestamp start reads the range [timestamp, until)', async () => {
    // s2-lite test_read_timestamp_range_with_from_and_until.
    const { basin, stream } = await streamWithTimestamps([500, 2000, 2000, 2500, 3500, 4500, 5500])
    const batch = await readOk(basin, stream, 'timestamp=2000&until=4500')
    expect(batch.records.map((r) => [r.timestamp, r.body])).toEqual([
      [2000, 'r1'],
      [2000, 'r2'],
      [2500, 'r3'],
      [3500, 'r4'],
    ])
  })

  it.each([
    ['timestamp=5&until=5'],
    ['timestamp=6&until=5'],
  ])('rejects a timestamp start at or after until (%s) with 422 invalid', async (query) => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 1))
    const res = await readJson(t, basin, stream, query)
    expect(res.status).toBe(422)
    expect(res.json).toStrictEqual({ code: 'invalid', message: 'start `timestamp` exceeds or equal to `until`' })
  })

  it('allows until with a seq_num start at or before any timestamp (no 422)', async () => {
    const { basin, stream } = await streamWithTimestamps([1000])
    expect(await readOk(basin, stream, 'seq_num=0&until=1')).toStrictEqual({ records: [] })
  })
})

describe('query errors', () => {
  it.each([
    ['seq_num=abc'],
    ['seq_num=-1'],
    ['seq_num='],
    ['seq_num=1.5'],
    ['seq_num=18446744073709551616'],
    ['timestamp=abc'],
    ['tail_offset=x'],
    ['clamp=1'],
    ['clamp=TRUE'],
    ['clamp=yes'],
    ['count=-1'],
    ['bytes=1e3'],
    ['until=soon'],
    ['wait=-1'],
    ['wait=abc'],
    ['wait=4294967296'],
  ])('rejects a wrongly typed value (%s) with 400 bad_query', async (query) => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 1))
    const res = await readJson(t, basin, stream, query)
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const body = res.json as { code: unknown; message: unknown }
    expect(body.code).toBe('bad_query')
    expect(typeof body.message).toBe('string')
  })

  it('ignores unknown query parameters', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 2))
    const batch = await readOk(basin, stream, 'seq_num=0&foo=bar&limit=1&start_after=zzz')
    expect(bodies(batch)).toEqual(['b-0', 'b-1'])
  })

  it('accepts the largest u32 wait (capped, not rejected)', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 2))
    // Catch-up records exist, so the read returns at once however long it may wait.
    expect(bodies(await readOk(basin, stream, 'seq_num=0&wait=4294967295'))).toEqual(['b-0', 'b-1'])
  })
})

describe('error precedence (s2-lite §8.4)', () => {
  it('checks the S2-Basin header before the query', async () => {
    const res = await t.raw('GET', `${recordsPath('s')}?seq_num=abc`)
    expect(res.status).toBe(400)
    expect(res.json).toStrictEqual({ code: 'bad_header', message: 'Missing header `s2-basin`' })
  })

  it('checks the query before the stream exists', async () => {
    const basin = await t.basin()
    const res = await readJson(t, basin, 'missing', 'seq_num=abc')
    expect(res.status).toBe(400)
    expect((res.json as { code: string }).code).toBe('bad_query')
  })

  it('checks the s2-format header before the start-parameter exclusivity', async () => {
    const { basin, stream } = await t.stream()
    const res = await readJson(t, basin, stream, 'seq_num=0&timestamp=0', { 's2-format': 'hex' })
    expect(res.status).toBe(400)
    expect((res.json as { code: string }).code).toBe('bad_header')
  })

  it('answers 422, not 404, for several start parameters on a missing stream or basin', async () => {
    const basin = await t.basin()
    const missingStream = await readJson(t, basin, 'missing', 'seq_num=1&timestamp=2')
    expect(missingStream.status).toBe(422)
    expect((missingStream.json as { code: string }).code).toBe('invalid')
    const missingBasin = await readJson(t, 'no-such-basin-here', 'missing', 'timestamp=5&until=5')
    expect(missingBasin.status).toBe(422)
    expect((missingBasin.json as { code: string }).code).toBe('invalid')
  })
})

describe('missing, auto-created and deleted streams', () => {
  it('answers 404 basin_not_found for a read in a missing basin', async () => {
    const res = await readJson(t, 'missing-basin-abc', 's', 'seq_num=0')
    expect(res.status).toBe(404)
    expect(res.json).toStrictEqual({ code: 'basin_not_found', message: 'basin `missing-basin-abc` not found' })
  })

  it('answers 404 stream_not_found for a read of a missing stream, and creates nothing', async () => {
    const basin = await t.basin()
    const res = await readJson(t, basin, 'nope', 'seq_num=0')
    expect(res.status).toBe(404)
    expect(res.json).toStrictEqual({ code: 'stream_not_found', message: `stream \`nope\` in basin \`${basin}\` not found` })
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect(list.json).toStrictEqual({ streams: [], has_more: false })
  })

  it('creates the stream on read with create_stream_on_read: 416 at tail {0,0}, then check-tail {0,0}', async () => {
    const basin = await t.basin({ create_stream_on_read: true })
    const res = await readJson(t, basin, 'auto', 'seq_num=0')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect((list.json as { streams: { name: string }[] }).streams.map((s) => s.name)).toEqual(['auto'])
    const tail = await t.raw('GET', `${recordsPath('auto')}/tail`, { headers: { 's2-basin': basin } })
    expect(tail.status).toBe(200)
    expect(tail.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
  })

  it('creates the stream on read without a start param too (tail_offset 0 -> 416)', async () => {
    const basin = await t.basin({ create_stream_on_read: true })
    const res = await readJson(t, basin, 'auto-2', '')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
    const config = await t.raw('GET', '/v1/streams/auto-2', { headers: { 's2-basin': basin } })
    expect(config.status).toBe(200)
  })

  it('creates exactly one stream when 10 reads race to auto-create it', async () => {
    // s2-lite test_backend_read_auto_create_is_race_safe.
    const basin = await t.basin({ create_stream_on_read: true })
    const results = await Promise.all(Array.from({ length: 10 }, () => readJson(t, basin, 'raced', 'seq_num=0')))
    for (const res of results) {
      // s2-lite may answer a losing racer 409 transaction_conflict (retryable); never anything else.
      if (res.status === 409) expect((res.json as { code: string }).code).toBe('transaction_conflict')
      else expect(res.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
      expect([409, 416]).toContain(res.status)
    }
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect((list.json as { streams: { name: string }[] }).streams.map((s) => s.name)).toEqual(['raced'])
    const tail = await t.raw('GET', `${recordsPath('raced')}/tail`, { headers: { 's2-basin': basin } })
    expect(tail.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
  })

  it('creates the stream on check-tail with create_stream_on_read, answering {0,0}', async () => {
    // s2-lite test_backend_check_tail_auto_creates_stream.
    const basin = await t.basin({ create_stream_on_read: true })
    const tail = await t.raw('GET', `${recordsPath('by-tail')}/tail`, { headers: { 's2-basin': basin } })
    expect(tail.status).toBe(200)
    expect(tail.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect((list.json as { streams: { name: string }[] }).streams.map((s) => s.name)).toEqual(['by-tail'])
  })

  it.each([
    ['timestamp=5&until=5', 422],
    ['timestamp=9&until=5', 422],
    ['seq_num=0&tail_offset=0', 422],
    ['seq_num=abc', 400],
  ])('does not auto-create the stream for invalid read bounds (%s)', async (query, status) => {
    // s2-lite invalid_read_bounds_do_not_auto_create_stream.
    const basin = await t.basin({ create_stream_on_read: true })
    const res = await readJson(t, basin, 'never', query)
    expect(res.status).toBe(status)
    if (query === 'timestamp=5&until=5') {
      expect(res.json).toStrictEqual({ code: 'invalid', message: 'start `timestamp` exceeds or equal to `until`' })
    }
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect(list.json).toStrictEqual({ streams: [], has_more: false })
  })

  it('answers 409 stream_deletion_pending for a read or check-tail of a stream being deleted', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 2))
    const del = await t.raw('DELETE', `/v1/streams/${stream}`, { headers: { 's2-basin': basin } })
    expect(del.status).toBe(202)
    const res = await readJson(t, basin, stream, 'seq_num=0')
    expect(res.status).toBe(409)
    expect(res.json).toStrictEqual({ code: 'stream_deletion_pending', message: 'stream deletion pending' })
    const tail = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
    expect(tail.status).toBe(409)
    expect((tail.json as { code: string }).code).toBe('stream_deletion_pending')
  })
})

describe('check tail', () => {
  it('is {0,0} on an empty stream and equals the last ack end after appends', async () => {
    const { basin, stream } = await t.stream()
    const empty = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
    expect(empty.status).toBe(200)
    expect(empty.json).toStrictEqual({ tail: { seq_num: 0, timestamp: 0 } })
    await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'a' }])
    const ack = await appendJson(t, basin, stream, [{ timestamp: 1500, body: 'b' }, { timestamp: 1700, body: 'c' }])
    const tail = await t.raw('GET', `${recordsPath(stream)}/tail`, { headers: { 's2-basin': basin } })
    expect(tail.json).toStrictEqual({ tail: ack.end })
    expect(ack.end).toStrictEqual({ seq_num: 3, timestamp: 1700 })
  })

  it('answers 404 basin_not_found in a missing basin and 404 stream_not_found for a missing stream', async () => {
    const noBasin = await t.raw('GET', `${recordsPath('s')}/tail`, { headers: { 's2-basin': 'missing-basin-xyz' } })
    expect(noBasin.status).toBe(404)
    expect((noBasin.json as { code: string }).code).toBe('basin_not_found')
    const basin = await t.basin()
    const noStream = await t.raw('GET', `${recordsPath('s')}/tail`, { headers: { 's2-basin': basin } })
    expect(noStream.status).toBe(404)
    expect((noStream.json as { code: string }).code).toBe('stream_not_found')
    const list = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    expect(list.json).toStrictEqual({ streams: [], has_more: false })
  })
})

describe('trimmed records', () => {
  /** Appends a trim command to `point` (base64 format) and returns its ack. */
  async function trim(basin: string, stream: string, point: number): Promise<WireAck> {
    const body = Buffer.alloc(8)
    body.writeBigUInt64BE(BigInt(point))
    return appendJson(t, basin, stream, [{ headers: [['', Buffer.from('trim').toString('base64')]], body: body.toString('base64') }], {
      's2-format': 'base64',
    })
  }

  it('skips records below the trim point: a read from 0 starts at the trim point', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 5))
    const ack = await trim(basin, stream, 3)
    expect(ack.start.seq_num).toBe(5)
    const batch = await readOk(basin, stream, 'seq_num=0', { 's2-format': 'base64' })
    expect(seqNums(batch)).toEqual([3, 4, 5])
    expect(batch.records[2]).toStrictEqual({
      seq_num: 5,
      timestamp: ack.start.timestamp,
      headers: [['', 'dHJpbQ==']],
      body: 'AAAAAAAAAAM=',
    })
    expect(seqNums(await readOk(basin, stream, 'seq_num=1'))).toEqual([3, 4, 5])
    expect(seqNums(await readOk(basin, stream, 'timestamp=0'))).toEqual([3, 4, 5])
    expect(seqNums(await readOk(basin, stream, 'tail_offset=100'))).toEqual([3, 4, 5])
  })

  it('reads no records, without error, once a trim removes every record, and keeps the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 1000, body: 'a' }])
    const ack = await trim(basin, stream, 100)
    // The trim removes itself too (point = min(100, its seq + 1) = 2): nothing is readable.
    expect(ack.end.seq_num).toBe(2)
    const res = await readJson(t, basin, stream, 'seq_num=2')
    expect(res.status).toBe(416)
    expect(res.json).toStrictEqual({ tail: ack.end })
    expect(await readOk(basin, stream, 'seq_num=0')).toStrictEqual({ records: [] })
  })
})

describe('record JSON', () => {
  it('omits headers and body when they are empty', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [
      { timestamp: 1000, body: 'b', headers: [['k', 'v'], ['k2', '']] },
      { timestamp: 1000 },
      { timestamp: 1000, headers: [['only', 'header']] },
      { timestamp: 1000, body: 'only body' },
      { timestamp: 1000, headers: [['', 'fence']] },
    ])
    const res = await readJson(t, basin, stream, 'seq_num=0')
    expect(res.status).toBe(200)
    expect(res.json).toStrictEqual({
      records: [
        { seq_num: 0, timestamp: 1000, headers: [['k', 'v'], ['k2', '']], body: 'b' },
        { seq_num: 1, timestamp: 1000 },
        { seq_num: 2, timestamp: 1000, headers: [['only', 'header']] },
        { seq_num: 3, timestamp: 1000, body: 'only body' },
        { seq_num: 4, timestamp: 1000, headers: [['', 'fence']] },
      ],
    })
  })

  it('encodes headers and bodies as standard padded base64 with s2-format: base64', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, [{ timestamp: 1000, headers: [['key', 'val']], body: 'hello' }])
    const expected = {
      records: [{ seq_num: 0, timestamp: 1000, headers: [['a2V5', 'dmFs']], body: 'aGVsbG8=' }],
    }
    expect(await readOk(basin, stream, 'seq_num=0', { 's2-format': 'base64' })).toStrictEqual(expected)
    expect(await readOk(basin, stream, 'seq_num=0', { 's2-format': 'json-binsafe' })).toStrictEqual(expected)
    expect(await readOk(basin, stream, 'seq_num=0', { 's2-format': ' raw ' })).toStrictEqual({
      records: [{ seq_num: 0, timestamp: 1000, headers: [['key', 'val']], body: 'hello' }],
    })
  })

  it('renders invalid UTF-8 as U+FFFD in raw format and returns the exact bytes in base64', async () => {
    const { basin, stream } = await t.stream()
    const body = Buffer.from([0x68, 0xff, 0x69, 0xc3]) // "h", invalid byte, "i", truncated sequence
    const value = Buffer.from([0xfe, 0x41])
    await appendJson(
      t,
      basin,
      stream,
      [{ timestamp: 1000, headers: [['aGRy', value.toString('base64')]], body: body.toString('base64') }],
      { 's2-format': 'base64' },
    )
    expect(await readOk(basin, stream, 'seq_num=0')).toStrictEqual({
      records: [{ seq_num: 0, timestamp: 1000, headers: [['hdr', '\uFFFDA']], body: 'h\uFFFDi\uFFFD' }],
    })
    expect(await readOk(basin, stream, 'seq_num=0', { 's2-format': 'base64' })).toStrictEqual({
      records: [{ seq_num: 0, timestamp: 1000, headers: [['aGRy', value.toString('base64')]], body: body.toString('base64') }],
    })
  })

  it('rejects an unknown s2-format on read with 400 bad_header', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 1))
    const res = await readJson(t, basin, stream, 'seq_num=0', { 's2-format': 'hex' })
    expect(res.status).toBe(400)
    expect(res.json).toStrictEqual({ code: 'bad_header', message: 'Invalid header `s2-format`: hex' })
  })
})

describe('long-poll on the system clock', () => {
  // The rest of the wait behaviour is in read-follow.test.ts, on a manual clock.
  it('answers 200 {"records":[]} with no tail when wait=1 runs out at the tail', async () => {
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('b', 1))
    const res = await readJson(t, basin, stream, 'wait=1')
    expect(res.status).toBe(200)
    expect(res.text).toBe('{"records":[]}')
  })
})

describe('concurrency', () => {
  it('serves 10 concurrent reads of the same stream, each with all 20 records in order', async () => {
    // s2-lite test_concurrent_reads_same_stream.
    const { basin, stream } = await t.stream()
    await appendJson(t, basin, stream, textRecords('c', 20))
    const results = await Promise.all(Array.from({ length: 10 }, () => readOk(basin, stream, 'seq_num=0&count=20')))
    const expected = Array.from({ length: 20 }, (_, i) => `c-${i}`)
    for (const batch of results) expect(bodies(batch)).toEqual(expected)
  })
})

describe('the SDK reading from the emulator', () => {
  async function sdkStream(): Promise<{ basin: string; stream: string; ack: WireAck }> {
    const { basin, stream, ack } = await streamWithTimestamps([1000, 2000, 2000, 3000, 4000])
    return { basin, stream, ack }
  }

  it('reads from a seq_num with a count limit, parsing seq_nums, timestamps, headers and bodies', async () => {
    const { basin, stream } = await t.stream()
    const s = t.s2.basin(basin).stream(stream)
    await s.append(
      AppendInput.create([
        AppendRecord.string({ body: 'one', headers: [['h', 'v']], timestamp: 1000 }),
        AppendRecord.string({ body: 'two', timestamp: 2000 }),
        AppendRecord.string({ body: 'three', timestamp: 3000 }),
      ]),
    )
    const batch = await s.read({ start: { from: { seqNum: 1 } }, stop: { limits: { count: 1 } } })
    expect(batch.records).toHaveLength(1)
    expect(batch.records[0]?.seqNum).toBe(1)
    expect(batch.records[0]?.body).toBe('two')
    expect(batch.records[0]?.timestamp.getTime()).toBe(2000)
    expect(batch.tail).toBeUndefined()
    const all = await s.read({ start: { from: { seqNum: 0 } } })
    expect(all.records.map((r) => r.body)).toEqual(['one', 'two', 'three'])
    expect(all.records[0]?.headers).toEqual([['h', 'v']])
    expect(all.records[1]?.headers).toEqual([])
  })

  it('reads from a timestamp, including duplicates, and until a timestamp', async () => {
    const { basin, stream } = await sdkStream()
    const s = t.s2.basin(basin).stream(stream)
    const fromTs = await s.read({ start: { from: { timestamp: 2000 } } })
    expect(fromTs.records.map((r) => r.seqNum)).toEqual([1, 2, 3, 4])
    const range = await s.read({ start: { from: { timestamp: new Date(2000) } }, stop: { untilTimestamp: 4000 } })
    expect(range.records.map((r) => r.body)).toEqual(['r1', 'r2', 'r3'])
  })

  it('reads from a tail offset and honours a bytes limit', async () => {
    const { basin, stream } = await sdkStream()
    const s = t.s2.basin(basin).stream(stream)
    const lastTwo = await s.read({ start: { from: { tailOffset: 2 } } })
    expect(lastTwo.records.map((r) => r.seqNum)).toEqual([3, 4])
    const rec = metered({ body: 'r0' })
    const limited = await s.read({ start: { from: { seqNum: 0 } }, stop: { limits: { bytes: 2 * rec + 1 } } })
    expect(limited.records.map((r) => r.seqNum)).toEqual([0, 1])
  })

  it('surfaces a 416 as RangeNotSatisfiableError carrying the tail', async () => {
    const { basin, stream } = await sdkStream()
    const s = t.s2.basin(basin).stream(stream)
    const error = await s.read({ start: { from: { seqNum: 50 } } }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RangeNotSatisfiableError)
    const range = error as RangeNotSatisfiableError
    expect(range.status).toBe(416)
    expect(range.tail?.seqNum).toBe(5)
    expect(range.tail?.timestamp.getTime()).toBe(4000)
    // No start at all reads from the tail, which is also 416 without a wait.
    await expect(s.read()).rejects.toBeInstanceOf(RangeNotSatisfiableError)
    // Clamping does not help a read that may not wait.
    await expect(s.read({ start: { from: { seqNum: 50 }, clamp: true } })).rejects.toBeInstanceOf(RangeNotSatisfiableError)
  })

  it('surfaces a missing stream as an S2Error with status 404 and code stream_not_found', async () => {
    const basin = await t.basin()
    const error = await t.s2
      .basin(basin)
      .stream('missing')
      .read({ start: { from: { seqNum: 0 } } })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).toBeInstanceOf(S2Error)
    expect((error as S2Error).status).toBe(404)
    expect((error as S2Error).code).toBe('stream_not_found')
  })

  it('checks the tail of a stream it appended to', async () => {
    const { basin, stream, ack } = await sdkStream()
    const tail = await t.s2.basin(basin).stream(stream).checkTail()
    expect(tail.tail.seqNum).toBe(ack.end.seq_num)
    expect(tail.tail.timestamp.getTime()).toBe(4000)
  })
})
