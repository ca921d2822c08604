import { afterEach, describe, expect, it } from 'vitest'
import { parseCli, UsageError } from '../../src/cli/args.ts'
import { killAll, run, spawnProcess, started } from '../support/process.ts'

/** `--timing` (and `S2E_TIMING`): a profile, then settings, in one compact string; the seed is printed at start. */

afterEach(async () => {
  await killAll()
})

describe('--timing', () => {
  it.each([
    ['lite', { profile: 'lite' }],
    ['lite,flush=10', { profile: 'lite', flushIntervalMs: 10 }],
    ['cloud,seed=7', { profile: 'cloud', seed: 7 }],
    ['instant,jitter=3,seed=42', { profile: 'instant', jitterMs: 3, seed: 42 }],
    ['commit=0-3,read=1,deliver=2-9', { commitMs: [0, 3], readMs: 1, deliverMs: [2, 9] }],
  ])('%s is read as %j', (flag, timing) => {
    expect(parseCli(['--timing', flag], {})).toEqual({ kind: 'serve', options: { port: 4243, timing }, fromEnv: {} })
  })

  it('is taken from S2E_TIMING when the flag is absent; the flag wins', () => {
    expect(parseCli([], { S2E_TIMING: 'lite' })).toMatchObject({ options: { timing: { profile: 'lite' } } })
    expect(parseCli(['--timing', 'cloud'], { S2E_TIMING: 'lite' })).toMatchObject({ options: { timing: { profile: 'cloud' } } })
  })

  it.each([
    ['fast', "'fast' is not a timing setting"],
    ['lite,flush=0', 'flushIntervalMs must be whole milliseconds from 1'],
    ['cloud,flush=5', "flushIntervalMs applies only to profile 'lite'"],
    ['commit=5-2', 'commitMs must be whole milliseconds'],
    ['seed=1-2', 'seed takes one number, not a range'],
    ['lite,lite', "'lite' is not a timing setting"],
  ])('%s is a usage error saying why', (flag, message) => {
    expect(() => parseCli(['--timing', flag], {})).toThrow(UsageError)
    expect(() => parseCli(['--timing', flag], {})).toThrow(message)
  })

  it('is documented by --help', async () => {
    const result = await run(process.execPath, ['src/cli.ts', '--help'])
    expect(result.stdout).toContain('--timing <spec>')
    expect(result.stdout).toContain('S2E_TIMING')
  })

  it('prints the profile and its seed at start, so a run can be replayed', async () => {
    const p = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0', '--timing', 'lite,jitter=2,seed=99'])
    await started(p)
    expect(p.stdout()).toContain('timing: lite, flush every 5 ms, jitter up to 2 ms (seed 99; replay with --timing ...,seed=99)')
    p.child.kill('SIGTERM')
    await p.exited
  })
})
