import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { bindS2Namespace, s2Record } from '../../src/matchers/index.ts'
import { append, failure, useMatcherEmulator } from './support.ts'

/**
 * The stream matchers (`toHaveRecords`, `toContainRecords`, `toContainRecord`, `toHaveTail`,
 * `toBeEmptyStream`) and `s2Record`, in vitest 5, against a real emulator over HTTP: passing,
 * failing (their messages pinned) and negated.
 */

const t = useMatcherEmulator('content')
const START = Date.parse('2026-01-01T00:00:00.000Z') // the emulator's frozen clock: every arrival timestamp

describe('toHaveRecords', () => {
  it('passes for the whole content in order, on an SDK handle and on a { basin, stream } reference', async () => {
    const orders = t.stream('orders')
    await append(orders, 'order-1', AppendRecord.string({ body: 'order-2', headers: [['type', 'created']] }))
    await expect(orders).toHaveRecords(['order-1', 'order-2'])
    await expect({ basin: t.basin, stream: 'orders' }).toHaveRecords([
      { body: 'order-1', seqNum: 0, timestamp: START, headers: [] },
      { body: expect.stringContaining('-2'), headers: { type: 'created' } },
    ])
    await expect(orders).toHaveRecords([expect.s2Record({ seqNum: 0 }), s2Record('order-2')])
    await expect(orders).not.toHaveRecords(['order-1'])
    await expect(orders).not.toHaveRecords(['order-1', 'order-2', 'order-3'])
  })

  it('fails with a diff of the records, starting at the first difference, showing the fields the test named', async () => {
    const orders = t.stream('orders')
    await append(orders, 'order-1', 'order-2', 'order-3')
    expect(await failure(expect(orders).toHaveRecords(['order-1', 'order-9', 'order-3']))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 3 records (seqNum 0 to 2); expected 3 records. The first difference is at record 1 (seqNum 1).

      - Expected
      + Received

        [
          "order-1",
      -   "order-9",
      +   "order-2",
          "order-3",
        ]"
    `)
    expect(await failure(expect({ basin: t.basin, stream: 'orders' }).toHaveRecords([{ body: 'order-1', seqNum: 0 }, { body: expect.stringMatching(/^x/) }]))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders in namespace ns-3460ebae1c45bfd06907 holds 3 records (seqNum 0 to 2); expected 2 records. The first difference is at record 1 (seqNum 1).

      - Expected
      + Received

      @@ -2,8 +2,12 @@
          {
            "body": "order-1",
            "seqNum": 0,
          },
          {
      -     "body": StringMatching /^x/,
      +     "body": "order-2",
      +   },
      +   {
      +     "body": "order-3",
      +     "seqNum": 2,
          },
        ]"
    `)
  })

  it('reads well negated', async () => {
    const orders = t.stream('orders')
    await append(orders, 'a', 'b')
    expect(await failure(expect(orders).not.toHaveRecords(['a', { body: 'b' }]))).toMatchInlineSnapshot(`
      "expect(stream).not.toHaveRecords(expected)

      Expected stream matchers-basin/orders not to hold exactly these records, but it does: 2 records (seqNum 0 to 1):
        seqNum 0: "a"
        seqNum 1: { body: "b" }"
    `)
  })

  it('shows a window of a long stream around the first difference, and says what it leaves out', async () => {
    const orders = t.stream('orders')
    const bodies = Array.from({ length: 300 }, (_, i) => `event-${i}`)
    for (let i = 0; i < 300; i += 100) await append(orders, ...bodies.slice(i, i + 100))
    const expected = bodies.map((b, i) => (i === 250 ? 'event-???' : b))
    expect(await failure(expect(orders).toHaveRecords(expected))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 300 records (seqNum 0 to 299); expected 300 records. The first difference is at record 250 (seqNum 250).

      - Expected
      + Received

      @@ -1,9 +1,9 @@
        [
          "event-248",
          "event-249",
      -   "event-???",
      +   "event-250",
          "event-251",
          "event-252",
          "event-253",
          "event-254",
          "event-255",

      (the 248 records before match, not shown)
      (not shown after: 32 expected records, 32 received records)"
    `)
  })

  it('clips a long body around its first difference', async () => {
    const orders = t.stream('orders')
    const long = `${'x'.repeat(500)}DIFFERENT${'y'.repeat(500)}`
    await append(orders, long)
    expect(await failure(expect(orders).toHaveRecords([long.replace('DIFFERENT', 'different')]))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 1 record (seqNum 0); expected 1 record. The first difference is at record 0 (seqNum 0).

      - Expected
      + Received

        [
      -   "…(460 characters) xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxdifferentyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy …(389 more characters)",
      +   "…(460 characters) xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxDIFFERENTyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy …(389 more characters)",
        ]"
    `)
  })

  it('matches bodies as bytes, and shows bytes that are not UTF-8 in hex', async () => {
    const orders = t.stream('orders')
    await orders.append(AppendInput.create([AppendRecord.bytes({ body: Uint8Array.from([0xff, 0x00, 0x7f]) }), AppendRecord.bytes({ body: new TextEncoder().encode('text') })]))
    await expect(orders).toHaveRecords([Uint8Array.from([0xff, 0x00, 0x7f]), 'text'])
    await expect(orders).toHaveRecords([{ body: expect.any(Uint8Array) }, new TextEncoder().encode("text")])
    expect(await failure(expect(orders).toHaveRecords([Uint8Array.from([0xff, 0x01]), 'text']))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 2 records (seqNum 0 to 1); expected 2 records. The first difference is at record 0 (seqNum 0).

      - Expected
      + Received

        [
      -   "<2 bytes: ff 01>",
      +   "<3 bytes: ff 00 7f>",
          "text",
        ]"
    `)
  })

  it('matches timestamps exactly or within a range, and headers as a subset or as the exact list', async () => {
    const orders = t.stream('orders')
    await append(orders, AppendRecord.string({ body: 'a', headers: [['type', 'created'], ['id', '7']] }))
    await expect(orders).toHaveRecords([{ timestamp: new Date(START), headers: { id: '7' } }])
    await expect(orders).toHaveRecords([{ timestamp: { from: START - 1000, to: new Date(START) }, headers: [['type', 'created'], ['id', expect.any(String)]] }])
    expect(await failure(expect(orders).toHaveRecords([{ timestamp: { from: START + 1 }, headers: { id: '8', missing: 'x' } }]))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 1 record (seqNum 0); expected 1 record. The first difference is at record 0 (seqNum 0).

      - Expected
      + Received

        [
          {
            "headers": {
      -       "id": "8",
      -       "missing": "x",
      -     },
      -     "timestamp": {
      -       "from": "1767225600001 (2026-01-01T00:00:00.001Z)",
      +       "id": "7",
      +       "type": "created",
            },
      +     "timestamp": "1767225600000 (2026-01-01T00:00:00.000Z)",
          },
        ]"
    `)
  })

  it('shows command records as such and matches them', async () => {
    const orders = t.stream('orders')
    await append(orders, 'a', AppendRecord.fence('token-1'), AppendRecord.trim(1))
    // The trim removed seqNum 0; the commands themselves stay readable.
    await expect(orders).toHaveRecords([{ command: 'fence', fencingToken: 'token-1' }, { command: 'trim', trimPoint: 1 }])
    await expect(orders).toContainRecord({ command: 'fence' })
    expect(await failure(expect(orders).toHaveRecords([{ command: 'fence', fencingToken: 'token-2' }, 'trimmed?']))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 2 records (seqNum 1 to 2); expected 2 records. The first difference is at record 0 (seqNum 1).

      - Expected
      + Received

        [
          {
            "command": "fence",
      -     "fencingToken": "token-2",
      +     "fencingToken": "token-1",
      +   },
      +   {
      +     "command": "trim",
      +     "trimPoint": 1,
          },
      -   "trimmed?",
        ]"
    `)
  })

  it('says when the stream holds fewer or more records than expected', async () => {
    const orders = t.stream('orders')
    await append(orders, 'a', 'b')
    expect(await failure(expect(orders).toHaveRecords(['a', 'b', 'c']))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 2 records (seqNum 0 to 1); expected 3 records. The stream ends before expected[2].

      - Expected
      + Received

        [
          "a",
          "b",
      -   "c",
        ]"
    `)
    expect(await failure(expect(orders).toHaveRecords(['a']))).toMatchInlineSnapshot(`
      "expect(stream).toHaveRecords(expected)

      Stream matchers-basin/orders holds 2 records (seqNum 0 to 1); expected 1 record. It holds more records than expected, from record 1 (seqNum 1) on.

      - Expected
      + Received

        [
          "a",
      +   "b",
        ]"
    `)
  })
})

describe('toContainRecords and toContainRecord', () => {
  it('pass for records in order with others between, and for one record anywhere', async () => {
    const orders = t.stream('orders')
    await append(orders, 'a', 'b', 'c', 'd')
    await expect(orders).toContainRecords(['b', 'd'])
    await expect(orders).toContainRecords([{ seqNum: 0 }, expect.s2Record('c')])
    await expect(orders).toContainRecord('c')
    await expect({ basin: t.basin, stream: 'orders' }).toContainRecord({ body: expect.stringMatching(/^d$/), seqNum: 3 })
    await expect(orders).not.toContainRecord('z')
    await expect(orders).not.toContainRecords(['d', 'b'])
  })

  it('fail naming what matched, what did not, and the closest records', async () => {
    const orders = t.stream('orders')
    await append(orders, 'order-1', 'order-2', 'refund-2')
    expect(await failure(expect(orders).toContainRecords(['order-2', 'order-1']))).toMatchInlineSnapshot(`
      "expect(stream).toContainRecords(records)

      Stream matchers-basin/orders holds 3 records (seqNum 0 to 2).
      It holds expected[0] (at seqNum 1), but no record after seqNum 1 matches expected[1]:
        "order-1"
      (seqNum 0 matches it, but comes before the records matched so far: they must be in order)

      Closest after seqNum 1:
        seqNum 2: "refund-2"
          body: expected "order-1", received "refund-2""
    `)
    expect(await failure(expect(orders).toContainRecord({ body: 'refund-3' }))).toMatchInlineSnapshot(`
      "expect(stream).toContainRecord(record)

      Stream matchers-basin/orders holds 3 records (seqNum 0 to 2).
      No record matches the expected record:
        { body: "refund-3" }

      Closest:
        seqNum 0: { body: "order-1" }
          body: expected "refund-3", received "order-1"
        seqNum 1: { body: "order-2" }
          body: expected "refund-3", received "order-2"
        seqNum 2: { body: "refund-2" }
          body: expected "refund-3", received "refund-2""
    `)
    expect(await failure(expect(orders).not.toContainRecords(['order-1', 'refund-2']))).toMatchInlineSnapshot(`
      "expect(stream).not.toContainRecords(records)

      Expected stream matchers-basin/orders not to contain these records in order, but it does:
        seqNum 0: "order-1"
        seqNum 2: "refund-2""
    `)
  })
})

describe('toHaveTail and toBeEmptyStream', () => {
  it('check the tail, counting trimmed records, and emptiness, not counting them', async () => {
    const orders = t.stream('orders')
    await expect(orders).toHaveTail(0)
    await expect(orders).toBeEmptyStream()
    await append(orders, 'a', 'b')
    await expect(orders).toHaveTail(2)
    await expect(orders).not.toBeEmptyStream()
    await append(orders, AppendRecord.trim(3))
    await expect({ basin: t.basin, stream: 'orders' }).toHaveTail(3)
    await expect({ basin: t.basin, stream: 'orders' }).toBeEmptyStream()
  })

  it('fail saying what the stream holds', async () => {
    const orders = t.stream('orders')
    await append(orders, 'a', AppendRecord.string({ body: 'b', headers: [['k', 'v']] }))
    expect(await failure(expect(orders).toHaveTail(5))).toMatchInlineSnapshot(`
      "expect(stream).toHaveTail(seqNum)

      Stream matchers-basin/orders has its tail (the next seqNum it assigns) at 2; expected 5 (3 fewer appended than expected)."
    `)
    expect(await failure(expect(orders).not.toHaveTail(2))).toMatchInlineSnapshot(`
      "expect(stream).not.toHaveTail(seqNum)

      Expected stream matchers-basin/orders not to have its tail at 2, but it does."
    `)
    expect(await failure(expect(orders).toBeEmptyStream())).toMatchInlineSnapshot(`
      "expect(stream).toBeEmptyStream()

      Stream matchers-basin/orders holds 2 records (seqNum 0 to 1); expected none:
        seqNum 0: { headers: [], body: "a" }
        seqNum 1: { headers: [["k", "v"]], body: "b" }"
    `)
    await append(orders, AppendRecord.trim(3)) // trims the trim command itself too
    expect(await failure(expect(orders).not.toBeEmptyStream())).toMatchInlineSnapshot(`
      "expect(stream).not.toBeEmptyStream()

      Expected stream matchers-basin/orders to hold records, but it holds none (its tail is at 3: every record was trimmed or has expired)."
    `)
  })
})

describe('s2Record', () => {
  it('matches records the SDK read, as strings or bytes, in toEqual', async () => {
    const orders = t.stream('orders')
    await append(orders, AppendRecord.string({ body: 'a', headers: [['type', 'created']] }), 'b')
    const batch = await orders.read({ start: { from: { seqNum: 0 } } })
    expect(batch.records).toEqual([expect.s2Record({ body: 'a', headers: { type: 'created' } }), s2Record('b')])
    const bytes = await orders.read({ start: { from: { seqNum: 0 } } }, { as: 'bytes' })
    expect(bytes.records).toEqual([s2Record({ seqNum: 0, body: 'a' }), expect.not.s2Record('a')])
    expect(batch.records[0]).not.toEqual(s2Record('b'))
    expect(() => expect(batch.records).toEqual([s2Record('a'), s2Record('c')])).toThrow()
    expect(s2Record({ body: 'c', seqNum: 2 }).toAsymmetricMatcher()).toBe('s2Record<{ body: "c", seqNum: 2 }>')
  })
})

describe('bad subjects and patterns', () => {
  it('say what they take, with .not too, instead of passing or failing', async () => {
    await expect(expect('orders').toHaveRecords([])).rejects.toThrow(
      "[s2-emulator] toHaveRecords takes a stream: an SDK handle (basin.stream(name)) or a { basin, stream } reference; got string orders",
    )
    await expect(expect(t.stream('orders')).not.toHaveRecords([{ bodyy: 'a' } as never])).rejects.toThrow(
      '[s2-emulator] toHaveRecords: expected[0]: unknown field "bodyy" in a record pattern; the fields are body, headers, seqNum, timestamp, command, fencingToken, trimPoint',
    )
    await expect(expect({ basin: t.basin, stream: 'missing' }).not.toHaveRecords([])).rejects.toThrow(/stream_not_found/)
    await expect(expect(t.stream('missing')).not.toBeEmptyStream()).rejects.toThrow(/not found/)
  })

  it('a reference without a namespace bound says how to bind one; an explicit one needs none', async (ctx) => {
    bindS2Namespace(null, ctx.task)
    await expect(expect({ basin: t.basin, stream: 'orders' }).toBeEmptyStream()).rejects.toThrow(
      "[s2-emulator] toBeEmptyStream: a { basin, stream } reference is read in the test's namespace, and none is bound: use the s2Emulator fixture of s2-emulator/vitest (or the jest environment of s2-emulator/jest), call bindS2Namespace(ns) in beforeEach, or pass { basin, stream, namespace: ns }",
    )
    await expect({ basin: t.basin, stream: 'orders', namespace: t.ns }).toBeEmptyStream()
    bindS2Namespace(t.ns) // for every test: what a jest setup file may do
    try {
      await expect({ basin: t.basin, stream: 'orders' }).toBeEmptyStream()
    } finally {
      bindS2Namespace(null)
    }
    // The jest environment of s2-emulator/jest gives each test a namespace as the global s2Emulator.
    Object.defineProperty(globalThis, 's2Emulator', { configurable: true, get: () => t.ns })
    try {
      await expect({ basin: t.basin, stream: 'orders' }).toBeEmptyStream()
    } finally {
      delete (globalThis as { s2Emulator?: unknown }).s2Emulator
    }
  })
})
