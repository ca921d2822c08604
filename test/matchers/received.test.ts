import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { startS2Emulator } from '../../src/index.ts'
import { append, failure, useMatcherEmulator } from './support.ts'

/**
 * `toHaveReceived`: request verification against the journal (WireMock's `verify`), by operation,
 * basin, stream, transport, status, headers and the records appended, with counts; failures list
 * the closest requests and which of their fields did not match.
 */

const t = useMatcherEmulator('received')

describe('toHaveReceived', () => {
  it('matches by operation, basin, stream, transport and status, and counts', async () => {
    const orders = t.stream('orders')
    await append(orders, 'order-1')
    await append(orders, 'order-2')
    await t.stream('typo').checkTail().catch(() => {})
    await expect(t.ns).toHaveReceived({ operation: 'append', basin: t.basin, stream: 'orders', transport: 'unary', status: 200 }, 2)
    await expect(t.ns).toHaveReceived({ operation: ['append', 'check_tail'] }, { atLeast: 3 })
    await expect(t.ns).toHaveReceived({ stream: 'typo', status: 404 }, { times: 1 })
    await expect(t.ns).toHaveReceived({ operation: 'append' }, { atLeast: 1, atMost: 2 })
    await expect(t.ns).not.toHaveReceived({ operation: 'append' }, 3)
    await expect(t.ns).not.toHaveReceived({ operation: 'delete_stream' })
    await expect(t.ns).toHaveReceived({ operation: 'delete_stream' }, 0)
  })

  it('matches the records an append carried, by body, headers and timestamp, and in an S2S session across its inputs', async () => {
    const orders = t.stream('orders')
    await append(orders, AppendRecord.string({ body: 'order-1', headers: [['type', 'created']], timestamp: 1234 }), 'order-2')
    await expect(t.ns).toHaveReceived({ operation: 'append', records: ['order-1', 'order-2'] })
    await expect(t.ns).toHaveReceived({ records: [{ body: 'order-1', headers: { type: 'created' }, timestamp: 1234 }, { timestamp: null }] })
    await expect(t.ns).toHaveReceived({ records: expect.arrayContaining([expect.s2Record('order-2')]) })
    await expect(t.ns).not.toHaveReceived({ records: ['order-1'] })

    const session = await orders.appendSession()
    await (await session.submit(AppendInput.create([AppendRecord.string({ body: 'a' })]))).ack()
    await (await session.submit(AppendInput.create([AppendRecord.bytes({ body: Uint8Array.from([0xff]) })]))).ack()
    await session.close()
    await expect(t.ns).toHaveReceived({ transport: 's2s', records: ['a', Uint8Array.from([0xff])] })
  })

  it('matches request headers; the values of secrets are never kept, only that they were sent', async () => {
    await t.stream('orders').checkTail()
    await expect(t.ns).toHaveReceived({ operation: 'check_tail', headers: { 'S2-Basin': t.basin, authorization: expect.any(String) } })
    expect(await failure(expect(t.ns).toHaveReceived({ operation: 'check_tail', headers: { authorization: `Bearer ${t.ns.token}`, 'x-trace': 'a' } }))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveReceived(request)

      Expected namespace ns-2a7890ac423ee0d1df45 to have received at least one request matching
        { operation: "check_tail", headers: { authorization: "Bearer received-3", "x-trace": "a" } }
      Its journal holds 1 request; 0 match.

      Closest requests:
        #6 check_tail matchers-basin/orders (unary, 200)
          headers["authorization"]: expected "Bearer received-3", received "[redacted]" (its value is never kept: match that it was sent with expect.any(String))
          headers["x-trace"]: expected "a", received nothing (not sent)"
    `)
  })

  it('fails listing the closest requests and, for each, the fields that did not match', async () => {
    const orders = t.stream('orders')
    await append(orders, 'order-1', 'order-2')
    await orders.checkTail()
    await append(t.stream('refunds'), 'refund-1')
    expect(await failure(expect(t.ns).toHaveReceived({ operation: 'append', stream: 'orders', records: ['order-1', 'order-3'] }))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveReceived(request)

      Expected namespace ns-cc70fd01a237c0127324 to have received at least one request matching
        { operation: "append", stream: "orders", records: ["order-1", "order-3"] }
      Its journal holds 3 requests; 0 match.

      Closest requests:
        #7 append matchers-basin/orders (unary, 200, 2 records)
          records[1].body: expected "order-3", received "order-2"
        #9 append matchers-basin/refunds (unary, 200, 1 record)
          stream: expected "orders", received "refunds"
          records.length: expected 2, received 1
        #8 check_tail matchers-basin/orders (unary, 200)
          operation: expected "append", received "check_tail""
    `)
    expect(await failure(expect(t.ns).toHaveReceived({ operation: 'append' }, 1))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveReceived(request, times)

      Expected namespace ns-cc70fd01a237c0127324 to have received exactly 1 request matching
        { operation: "append" }
      Its journal holds 3 requests; 2 match:
        #7 append matchers-basin/orders (unary, 200, 2 records)
        #9 append matchers-basin/refunds (unary, 200, 1 record)"
    `)
    expect(await failure(expect(t.ns).not.toHaveReceived({ stream: 'orders' }))).toMatchInlineSnapshot(`
      "expect(namespace).not.toHaveReceived(request)

      Expected namespace ns-cc70fd01a237c0127324 not to have received any request matching
        { stream: "orders" }
      but it received 2 matching requests:
        #7 append matchers-basin/orders (unary, 200, 2 records)
        #8 check_tail matchers-basin/orders (unary, 200)"
    `)
  })

  it('says when the journal is empty', async () => {
    expect(await failure(expect(t.ns).toHaveReceived({ operation: 'append' }))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveReceived(request)

      Expected namespace ns-7bf4fc65ec995658293d to have received at least one request matching
        { operation: "append" }
      Its journal is empty (nothing was sent, or the journal is off: journalSize 0)."
    `)
  })

  it("on a { basin, stream } reference, counts that stream's requests only", async () => {
    await append(t.stream('orders'), 'o')
    await append(t.stream('refunds'), 'r')
    await expect({ basin: t.basin, stream: 'orders' }).toHaveReceived({ operation: 'append' }, 1)
    await expect({ basin: t.basin, stream: 'refunds' }).toHaveReceived({ records: ['r'] }, 1)
    await expect({ basin: t.basin, stream: 'refunds' }).not.toHaveReceived({ records: ['o'] })
  })

  it("on the emulator's controls, sees every namespace's requests, each with its namespace", async () => {
    await append(t.stream('orders'), 'mine')
    await expect(t.emulator).toHaveReceived({ namespace: t.ns.name, records: ['mine'] }, 1)
    await expect(t.emulator).not.toHaveReceived({ namespace: 'default', records: ['mine'] })
  })

  it('rejects a pattern with an unknown field or a bad count, with .not too', async () => {
    await expect(expect(t.ns).not.toHaveReceived({ op: 'append' } as never)).rejects.toThrow(
      '[s2-emulator] toHaveReceived: unknown field "op" in a request pattern; the fields are operation, basin, stream, transport, status, headers, records, namespace',
    )
    await expect(expect(t.ns).toHaveReceived({}, { atLeast: 3, atMost: 1 })).rejects.toThrow('atLeast (3) is more than atMost (1)')
    await expect(expect(t.stream('orders')).toHaveReceived({})).rejects.toThrow(/takes a namespace handle/)
  })
})

describe('toHaveReceived with bounded record content', () => {
  it('says when the journal kept only part of the records', async () => {
    await using emulator = await startS2Emulator({ journalRecordBytes: 12 })
    const res = await fetch(`${emulator.url}/v1/streams/s/records`, {
      method: 'POST',
      headers: { 's2-basin': 'bounded-basin', 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ body: 'first-12345' }, { body: 'second-12345' }] }),
    })
    expect(res.status).toBe(404) // no such basin: the journal keeps what was sent all the same
    await expect(emulator).toHaveReceived({ records: ['first-12345', expect.anything()] })
    expect(await failure(expect(emulator).toHaveReceived({ records: ['first-12345', 'second-12345'] }))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveReceived(request)

      Expected the emulator to have received at least one request matching
        { records: ["first-12345", "second-12345"] }
      Its journal holds 1 request; 0 match.

      Closest requests:
        #1 append bounded-basin/s (unary, 404, 2 records)
          records[1].body: expected "second-12345", received "s" (the journal kept only the start of this body, within journalRecordBytes)"
    `)
  })
})
