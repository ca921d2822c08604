import { afterEach, describe, expect, it } from 'vitest'
import { connectS2Emulator, startS2Emulator, type S2Emulator } from 's2-emulator'
import { startRunTarget, type RunningTarget } from '../../src/runner/run-target.ts'
import { canBind, holdPort } from '../support/process.ts'

/** What the plugin and the globalSetup modules (vitest's and jest's) do in the runner's main process. */

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop()
})
const track = <T extends RunningTarget | S2Emulator>(value: T): T => {
  cleanup.push(() => value.stop())
  return value
}

describe('startRunTarget', () => {
  it('starts an emulator that gives each test a namespace, and stop frees its port', async () => {
    const run = track(await startRunTarget({ clock: 'virtual', startTime: '2030-01-01T00:00:00Z' }, {}))
    if (run.target.kind !== 'emulator') throw new Error('expected an emulator')
    const emulator = connectS2Emulator(run.target.url)
    const namespace = await emulator.createNamespace() // isolation is by token
    expect((await namespace.clock.get()).iso).toBe('2030-01-01T00:00:00.000Z') // the options reach it
    await run.stop()
    expect(await canBind(Number(new URL(run.target.url).port))).toBe(true)
  })

  it('takes the emulator S2_EMULATOR_URL names, with its admin token, and leaves it running', async () => {
    const emulator = track(await startS2Emulator({ isolation: 'token', adminToken: 'admin-secret' }))
    const run = await startRunTarget({}, { S2_EMULATOR_URL: `${emulator.url}/`, S2_EMULATOR_ADMIN_TOKEN: 'admin-secret' })
    expect(run.target).toEqual({ kind: 'emulator', url: emulator.url, adminToken: 'admin-secret' })
    await run.stop()
    expect((await emulator.namespaces()).filter((n) => n.name !== 'default')).toEqual([]) // its check left nothing behind
    await emulator.createNamespace() // still serving
  })

  it('refuses an emulator that does not isolate tokens, saying how to fix it', async () => {
    const emulator = track(await startS2Emulator())
    await expect(startRunTarget({}, { S2_EMULATOR_URL: emulator.url })).rejects.toThrow(
      expect.objectContaining({
        code: 'S2EMU_UNREACHABLE',
        message: expect.stringMatching(new RegExp(`S2_EMULATOR_URL is ${emulator.url}, but it cannot serve this run: .*isolation`)),
      }),
    )
  })

  it('refuses an emulator whose admin token it lacks, and one that does not answer', async () => {
    const guarded = track(await startS2Emulator({ isolation: 'token', adminToken: 'admin-secret' }))
    await expect(startRunTarget({}, { S2_EMULATOR_URL: guarded.url })).rejects.toThrow(/cannot serve this run: .*401/)
    const port = await holdPort()
    const nobody = `http://127.0.0.1:${port.port}`
    await port.close()
    await expect(startRunTarget({}, { S2_EMULATOR_URL: nobody })).rejects.toThrow(expect.objectContaining({ code: 'S2EMU_UNREACHABLE' }))
  })

  it('targets a real S2 without starting anything, when told to', async () => {
    const env = { S2_EMULATOR_TARGET: 'real', S2_ACCESS_TOKEN: 'token', S2_EMULATOR_URL: 'http://127.0.0.1:1' }
    expect((await startRunTarget({}, env)).target).toEqual({
      kind: 'real',
      accountEndpoint: 'https://a.s2.dev',
      basinEndpoint: 'https://{basin}.b.s2.dev',
      accessToken: 'token',
    })
    await expect(startRunTarget({ target: 'real' }, {})).rejects.toThrow(/S2_ACCESS_TOKEN is not set/)
  })
})
