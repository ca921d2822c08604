/**
 * The package's entry points: the one list to extend. Each line maps an `exports` subpath to its
 * source file. `npm run build` (scripts/build.ts) bundles each as ESM (`.js` with `.d.ts`) and as
 * CommonJS (`.cjs` with `.d.cts`) into dist/, at the source's path less `src/`
 * (src/vitest/index.ts: dist/vitest/index.js), and writes package.json's `exports` from this list;
 * test/package.test.ts checks that they agree.
 */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  '.': 'src/index.ts',
  './record-replay': 'src/record-replay/index.ts',
  './testcontainers': 'src/testcontainers/index.ts',
  './matchers': 'src/matchers/index.ts',
  './matchers/vitest': 'src/matchers/vitest.ts',
  './matchers/vitest-4': 'src/matchers/vitest-4.ts',
  './matchers/jest': 'src/matchers/jest.ts',
  './matchers/jest-globals': 'src/matchers/jest-globals.ts',
  // vitest: the test side (fixtures, in workers), and the two ways to start the run's emulator (main process).
  './vitest': 'src/vitest/index.ts',
  './vitest/plugin': 'src/vitest/plugin.ts',
  './vitest/global-setup': 'src/vitest/global-setup.ts',
  // jest: the globals' types; the modules its config names (the preset is found as <name>/jest-preset).
  './jest': 'src/jest/index.ts',
  './jest/environment': 'src/jest/environment.ts',
  './jest/global-setup': 'src/jest/global-setup.ts',
  './jest/global-teardown': 'src/jest/global-teardown.ts',
  './jest/jest-preset': 'src/jest/jest-preset.ts',
  './jest/setup-matchers': 'src/jest/setup-matchers.ts',
}

/** The command line (package.json `bin`), bundled as ESM only. */
export const CLI_SOURCE = 'src/cli.ts'

/** Where a source file's build goes in dist/, without extension: `src/vitest/index.ts` gives `vitest/index`. */
export const outputName = (source: string): string => source.replace(/^src\//, '').replace(/\.ts$/, '')

interface Conditions {
  readonly import: { readonly types: string; readonly default: string }
  readonly require: { readonly types: string; readonly default: string }
}

/** The `exports` conditions of one entry point: each format with its own types. */
export function conditions(source: string): Conditions {
  const out = `./dist/${outputName(source)}`
  return {
    import: { types: `${out}.d.ts`, default: `${out}.js` },
    require: { types: `${out}.d.cts`, default: `${out}.cjs` },
  }
}

/**
 * package.json's entry fields for these entry points: `exports`, and for tools that predate it
 * (TypeScript's `moduleResolution: node10`, old bundlers) `main` and `types`, which are CommonJS,
 * and `typesVersions`, which maps each subpath (`s2-emulator/jest`) to its CommonJS declarations
 * for TypeScript under node10, where `exports` is not read.
 */
export function packageEntryFields(entries: Readonly<Record<string, string>> = ENTRY_POINTS) {
  const exports: Record<string, Conditions | string> = {}
  for (const [subpath, source] of Object.entries(entries)) exports[subpath] = conditions(source)
  exports['./package.json'] = './package.json'
  const main = entries['.']
  if (main === undefined) throw new Error("ENTRY_POINTS needs the main entry point, '.'")
  const root = conditions(main)
  const subpaths = Object.entries(entries).filter(([subpath]) => subpath !== '.')
  const typesVersions = { '*': Object.fromEntries(subpaths.map(([subpath, source]) => [subpath.slice(2), [conditions(source).require.types]])) }
  return { main: root.require.default, types: root.require.types, typesVersions, exports }
}
