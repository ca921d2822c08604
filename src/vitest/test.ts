import { expect, test as baseTest, type TestAPI } from 'vitest'
import { createS2Fixtures, type S2FixtureDefinitions, type S2Fixtures } from './fixtures.ts'

/** The fixtures of {@link test} (each test gets its own namespace), to compose into a `test.extend` of your own. */
export const s2Fixtures: S2FixtureDefinitions = createS2Fixtures()

/**
 * vitest's `test` with the fixtures `s2Emulator`, `s2Env`, `s2` and `basin`: each test that asks
 * for one gets a fresh namespace of the run's emulator, dropped after it.
 *
 * ```ts
 * import { test, expect } from 's2-emulator/vitest'
 * test('appends', async ({ basin, s2Emulator }) => { ... })
 * ```
 */
export const test: TestAPI<S2Fixtures> = baseTest.extend<S2Fixtures>(s2Fixtures)

// The matchers of s2-emulator/matchers, registered on vitest's `expect` at run time (their types
// are the user's choice of vitest major: s2-emulator/matchers/vitest or .../vitest-4).
import '../matchers/register-vitest.ts'

export { expect }
