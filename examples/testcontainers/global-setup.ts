import { S2EmulatorContainer, type StartedS2EmulatorContainer } from 's2-emulator/testcontainers'

let emulator: StartedS2EmulatorContainer

export async function setup(): Promise<void> {
  // Builds the image s2-emulator:<version> from the installed package the first time.
  emulator = await new S2EmulatorContainer().withIsolation('token').start()
  process.env.S2_EMULATOR_URL = emulator.getUrl() // test files (other processes) connect by URL
}

export async function teardown(): Promise<void> {
  await emulator.stop()
}
