import { defineConfig } from 'vitest/config'
import { s2Emulator } from 's2-emulator/vitest/plugin'

export default defineConfig({
  plugins: [s2Emulator()], // one emulator for the run; each test gets a namespace of its own
})
