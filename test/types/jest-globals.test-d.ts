// Type-level test of s2-emulator/jest, checked by `tsc` (npm test): the globals its environment
// sets, the environment class, the globalSetup/teardown modules and the preset.
import type { JestEnvironment } from '@jest/environment'
import type { Config } from '@jest/types'
import { expectTypeOf } from 'vitest'
import type { S2Environment, S2JestEnvironmentOptions, S2Namespace } from 's2-emulator/jest'
import Environment, { S2EmulatorEnvironment, TestEnvironment } from 's2-emulator/jest/environment'
import globalSetup, { createGlobalSetup } from 's2-emulator/jest/global-setup'
import globalTeardown from 's2-emulator/jest/global-teardown'
import preset from 's2-emulator/jest/jest-preset'

expectTypeOf(s2Emulator).toEqualTypeOf<S2Namespace>()
expectTypeOf(globalThis.s2Emulator.snapshots.take).returns.resolves.toHaveProperty('name').toEqualTypeOf<string>()
expectTypeOf(s2Env).toEqualTypeOf<S2Environment>()
expectTypeOf(s2Env.S2_ACCOUNT_ENDPOINT).toEqualTypeOf<string>()

expectTypeOf(Environment).toEqualTypeOf<typeof S2EmulatorEnvironment>()
expectTypeOf(TestEnvironment).toEqualTypeOf<typeof S2EmulatorEnvironment>()
expectTypeOf<InstanceType<typeof S2EmulatorEnvironment>>().toExtend<JestEnvironment>()
expectTypeOf<S2JestEnvironmentOptions>().toEqualTypeOf<{
  scope?: 'test' | 'file'
  faultSeed?: number
  cassettes?: { dir?: string; mode?: 'record' | 'replay' | 'record-missing' | 'passthrough' }
}>()

expectTypeOf(globalSetup).parameters.toEqualTypeOf<[Config.GlobalConfig, Config.ProjectConfig]>()
expectTypeOf(globalSetup).returns.toEqualTypeOf<Promise<void>>()
expectTypeOf(createGlobalSetup({ clock: 'virtual' })).toEqualTypeOf(globalSetup)
// @ts-expect-error jest runs on the emulator only
createGlobalSetup({ target: 'real' })
expectTypeOf(globalTeardown).returns.toEqualTypeOf<Promise<void>>()
expectTypeOf(preset).toEqualTypeOf<{ globalSetup: string; globalTeardown: string; testEnvironment: string; setupFilesAfterEnv: string[] }>()
