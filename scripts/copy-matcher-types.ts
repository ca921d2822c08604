/**
 * Part of `npm run build`: the types of `s2-emulator/matchers/vitest-4`, `.../jest` and
 * `.../jest-globals` are hand-written augmentations (src/matchers/augment/), written over the
 * declarations built from those entries' sources (which only register the matchers), as `.d.ts`
 * and `.d.cts`. tsc cannot compile them here (vitest 5's `Matchers` would not merge with vitest 4's;
 * jest is not installed), so scripts/check-matcher-types.ts checks them against each runner.
 */
import { copyFileSync, readdirSync } from 'node:fs'

/** Writes the augmentations over `dist/matchers/<entry>.d.ts` and `.d.cts`. */
export function copyMatcherTypes(dist: URL = new URL('../dist/', import.meta.url)): void {
  const from = new URL('../src/matchers/augment/', import.meta.url)
  const to = new URL('matchers/', dist)
  for (const file of readdirSync(from).filter((f) => f.endsWith('.d.ts'))) {
    copyFileSync(new URL(file, from), new URL(file, to))
    copyFileSync(new URL(file, from), new URL(file.replace(/\.d\.ts$/, '.d.cts'), to))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) copyMatcherTypes()
