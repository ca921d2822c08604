/** @type {import('jest').Config} */
module.exports = {
  preset: 's2-emulator/jest', // one emulator for the run; each test gets a namespace of its own
}
