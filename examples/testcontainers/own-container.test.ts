import { S2 } from '@s2-dev/streamstore'
import { expect, it } from 'vitest'
import { S2EmulatorContainer } from 's2-emulator/testcontainers'

it('starts a container of its own, seeded and on a virtual clock', async () => {
  await using emulator = await new S2EmulatorContainer()
    .withInit({ basins: [{ name: 'seeded-basin', streams: [{ name: 'events' }] }] })
    .withClock('virtual', { startTime: '2030-01-01T00:00:00Z' })
    .start()
  const s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.getUrl(), basin: emulator.getUrl() } })
  expect((await s2.basins.list()).basins.map((b) => b.name)).toEqual(['seeded-basin'])
  await emulator.getControls().clock.advance('1d')
  expect((await emulator.getControls().clock.get()).iso).toBe('2030-01-02T00:00:00.000Z')
})
