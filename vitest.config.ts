import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests and examples import the package by its name, as users do (the longer names first:
    // 's2-emulator' would match 's2-emulator/...' too).
    alias: {
      's2-emulator/vitest/plugin': fileURLToPath(new URL('./src/vitest/plugin.ts', import.meta.url)),
      's2-emulator/vitest/global-setup': fileURLToPath(new URL('./src/vitest/global-setup.ts', import.meta.url)),
      's2-emulator/vitest': fileURLToPath(new URL('./src/vitest/index.ts', import.meta.url)),
      's2-emulator/jest/global-setup': fileURLToPath(new URL('./src/jest/global-setup.ts', import.meta.url)),
      's2-emulator/jest/global-teardown': fileURLToPath(new URL('./src/jest/global-teardown.ts', import.meta.url)),
      's2-emulator/jest/environment': fileURLToPath(new URL('./src/jest/environment.ts', import.meta.url)),
      's2-emulator/jest/jest-preset': fileURLToPath(new URL('./src/jest/jest-preset.ts', import.meta.url)),
      's2-emulator/jest': fileURLToPath(new URL('./src/jest/index.ts', import.meta.url)),
      's2-emulator/record-replay': fileURLToPath(new URL('./src/record-replay/index.ts', import.meta.url)),
      's2-emulator/testcontainers': fileURLToPath(new URL('./src/testcontainers/index.ts', import.meta.url)),
      's2-emulator/matchers/vitest': fileURLToPath(new URL('./src/matchers/vitest.ts', import.meta.url)),
      's2-emulator/matchers': fileURLToPath(new URL('./src/matchers/index.ts', import.meta.url)),
      's2-emulator': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // A scratch directory per run, where the package is packed once for the tests that install it.
    globalSetup: ['test/support/run-dir.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
