import type { TestProject } from 'vitest/node'
import type { RunTarget } from '../runner/target.ts'
import type { S2TestCassettesOptions } from '../runner/test-cassettes.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the emulator this run's tests use (the account endpoint, when the run targets a real S2). */
    s2Emulator: string
    /** Where this run's tests go; set by the plugin or the globalSetup of s2-emulator. */
    s2EmulatorTarget: RunTarget
    /** The plugin's `cassettes` option: per-test cassettes for the fixtures of every test file. */
    s2EmulatorCassettes: S2TestCassettesOptions | undefined
  }
}

/** Hands the run's target to the workers of a project (`inject('s2Emulator')` gives its URL). */
export function provideTarget(project: TestProject, target: RunTarget, cassettes?: S2TestCassettesOptions): void {
  project.provide('s2Emulator', target.kind === 'emulator' ? target.url : target.accountEndpoint)
  project.provide('s2EmulatorTarget', target)
  project.provide('s2EmulatorCassettes', cassettes)
}
