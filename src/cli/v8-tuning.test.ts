import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const tuning = new URL('./v8-tuning.ts', import.meta.url).href
/** The bit of `%GetOptimizationStatus` for code optimized by Maglev or TurboFan (V8's runtime-test.cc). */
const OPTIMIZED = 1 << 4

/**
 * How V8 has compiled a small function after `calls` calls, in a node process of its own (V8's
 * flags are the process's): the `%GetOptimizationStatus` bits, once any compile under way is done.
 */
function statusAfter(calls: number, tune: boolean, nodeFlags: readonly string[] = []): number {
  const script = `(async () => {
    ${tune ? `(await import(${JSON.stringify(tuning)})).tuneV8();` : ''}
    function f(o) { return o.a + o.b * 2 }
    let s = 0;
    for (let i = 0; i < ${calls}; i++) s += f({ a: i, b: 1 });
    %WaitForBackgroundOptimization();
    s += f({ a: 1, b: 2 });
    process.stdout.write(String(%GetOptimizationStatus(f)));
  })()`
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', ...nodeFlags, '-e', script], { encoding: 'utf8' })
  // V8 warns on stderr about a flag it does not know.
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return Number(run.stdout)
}

describe('tuneV8 (the CLI process)', () => {
  it('has a function optimized after 250 calls, where V8 by default waits for about 400', () => {
    expect(statusAfter(250, false) & OPTIMIZED).toBe(0)
    expect(statusAfter(250, true) & OPTIMIZED).toBe(OPTIMIZED)
  })

  it.each(['--invocation-count-for-maglev=400', '--invocation_count_for_maglev=400'])('leaves a flag given to node alone (%s)', (flag) => {
    expect(statusAfter(250, true, [flag]) & OPTIMIZED).toBe(0)
  })
})
