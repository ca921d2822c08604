/**
 * `preset: 's2-emulator/jest'`: jest finds this file as `s2-emulator/jest/jest-preset`. It sets
 * the globalSetup that starts one emulator for the run, the globalTeardown that stops it, and the
 * environment that gives each test a namespace of it.
 */
const preset = {
  globalSetup: 's2-emulator/jest/global-setup',
  globalTeardown: 's2-emulator/jest/global-teardown',
  testEnvironment: 's2-emulator/jest/environment',
}

export default preset
