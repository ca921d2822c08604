import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { FaultRule } from '../server/faults/index.ts'
import { colours, hint, type MatcherContext, type MatcherResult } from './context.ts'
import { scopeTarget } from './subjects.ts'
import { capital, plural } from './to-have-records.ts'
import { timesRange, within, type S2Times } from './times.ts'
import { tracked } from './track.ts'

/** `flaky-tail (error 503 on check_tail): fired 0 times, matched 2 requests`. */
function ruleLine(rule: FaultRule): string {
  const op = rule.match.operation
  const on = op === undefined ? '' : ` on ${Array.isArray(op) ? op.join('|') : String(op)}`
  const action = (rule.action as { type?: string }).type ?? 'fault'
  const status = (rule.action as { status?: number }).status
  return `${rule.id} (${action}${status === undefined ? '' : ` ${status}`}${on}): fired ${plural(rule.fired, 'time')}, matched ${plural(rule.matched, 'request')}`
}

/** `expect(ns).toHaveFiredFault('flaky-tail', times?)`: the rule (an id, or the rule `faults.add` returned) fired, at least once unless `times` says otherwise. */
export function toHaveFiredFault(this: MatcherContext, received: unknown, rule: string | { readonly id: string }, times?: S2Times): Promise<MatcherResult> {
  return tracked(this.task, 'toHaveFiredFault', async () => {
    const id = typeof rule === 'string' ? rule : rule?.id
    if (typeof id !== 'string') throw new TypeError('[s2-emulator] toHaveFiredFault: expected a rule id or a rule ({ id }) returned by faults.add')
    const range = timesRange(times, 'toHaveFiredFault')
    const target = scopeTarget(received, this.task, 'toHaveFiredFault', false)
    let found: FaultRule
    try {
      found = await target.scope.faults.get(id)
    } catch (error) {
      if (!(error instanceof S2EmulatorError) || error.adminCode !== 'fault_not_found') throw error
      const armed = (await target.scope.faults.list()).map((r) => r.id)
      throw new Error(
        `[s2-emulator] toHaveFiredFault: ${target.label} has no fault rule "${id}"; its rules: ${armed.length === 0 ? 'none' : armed.join(', ')}. (A reset or drop removes rules; a namespace's handle sees only its own.)`,
      )
    }
    const c = colours(this)
    const head = hint(this, 'toHaveFiredFault', 'rule', 'namespace', times === undefined ? undefined : 'times')
    const pass = within(found.fired, range)
    return {
      pass,
      actual: found.fired,
      message: () =>
        `${head}\n\nExpected fault rule ${c.expected(JSON.stringify(id))} of ${target.label} ${pass ? (times === undefined ? 'not to have fired' : `not to have fired ${range.text}`) : `to have fired ${range.text}`}; it fired ${c.received(plural(found.fired, 'time'))}.\n  ${ruleLine(found)}`,
    }
  })
}

/** `expect(ns).toHaveFiredAllFaults()`: every armed rule of the namespace (or of the emulator) fired at least once. */
export function toHaveFiredAllFaults(this: MatcherContext, received: unknown): Promise<MatcherResult> {
  return tracked(this.task, 'toHaveFiredAllFaults', async () => {
    const target = scopeTarget(received, this.task, 'toHaveFiredAllFaults', false)
    const rules = await target.scope.faults.list()
    const unfired = rules.filter((r) => r.fired === 0)
    const head = hint(this, 'toHaveFiredAllFaults', '', 'namespace')
    const pass = unfired.length === 0
    return {
      pass,
      message: () => {
        if (pass) {
          if (rules.length === 0) return `${head}\n\nExpected some fault rule of ${target.label} not to have fired, but it has no fault rules.`
          return `${head}\n\nExpected some fault rule of ${target.label} not to have fired, but ${rules.length === 1 ? 'its only rule' : `all ${rules.length} rules`} did:\n${rules.map((r) => `  ${ruleLine(r)}`).join('\n')}`
        }
        return `${head}\n\n${capital(`${plural(unfired.length, 'fault rule')} of ${rules.length}`)} armed in ${target.label} never fired:\n${unfired.map((r) => `  ${ruleLine(r)}`).join('\n')}`
      },
    }
  })
}
