/**
 * `npm run example <file>` runs a file that imports the package by name (`s2-emulator`,
 * `s2-emulator/<subpath>`) against the sources in src/, from a checkout and with no build: this
 * module, loaded with `node --import`, resolves each entry point of scripts/entry-points.ts to its
 * source file (Node runs TypeScript by stripping types).
 */
import { registerHooks } from 'node:module'
import { ENTRY_POINTS } from './entry-points.ts'

const root = new URL('..', import.meta.url)
const sources = new Map(
  Object.entries(ENTRY_POINTS).map(([subpath, source]) => [`s2-emulator${subpath.slice(1)}`, new URL(source, root).href]),
)

registerHooks({
  resolve(specifier, context, nextResolve) {
    const url = sources.get(specifier)
    return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true }
  },
})
