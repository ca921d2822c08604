import { connectS2Emulator } from '../../src/index.ts'
import { namespaceScenario, type ScenarioOptions } from './namespace-scenario.ts'

// A test worker in a process of its own: runs the namespace scenario against the emulator at
// argv[2] and prints its result as one line of JSON.
const [url, json] = process.argv.slice(2) as [string, string]
const result = await namespaceScenario(connectS2Emulator(url), JSON.parse(json) as ScenarioOptions)
process.stdout.write(`${JSON.stringify(result)}\n`)
