import { describe, expect, it } from 'vitest'
import { failure, useMatcherEmulator } from './support.ts'

/** `toHaveFiredFault` and `toHaveFiredAllFaults`: a rule fired (n times); every rule of the namespace fired. */

const t = useMatcherEmulator('faults')

describe('toHaveFiredFault', () => {
  it('passes once the rule fired, by id or by the rule faults.add returned, and counts', async () => {
    const rule = await t.ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 2 })
    await expect(t.ns).not.toHaveFiredFault(rule)
    for (let i = 0; i < 3; i++) await t.stream('orders').checkTail().catch(() => {})
    await expect(t.ns).toHaveFiredFault('flaky-tail')
    await expect(t.ns).toHaveFiredFault(rule, 2)
    await expect(t.ns).toHaveFiredFault(rule, { atLeast: 1, atMost: 2 })
    await expect(t.ns).not.toHaveFiredFault(rule, 3)
  })

  it('fails saying how often it fired and what it matched, negated too', async () => {
    await t.ns.faults.add({ id: 'slow-append', match: { operation: 'append' }, action: { type: 'latency', ms: 1 } })
    await t.ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 } })
    await t.stream('orders').checkTail().catch(() => {})
    expect(await failure(expect(t.ns).toHaveFiredFault('slow-append'))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveFiredFault(rule)

      Expected fault rule "slow-append" of namespace ns-416433d4036976fdbc02 to have fired at least once; it fired 0 times.
        slow-append (latency on append): fired 0 times, matched 0 requests"
    `)
    expect(await failure(expect(t.ns).toHaveFiredFault('flaky-tail', { times: 2 }))).toMatchInlineSnapshot(`
      "expect(namespace).toHaveFiredFault(rule, times)

      Expected fault rule "flaky-tail" of namespace ns-416433d4036976fdbc02 to have fired exactly twice; it fired 1 time.
        flaky-tail (error 503 on check_tail): fired 1 time, matched 1 request"
    `)
    expect(await failure(expect(t.ns).not.toHaveFiredFault('flaky-tail'))).toMatchInlineSnapshot(`
      "expect(namespace).not.toHaveFiredFault(rule)

      Expected fault rule "flaky-tail" of namespace ns-416433d4036976fdbc02 not to have fired; it fired 1 time.
        flaky-tail (error 503 on check_tail): fired 1 time, matched 1 request"
    `)
  })

  it('names the rules there are when the id is unknown, also negated', async () => {
    await t.ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 } })
    await expect(expect(t.ns).not.toHaveFiredFault('flaky-tial')).rejects.toThrow(
      `[s2-emulator] toHaveFiredFault: namespace ${t.ns.name} has no fault rule "flaky-tial"; its rules: flaky-tail. (A reset or drop removes rules; a namespace's handle sees only its own.)`,
    )
  })
})

describe('toHaveFiredAllFaults', () => {
  it("passes when every rule of the namespace fired, and sees only this namespace's rules", async () => {
    await expect(t.ns).toHaveFiredAllFaults() // none armed
    await t.ns.faults.add({ match: { operation: 'check_tail' }, action: { type: 'error', status: 503 }, times: 1 })
    await expect(t.ns).not.toHaveFiredAllFaults()
    await t.stream('orders').checkTail().catch(() => {})
    await expect(t.ns).toHaveFiredAllFaults()
    const other = await t.emulator.createNamespace()
    await other.faults.add({ match: { operation: 'append' }, action: { type: 'error', status: 503 } })
    await expect(t.ns).toHaveFiredAllFaults()
    await expect(other).not.toHaveFiredAllFaults()
    await other.drop()
  })

  it('fails listing the rules that never fired; negated, the rules that did', async () => {
    await t.ns.faults.add({ id: 'stall-list', match: { operation: 'list_streams' }, action: { type: 'stall', ms: 10 } })
    await t.ns.faults.add({ id: 'flaky-tail', match: { operation: 'check_tail' }, action: { type: 'error', status: 503 } })
    await t.stream('orders').checkTail().catch(() => {})
    expect(await failure(expect(t.ns).toHaveFiredAllFaults())).toMatchInlineSnapshot(`
      "expect(namespace).toHaveFiredAllFaults()

      1 fault rule of 2 armed in namespace ns-3924b9905bfcffa05ccd never fired:
        stall-list (stall on list_streams): fired 0 times, matched 0 requests"
    `)
    await t.ns.faults.remove('stall-list')
    expect(await failure(expect(t.ns).not.toHaveFiredAllFaults())).toMatchInlineSnapshot(`
      "expect(namespace).not.toHaveFiredAllFaults()

      Expected some fault rule of namespace ns-3924b9905bfcffa05ccd not to have fired, but its only rule did:
        flaky-tail (error 503 on check_tail): fired 1 time, matched 1 request"
    `)
  })
})
