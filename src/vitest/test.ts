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

// Matchers (issue 12): this is the one place where s2-emulator/vitest registers its matchers on
// `expect` (`expect.extend(...)` from src/matchers), so that importing `test` and `expect` from
// here is all a test file needs. Until they land, `expect` is vitest's own.
export { expect }
