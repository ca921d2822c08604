/**
 * The runners whose types the matchers support, as a type check sees them: each one's packages,
 * the imports put before test/types/runners/body.ts, and the `types` of its tsconfig. Shared by
 * scripts/check-matcher-types.ts (scratch projects) and the jest examples' check in `npm test`.
 */
import { readFileSync } from 'node:fs'

export interface MatcherTypeRunner {
  readonly name: string
  readonly dependencies: Record<string, string>
  /** Lines put before the shared assertions. */
  readonly header: string
  readonly types: readonly string[]
}

const JEST_GLOBAL = { header: "import 's2-emulator/matchers/jest'", types: ['jest'] }
const JEST_GLOBALS = { header: "import 's2-emulator/matchers/jest-globals'\nimport { expect } from '@jest/globals'", types: [] }

export const MATCHER_TYPE_RUNNERS: readonly MatcherTypeRunner[] = [
  { name: 'vitest 5.1', dependencies: { vitest: '5.1.1' }, header: "import 's2-emulator/matchers/vitest'\nimport { expect } from 'vitest'", types: [] },
  { name: 'vitest 4.1', dependencies: { vitest: '4.1.12' }, header: "import 's2-emulator/matchers/vitest-4'\nimport { expect } from 'vitest'", types: [] },
  { name: 'jest 29, global expect (@types/jest)', dependencies: { '@types/jest': '29.5.14' }, ...JEST_GLOBAL },
  { name: 'jest 29, @jest/globals', dependencies: { '@jest/globals': '29.7.0' }, ...JEST_GLOBALS },
  { name: 'jest 30, global expect (@types/jest)', dependencies: { '@types/jest': '30.0.0' }, ...JEST_GLOBAL },
  { name: 'jest 30, @jest/globals', dependencies: { '@jest/globals': '30.5.2' }, ...JEST_GLOBALS },
]

/** The file a runner's check compiles: its imports, then the assertions every runner makes. */
export function matcherTypeCheck(runner: MatcherTypeRunner): string {
  return `${runner.header}\n${readFileSync(new URL('../test/types/runners/body.ts', import.meta.url), 'utf8')}`
}

/** The compiler options of a runner's check (strict, no emit, only its own global types). */
export function matcherTypeOptions(runner: MatcherTypeRunner): Record<string, unknown> {
  return { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node', ...runner.types] }
}
