import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { canBind, httpGet, killAll, REPO_ROOT, run, spawnProcess } from './support/process.ts'

/**
 * The published package: `npm run build` (tsc into dist/) once, then what a consumer gets from
 * npm — the `s2-emulator` bin, the `exports` entry point with its types, and the packed file list.
 */

interface PackageJson {
  version: string
  type?: string
  bin?: Record<string, string>
  exports?: Record<string, string | Record<string, string>>
  engines?: { node?: string }
  files?: string[]
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson
const inRepo = (path: string): string => join(REPO_ROOT, path)

let build: { code: number | null; stdout: string; stderr: string } = { code: null, stdout: '', stderr: '' }

beforeAll(async () => {
  build = await run('npm', ['run', 'build'])
}, 120_000)

afterEach(async () => {
  await killAll()
})

describe('npm run build', () => {
  it('succeeds and writes dist/index.js, dist/index.d.ts and dist/cli.js', () => {
    expect(build, `build output:\n${build.stdout}\n${build.stderr}`).toMatchObject({ code: 0 })
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js']) expect(existsSync(inRepo(file)), file).toBe(true)
  })

  it('emits no test files into dist', async () => {
    const listed = await run('find', ['dist', '-name', '*.test.*'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toBe('')
  })
})

describe('node dist/cli.js', () => {
  it('serves /health on the port it prints and stops on SIGTERM with exit code 0', async () => {
    const p = spawnProcess(process.execPath, ['dist/cli.js', '--port', '0'])
    const [, url, port] = await p.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))\n/)
    expect(await httpGet(`${url}/health`)).toMatchObject({ status: 200, text: 'OK' })
    p.child.kill('SIGTERM')
    expect(await p.exited).toEqual({ code: 0, signal: null })
    expect(await canBind(Number(port))).toBe(true)
  })

  it('prints the package version', async () => {
    const result = await run(process.execPath, ['dist/cli.js', '--version'])
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` })
  })
})

describe('import of dist/index.js', () => {
  it('exposes startS2Emulator, which starts a working emulator', async () => {
    const mod = (await import(pathToFileURL(inRepo('dist/index.js')).href)) as Record<string, unknown>
    expect(typeof mod.startS2Emulator).toBe('function')
    expect(typeof mod.S2EmulatorError).toBe('function')
    expect(mod.emulatorDefaults).toMatchObject({ host: '127.0.0.1', cors: true })

    type Started = { url: string; port: number; env: Record<string, string>; stop(): Promise<void> }
    const start = mod.startS2Emulator as (options?: { port?: number }) => Promise<Started>
    const emulator = await start({ port: 0 })
    try {
      expect(emulator.env).toEqual({ S2_ACCOUNT_ENDPOINT: emulator.url, S2_BASIN_ENDPOINT: emulator.url, S2_ACCESS_TOKEN: 'ignored' })
      expect(await httpGet(`${emulator.url}/health`)).toMatchObject({ status: 200, text: 'OK' })
      const created = await fetch(`${emulator.url}/v1/basins`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ basin: 'package-test-basin' }),
      })
      expect(created.status).toBe(201)
      expect(((await created.json()) as { name: string }).name).toBe('package-test-basin')
    } finally {
      await emulator.stop()
    }
    expect(await canBind(emulator.port)).toBe(true)
  })

  it('ships type declarations for the public API', () => {
    const types = readFileSync(inRepo('dist/index.d.ts'), 'utf8')
    for (const name of ['startS2Emulator', 'S2Emulator', 'S2EmulatorOptions', 'S2EmulatorError']) expect(types).toContain(name)
  })
})

describe('package.json', () => {
  it('is an ES module package for Node >= 22', () => {
    expect(pkg.type).toBe('module')
    const range = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(pkg.engines?.node ?? '')
    expect(range, `engines.node is ${pkg.engines?.node}`).not.toBeNull()
    expect(Number(range?.[1])).toBeLessThanOrEqual(22)
  })

  it('points bin at the built CLI, an executable script with a node shebang', () => {
    const bin = pkg.bin?.['s2-emulator']
    expect(bin).toBe('./dist/cli.js')
    const text = readFileSync(inRepo(bin as string), 'utf8')
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('points every exports target at a file that exists after the build', () => {
    const root = pkg.exports?.['.']
    expect(root).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' })
    const targets: string[] = []
    for (const value of Object.values(pkg.exports ?? {})) {
      if (typeof value === 'string') targets.push(value)
      else targets.push(...Object.values(value))
    }
    for (const target of targets) expect(existsSync(inRepo(target)), target).toBe(true)
  })
})

describe('npm pack', () => {
  it('packs the built entry points and types, and no sources or tests', async () => {
    // --ignore-scripts: the prepack script would rebuild dist, which beforeAll already did.
    const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])
    expect(packed.code, packed.stderr).toBe(0)
    const [report] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }]
    const files = report.files.map((f) => f.path)
    for (const file of ['package.json', 'dist/index.js', 'dist/cli.js', 'dist/index.d.ts']) expect(files).toContain(file)
    expect(files.filter((f) => /(^|\/)(test|tests|__tests__)\/|\.test\.|\.spec\./.test(f))).toEqual([])
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('bench/') || f.startsWith('node_modules/'))).toEqual([])
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([])
  })
})
