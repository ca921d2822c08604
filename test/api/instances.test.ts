import { describe, expect, it } from 'vitest'
import { startS2Emulator, S2EmulatorError } from 's2-emulator'
import { raw } from '../support/emulator.ts'

describe('startS2Emulator', () => {
  it('runs many independent emulators in one process', async () => {
    const emulators = await Promise.all([0, 1, 2].map(() => startS2Emulator({ port: 0 })))
    try {
      expect(new Set(emulators.map((e) => e.port)).size).toBe(3)
      await raw(emulators[0]!.url, 'POST', '/v1/basins', { body: { basin: 'only-in-first' } })
      const lists = await Promise.all(emulators.map((e) => raw(e.url, 'GET', '/v1/basins')))
      expect(lists.map((l) => (l.json as { basins: unknown[] }).basins.length)).toEqual([1, 0, 0])
    } finally {
      await Promise.all(emulators.map((e) => e.stop()))
    }
  })

  it('reports its url, port and the environment for the SDKs', async () => {
    await using emulator = await startS2Emulator()
    expect(emulator.host).toBe('127.0.0.1')
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`)
    expect(emulator.env).toEqual({
      S2_ACCOUNT_ENDPOINT: emulator.url,
      S2_BASIN_ENDPOINT: emulator.url,
      S2_ACCESS_TOKEN: 'ignored',
    })
    expect((await raw(emulator.url, 'GET', '/health')).text).toBe('OK')
  })

  it('frees the port on stop, and stop can be called twice', async () => {
    const emulator = await startS2Emulator()
    await Promise.all([emulator.stop(), emulator.stop()])
    await emulator.stop()
    const again = await startS2Emulator({ port: emulator.port })
    expect(again.port).toBe(emulator.port)
    await again.stop()
  })

  it('refuses a port in use with S2EMU_PORT_IN_USE', async () => {
    await using first = await startS2Emulator()
    const error = await startS2Emulator({ port: first.port }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect(error).toMatchObject({ code: 'S2EMU_PORT_IN_USE' })
    expect((error as Error).message).toContain(`port ${first.port}`)
  })

  it('lists every invalid option at once', async () => {
    const error = await startS2Emulator({ port: -1, deletionDelayMs: -5, heartbeatMs: [10, 1] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'S2EMU_BAD_OPTIONS' })
    const message = (error as Error).message
    expect(message).toMatch(/^\[s2-emulator\] invalid options: /)
    for (const field of ['port', 'deletionDelayMs', 'heartbeatMs']) expect(message).toContain(field)
  })
})
