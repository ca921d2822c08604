import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { FaultRule, FaultRuleInput } from '../server/faults/rule.ts'
import { adminCall } from './http.ts'

/** Arms and inspects fault rules of an emulator, in this process or another (over its admin API). */
export interface FaultsClient {
  /** Arms a rule; rejects with the emulator's message if it is invalid. Returns it with its id. */
  add(rule: FaultRuleInput): Promise<FaultRule>
  /** Every armed rule, with how often each matched and fired. */
  list(): Promise<FaultRule[]>
  get(id: string): Promise<FaultRule>
  remove(id: string): Promise<void>
  /** Removes every rule (or those matching one namespace); resolves to how many were removed. */
  clear(options?: { namespace?: string }): Promise<number>
  /** The seed that probabilities and latency ranges draw from; report it to replay a run. */
  seed(): Promise<number>
  /** Restarts the generator with `seed`, so the same requests draw the same fires again. */
  setSeed(seed: number): Promise<void>
  /** Rejects, naming them, if any armed rule has not fired yet. */
  assertAllFired(): Promise<void>
}

export function faultsClient(baseUrl: string): FaultsClient {
  return {
    add: (rule) => adminCall<FaultRule>(baseUrl, 'POST', '/_emulator/faults', rule),
    list: async () => (await adminCall<{ rules: FaultRule[] }>(baseUrl, 'GET', '/_emulator/faults')).rules,
    get: (id) => adminCall<FaultRule>(baseUrl, 'GET', `/_emulator/faults/${encodeURIComponent(id)}`),
    remove: async (id) => {
      await adminCall<void>(baseUrl, 'DELETE', `/_emulator/faults/${encodeURIComponent(id)}`)
    },
    clear: async (options) => {
      const query = options?.namespace === undefined ? '' : `?namespace=${encodeURIComponent(options.namespace)}`
      return (await adminCall<{ removed: number }>(baseUrl, 'DELETE', `/_emulator/faults${query}`)).removed
    },
    seed: async () => (await adminCall<{ seed: number }>(baseUrl, 'GET', '/_emulator/faults/seed')).seed,
    setSeed: async (seed) => {
      await adminCall(baseUrl, 'PUT', '/_emulator/faults/seed', { seed })
    },
    assertAllFired: async () => {
      const { rules, seed } = await adminCall<{ rules: FaultRule[]; seed: number }>(baseUrl, 'GET', '/_emulator/faults')
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
