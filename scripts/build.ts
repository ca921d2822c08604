/**
 * `npm run build` (run by prepack): bundles every entry point of scripts/entry-points.ts as ESM and
 * CommonJS, each with its own declarations, plus the CLI, into dist/; then writes package.json's
 * entry fields from that list when they differ.
 *
 * Rolldown (the bundler vite already brings, so no second one is installed) splits what entry
 * points share into dist/chunks/ and turns each dynamic `import()` into a chunk loaded on demand,
 * which keeps the server (hono, protobufjs, node:http2) out of an entry point that does not start
 * one. rolldown-plugin-dts bundles the declarations the same way, `.d.ts` for ESM and `.d.cts` for
 * CommonJS, so each format's types describe that format. Dependencies stay external (an app that
 * also uses hono keeps one copy); no source maps: the output is readable, unminified code.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { build, type BuildOptions } from 'rolldown'
import { dts } from 'rolldown-plugin-dts'
import { copyMatcherTypes } from './copy-matcher-types.ts'
import { CLI_SOURCE, ENTRY_POINTS, outputName, packageEntryFields } from './entry-points.ts'

const root = new URL('..', import.meta.url)
const cwd = fileURLToPath(root)
const packageFile = new URL('package.json', root)

interface PackageJson {
  version: string
  [field: string]: unknown
}

export async function buildPackage(): Promise<void> {
  const pkg = JSON.parse(readFileSync(packageFile, 'utf8')) as PackageJson
  const entries = Object.fromEntries(Object.values(ENTRY_POINTS).map((source) => [outputName(source), join(cwd, source)]))
  const sources = Object.values(ENTRY_POINTS)

  const common = {
    cwd,
    platform: 'node',
    // Only our own sources are bundled: every bare import (node:*, dependencies, peer dependencies
    // such as test runners) stays an import, resolved where the package is installed. (\0 starts
    // the bundler's own virtual modules.)
    external: /^[^./\0]/,
    transform: { define: { __S2_EMULATOR_VERSION__: JSON.stringify(pkg.version) } },
    logLevel: 'warn',
    // The declarations step is most of the build's time; that is expected, not worth a warning.
    checks: { pluginTimings: false },
  } satisfies BuildOptions

  rmSync(new URL('dist', root), { recursive: true, force: true })
  await build({
    ...common,
    input: { ...entries, [outputName(CLI_SOURCE)]: join(cwd, CLI_SOURCE) },
    plugins: [dts({ entry: sources })],
    output: { dir: 'dist', format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  })
  const cjsNames = { entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' }
  // `named`: a default export stays `exports.default` (with `__esModule`), as jest reads the modules
  // its config names (environment, globalSetup, preset), also next to named exports.
  await build({ ...common, input: entries, output: { dir: 'dist', format: 'cjs', exports: 'named', ...cjsNames } })
  // The declarations plugin emits ES syntax only; named .cjs, its output is .d.cts, which TypeScript reads as CommonJS.
  await build({
    ...common,
    input: entries,
    plugins: [dts({ entry: sources, emitDtsOnly: true })],
    output: { dir: 'dist', format: 'esm', ...cjsNames },
  })

  // The matchers' per-runner types are hand-written augmentations (see copy-matcher-types.ts).
  copyMatcherTypes(new URL('dist/', root))

  const fields = packageEntryFields()
  if (Object.entries(fields).some(([field, value]) => !isDeepStrictEqual(pkg[field], value))) {
    writeFileSync(packageFile, `${JSON.stringify({ ...pkg, ...fields }, null, 2)}\n`)
    console.log('build: wrote the entry points of scripts/entry-points.ts into package.json')
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildPackage()
