/**
 * Part of `npm run build`: copies the hand-written type augmentations of the matchers for runners
 * this repository does not install (vitest 4, jest, `@jest/globals`) into dist/, as `.d.ts` and
 * `.d.cts`. They are declarations only: tsc cannot compile them here (vitest 5's `Matchers`
 * would not merge with vitest 4's), so scripts/check-matcher-types.ts checks them against each runner.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'

const from = new URL('../src/matchers/augment/', import.meta.url)
const to = new URL('../dist/matchers/augment/', import.meta.url)
mkdirSync(to, { recursive: true })
for (const file of readdirSync(from).filter((f) => f.endsWith('.d.ts'))) {
  copyFileSync(new URL(file, from), new URL(file, to))
  copyFileSync(new URL(file, from), new URL(file.replace(/\.d\.ts$/, '.d.cts'), to))
}
