import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { canBind, groupAlive, holdPort, httpGet, killAll, REPO_ROOT, run, spawnProcess, started, until, type Spawned } from './support/process.ts'

/**
 * The `s2-emulator` command as a user runs it: `node src/cli.ts [flags]` (Node 24 runs .ts directly),
 * and `npm run dev -- [flags]` (the same from a checkout, through npm; `npm start` runs the build). Flags mirror s2-lite's where they overlap (§10.1: `--port`, `--no-cors`).
 */

const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${REPO_ROOT}`), 'utf8')) as { version: string }
const cli = (...args: string[]): Spawned => spawnProcess(process.execPath, ['src/cli.ts', ...args])

afterEach(async () => {
  await killAll()
})

describe('--help and --version', () => {
  it.each(['--help', '-h'])('%s documents every flag and exits 0', async (flag) => {
    const result = await run(process.execPath, ['src/cli.ts', flag])
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' })
    for (const option of ['--port', '--host', '--no-cors', '--deletion-delay', '--trim-delay', '--heartbeat', '--help', '--version']) {
      expect(result.stdout).toContain(option)
    }
    expect(result.stdout).toMatch(/^Usage: s2-emulator/)
  })

  it.each(['--version', '-v'])("%s prints package.json's version and exits 0", async (flag) => {
    const result = await run(process.execPath, ['src/cli.ts', flag])
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' })
    expect(result.stdout.trim()).toBe(pkg.version)
  })
})

describe('serving', () => {
  it('with --port 0 prints the URL and the three export lines with the real port, and serves on it', async () => {
    const p = cli('--port', '0')
    const { url, port } = await started(p)
    expect(port).toBeGreaterThan(0)
    expect(p.stdout()).toContain(`listening on http://127.0.0.1:${port}`)
    const exports = [...p.stdout().matchAll(/^\s*export (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value])
    expect(exports).toEqual([
      ['S2_ACCOUNT_ENDPOINT', url],
      ['S2_BASIN_ENDPOINT', url],
      ['S2_ACCESS_TOKEN', expect.stringMatching(/\S/)],
    ])
    const health = await httpGet(`${url}/health`)
    expect(health).toMatchObject({ status: 200, text: 'OK' })
    const basins = await httpGet(`${url}/v1/basins`, { origin: 'https://cli.example.test' })
    expect(basins.status).toBe(200)
    expect(basins.headers.get('access-control-allow-origin')).toBe('https://cli.example.test')
    p.child.kill('SIGTERM')
    await p.exited
    // Nothing on stderr: V8 prints there if a flag the CLI sets (cli/v8-tuning.ts) is unknown to this Node.
    expect(p.stderr()).toBe('')
  })

  it.each(['SIGINT', 'SIGTERM'] as const)('stops on %s with exit code 0 and frees the port', async (signal) => {
    const p = cli('--port', '0')
    const { url, port } = await started(p)
    expect((await httpGet(`${url}/health`)).status).toBe(200)
    p.child.kill(signal)
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(p.stderr()).toBe('')
    expect(await canBind(port)).toBe(true)
  })

  it('serves on the exact port given with --port', async () => {
    const held = await holdPort()
    await held.close()
    const p = cli('--port', String(held.port), '--host', '127.0.0.1')
    const { port } = await started(p)
    expect(port).toBe(held.port)
    expect((await httpGet(`http://127.0.0.1:${held.port}/ping`)).text).toBe('OK')
    p.child.kill('SIGTERM')
    expect((await p.exited).code).toBe(0)
  })

  it('with --no-cors sends no CORS headers', async () => {
    const p = cli('--port', '0', '--no-cors')
    const { url } = await started(p)
    const res = await httpGet(`${url}/v1/basins`, { origin: 'https://cli.example.test' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    p.child.kill('SIGTERM')
    expect((await p.exited).code).toBe(0)
  })
})

describe('bad command lines', () => {
  it.each([
    [['--port', 'abc'], /--port/],
    [['--port', '70000'], /--port/],
    [['--bogus'], /--bogus/],
    [['--heartbeat', 'soon'], /--heartbeat/],
    [['--deletion-delay=-1'], /--deletion-delay/],
    [['--trim-delay', 'soon'], /--trim-delay/],
    [['frobnicate'], /frobnicate/],
  ])('%j exits 2 with a message on stderr', async (args, mentions) => {
    const result = await run(process.execPath, ['src/cli.ts', ...args])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(mentions)
  })

  it('exits 1 with a message naming the port when the port is already in use', async () => {
    const held = await holdPort()
    try {
      const result = await run(process.execPath, ['src/cli.ts', '--port', String(held.port)])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(String(held.port))
      expect(result.stdout).not.toContain('listening')
    } finally {
      await held.close()
    }
  })
})

describe('npm run dev', () => {
  /** `npm run dev -- --port 0` in its own process group, as a shell job is. */
  const npmStart = (): Spawned => spawnProcess('npm', ['run', 'dev', '--', '--port', '0'], { detached: true })

  it.each(['SIGTERM', 'SIGINT'] as const)('serves, and stops with the port freed when the job gets %s', async (signal) => {
    const p = npmStart()
    const { url, port } = await started(p)
    expect(await httpGet(`${url}/health`)).toMatchObject({ status: 200, text: 'OK' })
    // What Ctrl-C in a terminal, `kill -- -PGID` or a service manager does: signal the whole job.
    process.kill(-p.pid, signal)
    await p.exited
    await until(() => !groupAlive(p.pid))
    expect(await canBind(port)).toBe(true)
    expect(p.stdout()).toContain(`${signal} received, stopping`)
  })

  // npm signals only its script shell; `exec` in the dev (and start) script makes that shell the emulator.
  it('stops, with the port freed, when only the npm process gets SIGTERM', async () => {
    const p = npmStart()
    const { port } = await started(p)
    p.child.kill('SIGTERM')
    await p.exited
    await until(() => !groupAlive(p.pid))
    expect(await canBind(port)).toBe(true)
  })
})
