import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { FaultRule, FaultRuleInput } from '../server/faults/rule.ts'
import { adminCall, type AdminTarget } from './http.ts'

/** Arms and inspects the fault rules of an emulator or of one namespace (over the admin API). */
export interface FaultsClient {
  /**
   * Arms a rule; rejects with the emulator's message if it is invalid. Returns it with its id. A
   * namespace's rule matches only requests of that namespace.
   */
  add(rule: FaultRuleInput): Promise<FaultRule>
  /** Every armed rule of this scope, with how often each matched and fired. */
  list(): Promise<FaultRule[]>
  get(id: string): Promise<FaultRule>
  remove(id: string): Promise<void>
  /** Removes every rule of this scope; resolves to how many were removed. */
  clear(): Promise<number>
  /** The seed that probabilities and latency ranges draw from; report it to replay a run. */
  seed(): Promise<number>
  /** Restarts the generator with `seed`, so the same requests draw the same fires again. */
  setSeed(seed: number): Promise<void>
  /** Rejects, naming them, if any armed rule of this scope has not fired yet. */
  assertAllFired(): Promise<void>
}

export function faultsClient(target: AdminTarget): FaultsClient {
  const id = (ruleId: string): string => `/faults/${encodeURIComponent(ruleId)}`
  return {
    add: (rule) => adminCall<FaultRule>(target, 'POST', '/faults', rule),
    list: async () => (await adminCall<{ rules: FaultRule[] }>(target, 'GET', '/faults')).rules,
    get: (ruleId) => adminCall<FaultRule>(target, 'GET', id(ruleId)),
    remove: async (ruleId) => {
      await adminCall<void>(target, 'DELETE', id(ruleId))
    },
    clear: async () => (await adminCall<{ removed: number }>(target, 'DELETE', '/faults')).removed,
    seed: async () => (await adminCall<{ seed: number }>(target, 'GET', '/faults/seed')).seed,
    setSeed: async (seed) => {
      await adminCall(target, 'PUT', '/faults/seed', { seed })
    },
    assertAllFired: async () => {
      const { rules, seed } = await adminCall<{ rules: FaultRule[]; seed: number }>(target, 'GET', '/faults')
      const unfired = rules.filter((r) => r.fired === 0)
      if (unfired.length === 0) return
      const names = unfired.map((r) => `${r.id}${r.description ? ` (${r.description})` : ''}: matched ${r.matched} request(s)`)
      throw new S2EmulatorError(
        'S2EMU_FAULT_NOT_FIRED',
        `${unfired.length} armed fault rule(s) never fired: ${names.join('; ')}. Fault seed: ${seed}.`,
      )
    },
  }
}
