export { S2EmulatorContainer } from './s2-emulator-container.ts'
export { StartedS2EmulatorContainer } from './started-s2-emulator-container.ts'
export { buildS2EmulatorImage, defaultImageTag, writeS2EmulatorImageContext, type BuildS2EmulatorImageOptions } from './image.ts'
export { S2_EMULATOR_PORT } from './health-wait.ts'
