import './provided.ts'

export { test, test as it, expect, s2Fixtures } from './test.ts'
export {
  createS2Fixtures,
  fixtureDefaults,
  type FixtureScope,
  type S2FixtureDefinitions,
  type S2Fixtures,
  type S2FixturesOptions,
} from './fixtures.ts'
export type { S2ClientSettings } from '../runner/sdk-client.ts'
export type { S2TestCassette, S2TestCassettesOptions } from '../runner/test-cassettes.ts'
export type { CassetteMode } from '../record-replay/modes.ts'
export type { EmulatorTarget, RealS2Target, RunTarget } from '../runner/target.ts'
export type { S2Environment, S2Namespace } from '../client/namespace.ts'
