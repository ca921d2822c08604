import { describe, expect, it } from 'vitest'
import { s2Matchers } from '../../src/matchers/index.ts'
import { checkAwaited } from '../../src/matchers/track.ts'
import { append, useMatcherEmulator } from './support.ts'

/**
 * A matcher reads the emulator, so it returns a promise; one left without `await` must not pass
 * silently. Vitest waits for it when the test function returns and fails the test if it was still
 * running; under jest, the registration module's afterEach does the same.
 */

const t = useMatcherEmulator('await')

describe('in vitest', () => {
  it.fails('a matcher still running when the test function returns fails the test', async () => {
    await append(t.stream('orders'), 'a')
    await t.ns.faults.add({ match: { operation: 'check_tail' }, action: { type: 'latency', ms: 300 } })
    void expect(t.stream('orders')).toHaveTail(1) // it would pass, once it finished: the missing await fails the test
  })

  it('the failure says which matcher was not awaited and where it was called', async () => {
    const task = { promises: [] as unknown[] }
    const running = s2Matchers.toHaveTail.call({ isNot: false, task }, { basin: t.basin, stream: 'orders', namespace: t.ns }, 0)
    // What vitest does once the test function returned: wait for what is left in the list.
    const [left] = await Promise.allSettled(task.promises)
    expect(left?.status).toBe('rejected')
    const error = (left as PromiseRejectedResult).reason as Error
    expect(error.message).toBe('[s2-emulator] expect(...).toHaveTail(...) was not awaited: it was still reading the emulator when the test ended. Write `await expect(...).toHaveTail(...)`.')
    expect(error.stack).toContain('await.test.ts')
    expect((await running).pass).toBe(true)
  })

  it('an awaited matcher leaves nothing behind', async () => {
    const task = { promises: [] as unknown[] }
    await s2Matchers.toBeEmptyStream.call({ isNot: false, task }, { basin: t.basin, stream: 'orders', namespace: t.ns })
    expect(task.promises).toEqual([])
  })
})

describe('without a test list (jest)', () => {
  it('checkAwaited, run after each test, throws while a matcher still runs, and not once it was awaited', async () => {
    const running = s2Matchers.toBeEmptyStream.call({ isNot: false }, { basin: t.basin, stream: 'orders', namespace: t.ns })
    await expect(checkAwaited()).rejects.toThrow('[s2-emulator] expect(...).toBeEmptyStream(...) was not awaited')
    expect((await running).pass).toBe(true)
    await s2Matchers.toBeEmptyStream.call({ isNot: false }, { basin: t.basin, stream: 'orders', namespace: t.ns })
    await expect(checkAwaited()).resolves.toBeUndefined()
  })
})
