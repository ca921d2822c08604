export { startS2Emulator, type S2Emulator, type S2Environment } from './server/emulator.ts'
export { emulatorDefaults, type S2EmulatorOptions } from './server/options.ts'
export { S2EmulatorError, type EmulatorErrorCode } from './server/errors/index.ts'
export type { Clock, Timer } from './server/clock/clock.ts'
