import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'

const t = useEmulator()

describe('the official SDK against the emulator', () => {
  it('creates a basin and a stream, appends and reads back', async () => {
    const basinName = await t.basin()
    const basin = t.s2.basin(basinName)
    await basin.streams.create({ stream: 'orders' })
    const stream = basin.stream('orders')
    const ack = await stream.append(
      AppendInput.create([AppendRecord.string({ body: 'hello', headers: [['k', 'v']] }), AppendRecord.string({ body: 'x' })]),
    )
    expect(ack.start.seqNum).toBe(0)
    expect(ack.end.seqNum).toBe(2)
    const batch = await stream.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
    expect(batch.records.map((r) => r.body)).toEqual(['hello', 'x'])
    const tail = await stream.checkTail()
    expect(tail.tail.seqNum).toBe(2)
  })
})
