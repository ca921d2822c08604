import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CLI_SOURCE, ENTRY_POINTS, outputName, packageEntryFields } from '../scripts/entry-points.ts'
import { packAndInstall, scratchProject, type PackedPackage } from '../scripts/packed-package.ts'
import { MIN_NODE_VERSION } from '../src/node-version.ts'
import { packedPackage } from './support/packed.ts'
import { childEnv, httpGet, killAll, REPO_ROOT, run, spawnProcess } from './support/process.ts'

/**
 * The published package as users get it: `npm pack` (which builds), the tarball installed in a
 * project outside the repository, then imported and required, type-checked under each
 * `moduleResolution`, and its CLI run with npx; and the same tarball on a Node older than the floor.
 */

interface PackageJson {
  version: string
  type?: string
  main?: string
  types?: string
  typesVersions?: unknown
  bin?: Record<string, string>
  exports?: unknown
  engines?: { node?: string }
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  repository?: { type?: string; url?: string }
  homepage?: string
  keywords?: string[]
  license?: string
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson
/** The Node release just below the floor, from the `node` npm package. */
const OLD_NODE = '22.14.0'

let packed: PackedPackage
let oldNode: { dir: string; remove(): void }
let files: string[] = []

beforeAll(async () => {
  ;[packed, oldNode] = await Promise.all([
    packedPackage().then((tarball) => packAndInstall([], tarball)), // the run's one build and pack
    scratchProject([`node@${OLD_NODE}`], { allowScripts: { node: true } }),
  ])
  files = packed.report.files.map((f) => f.path)
}, 240_000)

afterAll(() => {
  packed?.remove()
  oldNode?.remove()
})

afterEach(async () => {
  await killAll()
})

const installed = (path: string): string => join(packed.app, 'node_modules/s2-emulator', path)
const oldNodeBin = (): string => join(oldNode.dir, 'node_modules/.bin/node')

describe('the tarball (npm pack)', () => {
  it('holds every entry point as ESM and CommonJS, each with its declarations, and the CLI', () => {
    for (const source of Object.values(ENTRY_POINTS)) {
      for (const ext of ['.js', '.d.ts', '.cjs', '.d.cts']) expect(files).toContain(`dist/${outputName(source)}${ext}`)
    }
    expect(files).toContain(`dist/${outputName(CLI_SOURCE)}.js`)
  })

  it('ships LICENSE, README, docs and the Dockerfile, and no sources, tests, source maps or build scripts', () => {
    for (const file of ['package.json', 'LICENSE', 'README.md', 'Dockerfile']) expect(files).toContain(file)
    // docker/ holds the image's entrypoint and health check, which the Testcontainers module builds from.
    expect(files.filter((f) => !/^(dist|docs|docker)\//.test(f) && !['package.json', 'LICENSE', 'README.md', 'Dockerfile'].includes(f))).toEqual([])
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
    expect(files.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.c?ts$/.test(f))).toEqual([])
    expect(files.filter((f) => /\.test\.|\.spec\./.test(f))).toEqual([])
  })

  it('has no entry point, ESM or CommonJS, that statically loads the server (hono, protobufjs, node:http2)', () => {
    // But record-replay, which is a server of its own (its recorder and replayer listen like the emulator).
    const light = Object.entries(ENTRY_POINTS).filter(([subpath]) => subpath !== './record-replay')
    // What loading a built file loads before any of its code runs: static imports (ESM) and
    // requires outside a lazy `import()` (CommonJS). The server is a chunk startS2Emulator loads.
    const staticImports = (file: string): string[] => {
      const code = readFileSync(installed(file), 'utf8')
      const specifiers = file.endsWith('.cjs')
        ? [...code.matchAll(/(?<!\(\) => )require\("([^"]+)"\)/g)]
        : [...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm)]
      return specifiers.map((m) => (m[1] ?? m[2]) as string)
    }
    const reach = (entry: string): Set<string> => {
      const seen = new Set<string>()
      const visit = (file: string): void => {
        for (const specifier of staticImports(file)) {
          const target = specifier.startsWith('.') ? join(file, '..', specifier) : specifier
          if (!seen.has(target)) {
            seen.add(target)
            if (specifier.startsWith('.')) visit(target)
          }
        }
      }
      visit(entry)
      return seen
    }
    for (const [subpath, source] of light) {
      for (const entry of [`dist/${outputName(source)}.js`, `dist/${outputName(source)}.cjs`]) {
        const reached = [...reach(entry)]
        // The walk follows imports: each entry reaches its chunks, but those with no code of their
        // own to share (the jest globals' types, the jest preset's three names).
        const standalone = ['./jest', './jest/jest-preset'].includes(subpath)
        expect(reached.filter((id) => id.startsWith('dist/chunks/')).length > 0, `${entry} reaches its chunks`).toBe(!standalone)
        expect(reached.filter((id) => /^(hono|@hono\/node-server|protobufjs|node:http2?|node:https)(\/|$)/.test(id)), entry).toEqual([])
      }
    }
  })

  it('is the MIT license that package.json declares', () => {
    expect(pkg.license).toBe('MIT')
    expect(readFileSync(installed('LICENSE'), 'utf8')).toMatch(/^MIT License\n[\s\S]*Permission is hereby granted, free of charge/)
  })
})

describe('package.json', () => {
  it('declares the Node floor that the code enforces', () => {
    expect(pkg.engines?.node).toBe(`>=${MIN_NODE_VERSION}`)
  })

  it('has exports, main and types written from scripts/entry-points.ts, pointing at files in the tarball', () => {
    const fields = packageEntryFields()
    expect({ main: pkg.main, types: pkg.types, typesVersions: pkg.typesVersions, exports: pkg.exports }).toEqual(fields)
    // Every file the fields point at (the values, not the subpath keys such as "./record-replay").
    const targets = [fields.main, fields.types, ...JSON.stringify(Object.values(fields.exports)).match(/"\.\/[^"]+"/g)!.map((t) => JSON.parse(t) as string)]
    for (const target of targets) expect(files, target).toContain(target.slice(2))
  })

  it('takes runtime dependencies with caret ranges, so an app that also uses hono shares one copy', () => {
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['@hono/node-server', 'fflate', 'hono', 'protobufjs'])
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) expect(range, name).toMatch(/^\^\d+\.\d+\.\d+$/)
  })

  it('names the repository, a homepage and keywords', () => {
    expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/) })
    const repo = pkg.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '')
    expect(pkg.homepage).toBe(`${repo}#readme`)
    expect(pkg.keywords).toEqual(expect.arrayContaining(['s2', 'emulator', 'testing']))
  })

  it('has a bin that runs the CLI the tarball ships, with a node shebang', () => {
    expect(pkg.bin).toEqual({ 's2-emulator': `./dist/${outputName(CLI_SOURCE)}.js` })
    expect(files).toContain(`dist/${outputName(CLI_SOURCE)}.js`)
    expect(readFileSync(installed('dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })
})

/** A consumer script (ESM or CommonJS): loads the package, starts an emulator, and reports what was loaded when. */
function consumerScript(format: 'esm' | 'cjs'): string {
  const [hooks, load] =
    format === 'esm'
      ? ["import { registerHooks } from 'node:module'", "await import('s2-emulator')"]
      : ["const { registerHooks } = require('node:module')", "require('s2-emulator')"]
  return `${hooks}
const resolved = []
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r } })
const server = () => resolved.filter((url) => /\\/node_modules\\/(hono|@hono\\/node-server|protobufjs)\\/|^node:http2?$/.test(url))
;(async () => {
  const s2 = ${load}
  const atImport = server()
  const emulator = await s2.startS2Emulator({ port: 0 })
  const call = (method, path, body, headers = {}) =>
    fetch(emulator.url + path, { method, headers: { 'content-type': 'application/json', 's2-basin': 'packed-basin', ...headers }, body: body && JSON.stringify(body) })
  const statuses = [
    (await fetch(emulator.url + '/health')).status,
    (await call('POST', '/v1/basins', { basin: 'packed-basin' })).status,
    (await call('POST', '/v1/streams', { stream: 'orders' })).status,
    (await call('POST', '/v1/streams/orders/records', { records: [{ body: 'hello' }] })).status,
  ]
  const afterJson = server()
  // An AppendInput of one record with body "hi" (protobuf is read and written without protobufjs).
  const proto = await fetch(emulator.url + '/v1/streams/orders/records', { method: 'POST', body: new Uint8Array([0x0a, 0x04, 0x1a, 0x02, 0x68, 0x69]),
    headers: { 'content-type': 'application/protobuf', accept: 'application/protobuf', 's2-basin': 'packed-basin' } })
  const protobuf = [proto.status, proto.headers.get('content-type'), (await proto.arrayBuffer()).byteLength > 0]
  const afterProtobuf = server()
  await emulator.stop()
  const error = new s2.S2EmulatorError('S2EMU_BAD_OPTIONS', 'bad')
  console.log(JSON.stringify({ exports: Object.keys(s2).filter((k) => k !== 'default').sort(), atImport, afterJson, afterProtobuf, statuses, protobuf,
    port: s2.emulatorDefaults.port, error: [error instanceof Error, error.code, error.message] }))
})()
`
}

describe.each([
  ['import', 'esm.mjs', consumerScript('esm')],
  ['require', 'cjs.cjs', consumerScript('cjs')],
])('%s of the installed package', (_how, file, script) => {
  it('exposes the API, and loads the server (hono, node:http2) only when startS2Emulator is called, and protobufjs not even for protobuf', async () => {
    writeFileSync(join(packed.app, file), script)
    const result = await run(process.execPath, [file], { cwd: packed.app })
    expect(result, result.stderr).toMatchObject({ code: 0 })
    const report = JSON.parse(result.stdout) as Record<string, string[]>
    const loaded = (urls: string[] | undefined, name: string): boolean => (urls ?? []).some((url) => url === name || url.includes(`/node_modules/${name}/`))
    expect(report).toMatchObject({
      exports: ['DEFAULT_NAMESPACE', 'S2EmulatorError', 'connectS2Emulator', 'emulatorDefaults', 'namespaceName', 'startS2Emulator'],
      atImport: [],
      statuses: [200, 201, 201, 200],
      protobuf: [200, 'application/protobuf', true],
      port: 0,
      error: [true, 'S2EMU_BAD_OPTIONS', '[s2-emulator] bad'],
    })
    expect(['hono', '@hono/node-server', 'node:http2', 'protobufjs'].map((name) => loaded(report.afterJson, name))).toEqual([true, true, true, false])
    expect(loaded(report.afterProtobuf, 'protobufjs')).toBe(false)
  })
})

/** A typed consumer: compiles only if the types are the package's (not `any`) and resolve. */
const TYPED_CONSUMER = `import { connectS2Emulator, emulatorDefaults, S2EmulatorError, startS2Emulator, type EmulatorErrorCode, type S2Emulator, type S2EmulatorOptions } from 's2-emulator'

const options: S2EmulatorOptions = { port: emulatorDefaults.port, clock: 'virtual' }
export const started: Promise<S2Emulator> = startS2Emulator(options)
export const url: string = connectS2Emulator('http://127.0.0.1:4243').url
export const code: EmulatorErrorCode = new S2EmulatorError('S2EMU_BAD_OPTIONS', 'bad').code
// @ts-expect-error the port is a number
export const wrong = startS2Emulator({ port: '4243' })
`

describe.each([
  // [moduleResolution, module, files, the declaration files each must resolve to]
  ['node16', 'node16', ['esm.mts', 'cjs.cts'], ['dist/index.d.ts', 'dist/index.d.cts']],
  ['nodenext', 'nodenext', ['esm.mts', 'cjs.cts'], ['dist/index.d.ts', 'dist/index.d.cts']],
  ['bundler', 'esnext', ['main.ts'], ['dist/index.d.ts']],
  ['node10', 'commonjs', ['main.ts'], ['dist/index.d.cts']],
])('types under moduleResolution %s', (resolution, module, sources, declarations) => {
  it(`type-check an ${sources.join(' and ')} consumer against ${declarations.join(' and ')}`, async () => {
    const dir = join(packed.app, `types-${resolution}`)
    mkdirSync(dir, { recursive: true })
    for (const source of sources) writeFileSync(join(dir, source), TYPED_CONSUMER)
    // The declarations are checked too (skipLibCheck off), and need no @types/node: only the
    // standard library, with Symbol.asyncDispose (S2Emulator is AsyncDisposable).
    const compilerOptions = {
      ...{ module, moduleResolution: resolution, target: 'es2022', lib: ['es2022', 'esnext.disposable'], types: [] },
      ...{ strict: true, noEmit: true, skipLibCheck: false },
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: sources }))
    const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--listFiles'])
    expect(tsc, tsc.stdout).toMatchObject({ code: 0 })
    const loaded = tsc.stdout
      .split('\n')
      .filter((f) => f.includes('/node_modules/s2-emulator/'))
      .map((f) => f.replace(/.*\/node_modules\/s2-emulator\//, ''))
    // The entry's declarations, and the chunks of declarations entry points share, of the same format.
    expect(loaded.filter((f) => !f.startsWith('dist/chunks/')).sort()).toEqual([...declarations].sort())
    const formats = new Set(declarations.map((d) => (d.endsWith('.d.cts') ? '.d.cts' : '.d.ts')))
    for (const chunk of loaded.filter((f) => f.startsWith('dist/chunks/'))) {
      expect(formats.has(chunk.endsWith('.d.cts') ? '.d.cts' : '.d.ts'), chunk).toBe(true)
    }
  })
})

describe('the s2-emulator command, installed', () => {
  it('npx s2-emulator --help prints the usage; --version the version', async () => {
    const help = await run('npx', ['--no-install', 's2-emulator', '--help'], { cwd: packed.app })
    expect(help, help.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: s2-emulator/) })
    const version = await run('npx', ['--no-install', 's2-emulator', '--version'], { cwd: packed.app })
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` })
  })

  it.each([
    ['node dist/cli.js', [process.execPath, 'dist/cli.js']],
    // The tarball's own start script, run where npm installed it: it must run a file the tarball ships.
    ['npm start in the installed package', ['npm', 'start', '--']],
  ])('%s serves /health on the port it prints and stops on SIGTERM with exit code 0', async (_how, [command, ...args]) => {
    const p = spawnProcess(command as string, [...args, '--port', '0'], { cwd: installed('') })
    const [, url] = await p.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/)
    await p.waitFor(/fault seed: \d+\n/)
    expect(await httpGet(`${url}/health`)).toMatchObject({ status: 200, text: 'OK' })
    p.child.kill('SIGTERM')
    expect(await p.exited).toEqual({ code: 0, signal: null })
  })
})

describe(`on Node ${OLD_NODE}, older than the floor`, () => {
  const needs = `needs Node.js ${MIN_NODE_VERSION} or newer; this is Node.js v${OLD_NODE}`

  it('runs the Node it should', async () => {
    expect(await run(oldNodeBin(), ['--version'])).toMatchObject({ code: 0, stdout: `v${OLD_NODE}\n` })
  })

  it('the CLI, run directly or with npx, prints one line naming the version needed and exits 1', async () => {
    const direct = await run(oldNodeBin(), [installed('dist/cli.js'), '--help'], { cwd: packed.app })
    expect(direct).toMatchObject({ code: 1, stdout: '', stderr: `s2-emulator: ${needs}\n` })
    // npx runs the bin with the first node on PATH, as a user's shell would.
    const env = childEnv()
    env.PATH = `${join(oldNode.dir, 'node_modules/.bin')}:${env.PATH ?? ''}`
    const npx = await run('npx', ['--no-install', 's2-emulator', '--help'], { cwd: packed.app, env })
    expect(npx).toMatchObject({ code: 1, stdout: '', stderr: `s2-emulator: ${needs}\n` })
  })

  it.each([
    ['import', ['--input-type=module', '-e', "import('s2-emulator').catch((e) => { console.error(e.message); process.exitCode = 1 })"]],
    ['require', ['-e', "try { require('s2-emulator') } catch (e) { console.error(e.message); process.exitCode = 1 }"]],
  ])('%s fails with that line as its message, and no SyntaxError when uncaught', async (how, args) => {
    const caught = await run(oldNodeBin(), args, { cwd: packed.app })
    expect(caught).toMatchObject({ code: 1, stdout: '', stderr: `[s2-emulator] ${needs}\n` })
    const uncaught = await run(oldNodeBin(), how === 'import' ? ['--input-type=module', '-e', "import 's2-emulator'"] : ['-e', "require('s2-emulator')"], {
      cwd: packed.app,
    })
    expect(uncaught.code).toBe(1)
    expect(uncaught.stderr).toContain(`S2EmulatorError: [s2-emulator] ${needs}\n`)
    expect(uncaught.stderr).not.toContain('SyntaxError')
  })
})
