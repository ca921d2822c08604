import { S2 } from '@s2-dev/streamstore'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

let emulator: S2Emulator
let s2: S2
beforeAll(async () => {
  emulator = await startS2Emulator()
  s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url } })
})
afterAll(() => emulator.stop())

it('creates a basin', async () => {
  await s2.basins.create({ basin: 'orders-test-1' })
  const { basins } = await s2.basins.list({ prefix: 'orders-' })
  expect(basins.map((b) => b.name)).toEqual(['orders-test-1'])
})
