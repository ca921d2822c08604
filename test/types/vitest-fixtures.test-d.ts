// Type-level test of s2-emulator/vitest, checked by `tsc` (npm test); vitest does not run it.
// The vitest example runs `tsc` against the packed package with vitest 5 and vitest 4 too.
import type { S2, S2Basin } from '@s2-dev/streamstore'
import { expectTypeOf, inject, test as base } from 'vitest'
import type { TestProject } from 'vitest/node'
import type { Plugin } from 'vitest/config'
import {
  createS2Fixtures,
  s2Fixtures,
  test,
  type RunTarget,
  type S2Environment,
  type S2Fixtures,
  type S2Namespace,
  type S2TestCassette,
} from 's2-emulator/vitest'
import globalSetup, { createGlobalSetup } from 's2-emulator/vitest/global-setup'
import { s2Emulator } from 's2-emulator/vitest/plugin'

test('each fixture has its type', ({ s2Emulator, s2Env, s2, basin }) => {
  expectTypeOf(s2Emulator).toEqualTypeOf<S2Namespace>()
  expectTypeOf(s2Emulator.faults.add).returns.resolves.toHaveProperty('fired').toEqualTypeOf<number>()
  expectTypeOf(s2Emulator.clock.advance).parameter(0).toEqualTypeOf<string | number>()
  expectTypeOf(s2Env).toEqualTypeOf<S2Environment>()
  expectTypeOf(s2Env.S2_ACCESS_TOKEN).toEqualTypeOf<string>()
  expectTypeOf(s2).toEqualTypeOf<S2>()
  expectTypeOf(basin).toEqualTypeOf<S2Basin>()
  // @ts-expect-error not a fixture
  expectTypeOf<S2Fixtures['s2Client']>()
})

test('a cassette, when the test has one', ({ s2Cassette }) => {
  expectTypeOf(s2Cassette).toEqualTypeOf<S2TestCassette | null>()
  expectTypeOf(s2Cassette?.mode).toEqualTypeOf<'record' | 'replay' | 'record-missing' | 'passthrough' | undefined>()
  expectTypeOf(s2Cassette?.env).toEqualTypeOf<S2Environment | undefined>()
})
base.extend<S2Fixtures>(createS2Fixtures({ cassettes: { dir: 'test/cassettes', mode: 'record-missing' } }))
// @ts-expect-error the modes are record, replay, record-missing and passthrough
createS2Fixtures({ cassettes: { mode: 'rewind' } })
expectTypeOf(s2Emulator({ cassettes: { mode: 'replay' } })).toExtend<Plugin>()

// inject is typed by the ProvidedContext augmentation.
expectTypeOf(inject('s2Emulator')).toEqualTypeOf<string>()
expectTypeOf(inject('s2EmulatorTarget')).toEqualTypeOf<RunTarget>()

// The fixtures compose into a test.extend of one's own, and come in file and worker scopes.
const mine = base.extend<S2Fixtures & { orders: string }>({
  ...s2Fixtures,
  orders: async ({ basin }, use) => use(`${basin.name}/orders`),
})
mine('composes', ({ orders, s2Emulator }) => {
  expectTypeOf(orders).toEqualTypeOf<string>()
  expectTypeOf(s2Emulator).toEqualTypeOf<S2Namespace>()
})
const perFile = base.extend<S2Fixtures>(createS2Fixtures({ scope: 'file', basinPrefix: 'orders', client: { retry: { maxAttempts: 1 } } }))
perFile('file-scoped', ({ basin }) => expectTypeOf(basin).toEqualTypeOf<S2Basin>())
// @ts-expect-error scopes are 'test', 'file' and 'worker'
createS2Fixtures({ scope: 'suite' })

// The plugin and the globalSetup module.
expectTypeOf(s2Emulator).parameter(0).toEqualTypeOf<Parameters<typeof s2Emulator>[0]>()
expectTypeOf(s2Emulator({ clock: 'virtual', target: 'real' })).toExtend<Plugin>()
// @ts-expect-error isolation is always by token
s2Emulator({ isolation: 'none' })
expectTypeOf(globalSetup).parameter(0).toEqualTypeOf<TestProject>()
expectTypeOf(createGlobalSetup({ faultSeed: 7 })).toEqualTypeOf(globalSetup)

