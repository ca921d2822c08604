import { readFileSync } from 'node:fs'

/** package.json's version, put in by the build (scripts/build.ts); absent when running from source. */
declare const __S2_EMULATOR_VERSION__: string | undefined

/** The package's version. */
export function packageVersion(): string {
  if (typeof __S2_EMULATOR_VERSION__ === 'string') return __S2_EMULATOR_VERSION__
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
}
