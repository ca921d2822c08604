import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { raw } from '../support/emulator.ts'
import { groupAlive, killAll, spawnProcess, started, until, type Spawned } from '../support/process.ts'
import { appendBodies, bodiesOf, createBasin, createStream, type RawFn } from '../support/state.ts'

/**
 * `--persist DIR` on the command line saves the state when the process is told to stop, however
 * the signal arrives: Ctrl-C to an `npm start` job (the terminal signals the whole job and npm
 * forwards the signal once more), a signal repeated at once, or one sent the moment the port opens.
 */

let base = ''
afterEach(async () => {
  await killAll()
})
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true })
})

async function persistDir(): Promise<string> {
  base ||= await mkdtemp(join(tmpdir(), 's2emu-signals-'))
  return mkdtemp(join(base, 'case-'))
}

const cli = (dir: string): Spawned => spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--persist', dir])
const rawOf = (url: string): RawFn => (method, path, init) => raw(url, method, path, init)

async function writeSome(r: RawFn, basin: string): Promise<void> {
  await createBasin(r, basin)
  await createStream(r, basin, 'orders')
  await appendBodies(r, basin, 'orders', ['one', 'two', 'three'])
}

/** Starts the CLI on `dir` again and reads back what `writeSome` wrote. */
async function readBack(dir: string, basin: string): Promise<string[]> {
  const again = cli(dir)
  const { url } = await started(again)
  const bodies = await bodiesOf(rawOf(url), basin, 'orders')
  again.child.kill('SIGTERM')
  await again.exited
  return bodies
}

describe('--persist saves on stop signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('an npm start job whose process group gets %s (Ctrl-C, kill -- -PGID) saves its state and exits 0', { timeout: 60_000 }, async (signal) => {
    const dir = await persistDir()
    const p = spawnProcess('npm', ['start', '--', '--port', '0', '--persist', dir], { detached: true })
    const { url } = await started(p)
    await writeSome(rawOf(url), 'signals-npm')
    process.kill(-p.pid, signal)
    expect(await p.exited).toEqual({ code: 0, signal: null })
    await until(() => !groupAlive(p.pid))
    expect(p.stdout()).toContain(`state saved to ${join(dir, 'state.s2snap')}`)
    expect(await readBack(dir, 'signals-npm')).toEqual(['one', 'two', 'three'])
  })

  it('two SIGINTs 5 ms apart save the state once and exit 0', { timeout: 60_000 }, async () => {
    const dir = await persistDir()
    const p = cli(dir)
    const { url } = await started(p)
    await writeSome(rawOf(url), 'signals-twice')
    p.child.kill('SIGINT')
    await delay(5)
    p.child.kill('SIGINT')
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(p.stdout()).toContain('SIGINT received again; already stopping')
    expect(p.stdout().match(/state saved to/g)).toHaveLength(1)
    expect(await readBack(dir, 'signals-twice')).toEqual(['one', 'two', 'three'])
  })

  it('a SIGTERM sent the moment the port opens stops the emulator cleanly', { timeout: 60_000 }, async () => {
    const dir = await persistDir()
    const p = cli(dir)
    await p.waitFor(/listening on/)
    p.child.kill('SIGTERM')
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(p.stdout()).toContain('SIGTERM received, stopping')
    expect(p.stdout()).toContain('state saved to')
  })
})
