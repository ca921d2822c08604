/**
 * `preset: 's2-emulator/jest'`: jest finds this file as `s2-emulator/jest/jest-preset`. It sets
 * the globalSetup that starts one emulator for the run, the globalTeardown that stops it, the
 * environment that gives each test a namespace of it, and registers the matchers (as the vitest
 * fixtures do). Jest appends a project's own setupFilesAfterEnv to a preset's, so they add to this.
 */
const preset = {
  globalSetup: 's2-emulator/jest/global-setup',
  globalTeardown: 's2-emulator/jest/global-teardown',
  testEnvironment: 's2-emulator/jest/environment',
  setupFilesAfterEnv: ['s2-emulator/jest/setup-matchers'],
}

export default preset
