/** @type {import('jest').Config} */
module.exports = {
  preset: 's2-emulator/jest', // one emulator for the run; each test gets a namespace of its own
  transform: { '^.+\\.ts$': 'ts-jest' }, // ts-jest type-checks each test file as it compiles it
}
