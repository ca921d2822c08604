import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { parseCli, USAGE, UsageError } from '../src/cli/args.ts'
import { OPTION_ENV } from '../src/cli/env.ts'
import { childEnv, holdPort, httpGet, killAll, run, spawnProcess, started, type Spawned } from './support/process.ts'

/**
 * Every option of `s2-emulator serve` can come from an `S2E_*` environment variable (for containers);
 * a flag on the command line wins. Most cases compare what the parser makes of a flag and of its
 * variable; a few run the CLI as a container does, with variables only.
 */

const dir = mkdtempSync(join(tmpdir(), 's2e-cli-env-'))
const file = (name: string, value: unknown): string => {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}
const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCli(argv, env)
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`)
  return command
}
const cli = (args: string[], env: Record<string, string>): Spawned =>
  spawnProcess(process.execPath, ['src/cli.ts', ...args], { env: { ...childEnv(), ...env } })

afterEach(async () => {
  await killAll()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const faults = file('faults.json', { seed: 7, rules: [{ match: { operation: 'append' }, action: { type: 'error', status: 503 } }] })
/** Each option: its flag's arguments, and the value its variable takes for the same meaning. */
const SAME_MEANING: [keyof typeof OPTION_ENV, string[], string][] = [
  ['port', ['--port', '5999'], '5999'],
  ['host', ['--host', '0.0.0.0'], '0.0.0.0'],
  ['cors', ['--no-cors'], 'false'],
  ['isolation', ['--isolation', 'token'], 'token'],
  ['clock', ['--clock', 'virtual'], 'virtual'],
  ['start-time', ['--start-time', '2026-01-02T03:04:05Z'], '2026-01-02T03:04:05Z'],
  ['deletion-delay', ['--deletion-delay', '250'], '250'],
  ['heartbeat', ['--heartbeat', '100-200'], '100-200'],
  ['faults', ['--faults', faults], faults],
  ['fault-seed', ['--fault-seed', '42'], '42'],
  ['init', ['--init', '/seed/init.json'], '/seed/init.json'],
  ['records', ['--records', '/seed/a.ndjson', '--records', '/seed/b.json'], '/seed/a.ndjson,/seed/b.json'],
  ['journal-size', ['--journal-size', '0'], '0'],
  ['journal-record-bytes', ['--journal-record-bytes', '0'], '0'],
  ['journal-namespace-bytes', ['--journal-namespace-bytes', '1024'], '1024'],
  ['snapshot', ['--snapshot', '/seed/fixture.s2snap'], '/seed/fixture.s2snap'],
  ['persist', ['--persist', '/data'], '/data'],
]

describe('S2E_* variables', () => {
  it('exist for every option that --help lists, except --help, --version and the --init-file alias', () => {
    const flags = [...USAGE.matchAll(/^ {2,6}(?:-\w, )?--(?:no-)?([\w-]+)/gm)].map(([, name]) => name as string)
    const withVariables = flags.filter((flag) => !['help', 'version', 'init-file'].includes(flag))
    expect(withVariables.sort()).toEqual(Object.keys(OPTION_ENV).sort())
    for (const name of Object.values(OPTION_ENV)) expect(USAGE).toContain(name)
  })

  it.each(SAME_MEANING)('%s: the variable sets what the flag sets', (option, flag, value) => {
    const fromFlag = serve(flag)
    const fromVariable = serve([], { [OPTION_ENV[option]]: value })
    expect(fromVariable.options).toEqual(fromFlag.options)
    expect(fromVariable.options).not.toEqual(serve([]).options)
    expect(fromVariable.fromEnv).toEqual({ [OPTION_ENV[option]]: value })
    expect(fromFlag.fromEnv).toEqual({})
  })

  it.each(SAME_MEANING)('%s: a flag wins over the variable', (option, flag, value) => {
    const other: Partial<Record<keyof typeof OPTION_ENV, string>> = { port: '6000', host: '127.0.0.2', cors: 'true', isolation: 'none',
      clock: 'system', 'start-time': '0', 'deletion-delay': '1', heartbeat: '9', faults: '/does/not/exist.json', 'fault-seed': '1',
      init: '/x.json', records: '/x.ndjson', 'journal-size': '5', 'journal-record-bytes': '7', 'journal-namespace-bytes': '8', snapshot: '/x.s2snap', persist: '/x' }
    expect(value).not.toBe(other[option])
    expect(serve(flag, { [OPTION_ENV[option]]: other[option] }).options).toEqual(serve(flag).options)
  })

  it('counts an empty variable as unset', () => {
    const empty = Object.fromEntries(Object.values(OPTION_ENV).map((name) => [name, '']))
    expect(serve([], empty)).toEqual(serve([]))
  })

  it('takes S2E_INIT before s2-lite\'s S2LITE_INIT_FILE, and --init before both', () => {
    expect(serve([], { S2E_INIT: '/a.json', S2LITE_INIT_FILE: '/b.json' }).options.init).toBe('/a.json')
    expect(serve([], { S2LITE_INIT_FILE: '/b.json' }).options.init).toBe('/b.json')
    expect(serve(['--init', '/c.json'], { S2E_INIT: '/a.json', S2LITE_INIT_FILE: '/b.json' }).options.init).toBe('/c.json')
  })

  it.each([
    ['S2E_PORT', '70000'],
    ['S2E_CORS', 'maybe'],
    ['S2E_ISOLATION', 'all'],
    ['S2E_CLOCK', 'fast'],
    ['S2E_START_TIME', 'yesterday'],
    ['S2E_DELETION_DELAY', '-1'],
    ['S2E_HEARTBEAT', 'soon'],
    ['S2E_FAULTS', join(dir, 'missing.json')],
    ['S2E_FAULT_SEED', 'x'],
    ['S2E_JOURNAL_SIZE', '1e3'],
  ])('rejects a bad %s=%s with a message naming the variable and the value', (name, value) => {
    expect(() => parseCli([], { [name]: value })).toThrow(UsageError)
    expect(() => parseCli([], { [name]: value })).toThrow(new RegExp(`^${name}\\b.*${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
  })

  it('exits 2 for a bad variable, saying what is wrong on stderr', async () => {
    const result = await run(process.execPath, ['src/cli.ts'], { env: { ...childEnv(), S2E_PORT: 'abc' } })
    expect(result).toMatchObject({ code: 2, stdout: '' })
    expect(result.stderr).toContain("s2-emulator: S2E_PORT must be an integer from 0 to 65535, got 'abc'")
  })

  it('names the variables it used when the emulator cannot start with them (exit 1)', async () => {
    const init = file('bad-init.json', { basins: [{ name: 'env-bad-basin', streams: [{ name: 'a' }, { name: 'a' }] }] })
    const result = await run(process.execPath, ['src/cli.ts'], { env: { ...childEnv(), S2E_PORT: '0', S2E_INIT: init } })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`init file ${init} is invalid`)
    expect(result.stderr).toContain(`options set by the environment: S2E_PORT=0 S2E_INIT=${init}`)
  })
})

