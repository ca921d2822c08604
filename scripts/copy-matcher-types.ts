/**
 * Part of `npm run build`: the types of `s2-emulator/matchers/vitest-4`, `.../jest` and
 * `.../jest-globals` are hand-written augmentations (src/matchers/augment/), written over the
 * declarations compiled from those entries' sources (which only register the matchers), as `.d.ts`
 * and `.d.cts`. tsc cannot compile them here (vitest 5's `Matchers` would not merge with vitest 4's;
 * jest is not installed), so scripts/check-matcher-types.ts checks them against each runner.
 */
import { copyFileSync, readdirSync } from 'node:fs'

const from = new URL('../src/matchers/augment/', import.meta.url)
const to = new URL('../dist/matchers/', import.meta.url)
for (const file of readdirSync(from).filter((f) => f.endsWith('.d.ts'))) {
  copyFileSync(new URL(file, from), new URL(file, to))
  copyFileSync(new URL(file, from), new URL(file.replace(/\.d\.ts$/, '.d.cts'), to))
}
