import { AppendInput, AppendRecord } from '@s2-dev/streamstore'
import { describe, expect, it } from 'vitest'
import { useEmulator } from '../support/emulator.ts'

const t = useEmulator({ heartbeatMs: 50 })

describe('sessions smoke', () => {
  for (const transport of ['s2s', 'fetch'] as const) {
    it(`append and read sessions over ${transport}`, async () => {
      const { basin, stream: name } = await t.stream()
      const stream = t.s2.basin(basin).stream(name, { forceTransport: transport })
      const session = await stream.appendSession()
      const acks = []
      for (let i = 0; i < 5; i++) {
        const ticket = await session.submit(AppendInput.create([AppendRecord.string({ body: `r${i}` })]))
        acks.push(ticket.ack())
      }
      const resolved = await Promise.all(acks)
      expect(resolved.map((a) => a.start.seqNum)).toEqual([0, 1, 2, 3, 4])
      await session.close()
      const read = await stream.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 5 } } })
      const bodies: string[] = []
      for await (const record of read) bodies.push(record.body)
      expect(bodies).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
      await stream.close()
    })
  }
})