describe('the CLI configured by variables only, as in a container', () => {
  it('serves where S2E_PORT and S2E_HOST say, with the faults of S2E_FAULTS armed and CORS off', async () => {
    const held = await holdPort()
    await held.close()
    const p = cli([], { S2E_PORT: String(held.port), S2E_HOST: '127.0.0.1', S2E_FAULTS: faults, S2E_CORS: 'false' })
    const { url, port } = await started(p)
    expect(port).toBe(held.port)
    expect(p.stdout()).toContain('fault seed: 7 (1 fault rule(s) armed)')
    const basins = await httpGet(`${url}/v1/basins`, { origin: 'https://ci.example.test' })
    expect(basins.status).toBe(200)
    expect(basins.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('exits 0 on a SIGTERM sent as soon as /health answers (a stop right after a health check)', async () => {
    const held = await holdPort()
    await held.close()
    const p = cli([], { S2E_PORT: String(held.port) })
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${held.port}/health`).then((r) => r.status, () => 0)
      if (status === 200) break
    }
    p.child.kill('SIGTERM')
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(p.stdout()).toContain('SIGTERM received, stopping')
  })

  it('lets --port on the command line win over S2E_PORT', async () => {
    const held = await holdPort()
    try {
      // S2E_PORT names a port in use: starting there would fail.
      const p = cli(['--port', '0'], { S2E_PORT: String(held.port) })
      const { port } = await started(p)
      expect(port).not.toBe(held.port)
    } finally {
      await held.close()
    }
  })

  it('keeps the state in S2E_PERSIST across a SIGTERM and a restart', async () => {
    const data = mkdtempSync(join(dir, 'persist-'))
    const first = cli([], { S2E_PORT: '0', S2E_PERSIST: data })
    const { url } = await started(first)
    const created = await fetch(`${url}/v1/basins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ basin: 'env-persisted-basin' }),
    })
    expect(created.status).toBe(201)
    first.child.kill('SIGTERM')
    expect((await first.exited).code).toBe(0)
    expect(readFileSync(join(data, 'state.s2snap')).length).toBeGreaterThan(0)

    const second = cli([], { S2E_PORT: '0', S2E_PERSIST: data })
    const again = await started(second)
    const listed = JSON.parse((await httpGet(`${again.url}/v1/basins`)).text) as { basins: { name: string }[] }
    expect(listed.basins.map((b) => b.name)).toEqual(['env-persisted-basin'])
  })
})
