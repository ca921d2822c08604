import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it, vi } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'
import { sdkAt, useTempDirs } from '../support/cassettes.ts'
import { childEnv, killAll, run, spawnProcess, started } from '../support/process.ts'

/** `s2-emulator record | replay | verify` as a user runs them (`node src/cli.ts ...`). */

// Each command starts a Node process; on a busy machine a few of them take a while.
vi.setConfig({ testTimeout: 60_000 })

const tempDir = useTempDirs()
const upstreams: S2Emulator[] = []
afterEach(async () => {
  await killAll()
  await Promise.all(upstreams.splice(0).map((u) => u.stop()))
})
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnProcess(process.execPath, ['src/cli.ts', ...args], { env: { ...childEnv(), ...env } })

async function recordOneBasin(path: string): Promise<S2Emulator> {
  const upstream = await startS2Emulator({ port: 0 })
  upstreams.push(upstream)
  const p = cli(['record', '--upstream', upstream.url, '--cassette', path, '--port', '0', '--redact-header', 'x-team'])
  const { url } = await started(p)
  expect(p.stdout()).toContain(`(mode record): recording ${upstream.url} into ${path}`)
  await sdkAt(url).basins.create({ basin: 'cli-basin-1' })
  p.child.kill('SIGTERM')
  expect(await p.exited).toEqual({ code: 0, signal: null })
  expect(p.stdout()).toContain(`recorded 1 exchange(s) into ${path}`)
  return upstream
}

it('record saves the cassette on SIGTERM; replay answers from it, lists its misses on exit and exits 1 for them', async () => {
  const path = join(tempDir(), 'cli.json')
  await recordOneBasin(path)
  expect(JSON.parse(readFileSync(path, 'utf8')).redaction.headers).toContain('x-team')

  const p = cli(['replay', '--cassette', path, '--port', '0'])
  const { url } = await started(p)
  const s2 = sdkAt(url)
  expect((await s2.basins.create({ basin: 'cli-basin-1' })).name).toBe('cli-basin-1')
  await expect(s2.basins.create({ basin: 'cli-basin-2' })).rejects.toMatchObject({ status: 599, code: 'cassette_miss' })
  p.child.kill('SIGTERM')
  expect(await p.exited).toEqual({ code: 1, signal: null })
  expect(p.stdout()).toContain('replayed 1 exchange(s)')
  expect(p.stdout()).toContain('1 request(s) had no recorded answer:\n  - no recorded exchange matches POST /v1/basins; the nearest is #1, which differs in body at basin: recorded "cli-basin-1", got "cli-basin-2"')
})

it('S2_EMULATOR_CASSETTE_MODE=replay turns record into replay', async () => {
  const path = join(tempDir(), 'locked.json')
  const upstream = await recordOneBasin(path)
  const before = readFileSync(path)
  const p = cli(['record', '--upstream', upstream.url, '--cassette', path, '--port', '0'], { S2_EMULATOR_CASSETTE_MODE: 'replay' })
  const { url } = await started(p)
  expect(p.stdout()).toContain('(mode replay)')
  await expect(sdkAt(url).basins.create({ basin: 'cli-basin-9' })).rejects.toMatchObject({ status: 599 })
  p.child.kill('SIGTERM')
  await p.exited
  expect(readFileSync(path).equals(before)).toBe(true)
})

it('verify exits 0 when the emulator answers as recorded, 1 with the differences otherwise', async () => {
  const path = join(tempDir(), 'verify.json')
  await recordOneBasin(path)
  const same = await run(process.execPath, ['src/cli.ts', 'verify', '--cassette', path])
  expect(same).toMatchObject({ code: 0, stdout: 'verify: 1 exchange(s) against in-process emulator; no differences\n' })

  const dup = join(tempDir(), 'dup.json')
  const upstream = await startS2Emulator({ port: 0 })
  upstreams.push(upstream)
  await sdkAt(upstream.url).basins.create({ basin: 'cli-basin-1' })
  const p = cli(['record', '--upstream', upstream.url, '--cassette', dup, '--port', '0'])
  const { url } = await started(p)
  await sdkAt(url).basins.create({ basin: 'cli-basin-1' }).catch(() => {}) // 409 upstream: it already exists there
  p.child.kill('SIGTERM')
  await p.exited
  const differs = await run(process.execPath, ['src/cli.ts', 'verify', '--cassette', dup])
  expect(differs.code).toBe(1)
  expect(differs.stdout).toContain('#1 create_basin: POST /v1/basins\n      status: recorded 409, emulator 201')
})

it('rejects bad command lines with exit code 2, and documents the mode variable in --help', async () => {
  const [noCassette, noUpstream, wrongFlag, help] = await Promise.all([
    run(process.execPath, ['src/cli.ts', 'replay']),
    run(process.execPath, ['src/cli.ts', 'record', '--cassette', 'x.json']),
    run(process.execPath, ['src/cli.ts', 'verify', '--cassette', 'x.json', '--timing', 'fast']),
    run(process.execPath, ['src/cli.ts', 'record', '--help']),
  ])
  expect(noCassette).toMatchObject({ code: 2, stderr: expect.stringContaining("'replay' needs --cassette <file>") })
  expect(noUpstream).toMatchObject({ code: 2, stderr: expect.stringContaining("'record' needs --upstream <url>") })
  expect(wrongFlag).toMatchObject({ code: 2, stderr: expect.stringContaining("--timing is not an option of 'verify'") })
  expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('S2_EMULATOR_CASSETTE_MODE') })
  expect(existsSync('x.json')).toBe(false)
})
