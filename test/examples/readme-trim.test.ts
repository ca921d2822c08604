import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

let emulator: S2Emulator
let s2: S2
beforeAll(async () => {
  emulator = await startS2Emulator({ clock: 'virtual', trimDelayMs: 100 }) // 100 is the default
  s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url } })
})
afterAll(() => emulator.stop())

it('trims in the background, and a reader already following keeps every record', async () => {
  await s2.basins.create({ basin: 'trim-demo' })
  await s2.basin('trim-demo').streams.create({ stream: 'chat' })
  const chat = s2.basin('trim-demo').stream('chat')
  const follower = await chat.readSession({ start: { from: { seqNum: 0 } } })
  await chat.append(AppendInput.create([AppendRecord.string({ body: 'hello' }), AppendRecord.string({ body: 'bye' })]))
  await chat.append(AppendInput.create([AppendRecord.trim(2 ** 53 - 1), AppendRecord.fence('done')]))

  const read = () => chat.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
  expect((await read()).records).toHaveLength(4) // still there: background work trims 100 ms later
  await emulator.clock.advance(100)
  expect((await read()).records.map((r) => r.seqNum)).toEqual([3]) // only the fence is left

  const seen: number[] = []
  for await (const record of follower) {
    seen.push(record.seqNum)
    if (seen.length === 4) break
  }
  expect(seen).toEqual([0, 1, 2, 3]) // the follower got every record, in the order appended
  await chat.close()
})
