import { FaultPlan } from './plan.ts'
import { FaultRegistry, type RequestFacts } from './registry.ts'

/**
 * The emulator's fault rules and each namespace's own. A request meets its namespace's rules first,
 * then the emulator's (which apply to every namespace, unless their `match.namespace` says
 * otherwise). A namespace's latency ranges draw from its own seeded generator, so a test's seed
 * alone decides its delays. With no rule armed anywhere a request costs two length checks.
 */
export class FaultScopes {
  /** The emulator's rules. */
  readonly global: FaultRegistry
  readonly #byNamespace = new Map<string, FaultRegistry>()

  constructor(seed?: number) {
    this.global = new FaultRegistry(seed)
  }

  /** A namespace's rules, made on first use with a seed of their own (random unless given). */
  of(namespace: string, seed?: number): FaultRegistry {
    let registry = this.#byNamespace.get(namespace)
    if (registry === undefined) {
      registry = new FaultRegistry(seed)
      this.#byNamespace.set(namespace, registry)
    }
    return registry
  }

  /** A namespace's rules if it ever had any. */
  existing(namespace: string): FaultRegistry | undefined {
    return this.#byNamespace.get(namespace)
  }

  /** Forgets a namespace's rules and seed. */
  drop(namespace: string): number {
    const removed = this.#byNamespace.get(namespace)?.armed ?? 0
    this.#byNamespace.delete(namespace)
    return removed
  }

  /** Removes every rule, the emulator's and every namespace's (seeds stay); returns how many. */
  clearAll(): number {
    let removed = this.global.clear()
    for (const registry of this.#byNamespace.values()) removed += registry.clear()
    return removed
  }

  /** Whether any rule could fire for a request of this namespace. */
  armed(namespace: string): boolean {
    return this.global.armed > 0 || (this.#byNamespace.get(namespace)?.armed ?? 0) > 0
  }

  /** The faults that fire for a request, each counted: its namespace's rules first, then the emulator's. */
  plan(facts: RequestFacts): FaultPlan {
    const own = this.#byNamespace.get(facts.namespace)
    const selected = own !== undefined && own.armed > 0 ? own.select(facts) : []
    if (this.global.armed > 0) selected.push(...this.global.select(facts))
    if (selected.length === 0) return FaultPlan.none
    const generator = own ?? this.global
    return new FaultPlan(selected, (d) => generator.delay(d))
  }
}
