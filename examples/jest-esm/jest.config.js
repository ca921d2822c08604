/** @type {import('jest').Config} */
export default {
  preset: 's2-emulator/jest', // one emulator for the run; each test gets a namespace of its own
  transform: {}, // native ES modules, no transpiling
}
