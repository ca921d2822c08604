import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['./global-setup.ts'], // one emulator container for the whole run
    testTimeout: 60_000, // a test that starts a container of its own needs a second or two
  },
})
