/**
 * `npm run fuzz [-- --seed N] [--count N] [--digest-every N] [--deadline MS]`
 *
 * The fuzz suite at full size (test/fuzz/): 100,000 malformed and edge-case requests by default,
 * against an emulator started in this process on 127.0.0.1, then a summary. Exits 1 if any request
 * failed a check or the emulator was unhealthy afterwards, printing each failing request with the
 * seed and index that replay it.
 */
import { parseArgs } from 'node:util'
import { describeFailure, describeSummary, runFuzz } from '../test/fuzz/run.ts'

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string', default: '100000' },
    'digest-every': { type: 'string', default: '10' },
    deadline: { type: 'string', default: '10000' },
  },
})

function integer(name: string, value: string | undefined, min: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer of at least ${min} (got ${value})`)
    process.exit(2)
  }
  return n
}

const seed = values.seed === undefined ? Math.floor(Math.random() * 0xffffffff) : integer('seed', values.seed, 0)
const summary = await runFuzz({
  seed,
  count: integer('count', values.count, 1),
  digestEvery: integer('digest-every', values['digest-every'], 1),
  deadlineMs: integer('deadline', values.deadline, 1),
  progress: (line) => console.log(line),
  onFailure: (failure) => console.log(`\n${describeFailure(seed, failure)}\n`),
})
console.log(`\n${describeSummary(summary)}`)
process.exit(summary.failures.length > 0 || summary.health.length > 0 ? 1 : 0)
