import { S2Error } from '../errors/index.ts'
import type { Operation } from '../operations.ts'
import { randomSeed, SeededRandom } from './random.ts'
import { ruleProblems, type FaultAction, type FaultMatch, type FaultRule, type FaultRuleInput, type NameMatch, type Transport } from './rule.ts'

/** What a request is, as far as fault rules can tell. */
export interface RequestFacts {
  readonly namespace: string
  readonly operation: Operation
  readonly basin: string | undefined
  readonly stream: string | undefined
  readonly transport: Transport
  readonly headers: Headers
}

/** A rule chosen for one request, and the rule it came from. */
export interface SelectedFault {
  readonly ruleId: string
  readonly action: FaultAction
}

interface HeldRule {
  readonly input: FaultRuleInput
  readonly id: string
  matched: number
  fired: number
}

const nameMatches = (filter: NameMatch | undefined, name: string | undefined): boolean =>
  filter === undefined || (name !== undefined && (typeof filter === 'string' ? name === filter : name.startsWith(filter.prefix)))

const oneOf = <T>(filter: T | readonly T[] | undefined, value: T): boolean =>
  filter === undefined || (Array.isArray(filter) ? (filter as readonly T[]).includes(value) : filter === value)

/** Whether an action can act on this kind of request at all; a rule that cannot is not counted as matching. */
function applies(action: FaultAction, facts: RequestFacts): boolean {
  const session = facts.transport !== 'unary'
  switch (action.type) {
    case 'truncate':
      return session && facts.operation === 'read'
    case 'lose_ack':
    case 'reject_before_commit':
      return facts.operation === 'append'
    case 'error':
    case 'reset':
    case 'stall':
      return action.after === undefined || session
    default:
      return true
  }
}

/**
 * The armed fault rules of one emulator, their accounting, and the seeded generator their
 * probabilities draw from. With no rules armed, selecting costs one length check.
 */
export class FaultRegistry {
  #rules: HeldRule[] = []
  #random: SeededRandom
  #nextId = 1

  constructor(seed: number = randomSeed()) {
    this.#random = new SeededRandom(seed)
  }

  get seed(): number {
    return this.#random.seed
  }

  /** Restarts the generator with this seed, so the same requests draw the same fires again. */
  setSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new S2Error('bad_json', 'seed: must be an integer from 0 to 4294967295')
    }
    this.#random = new SeededRandom(seed)
  }

  get armed(): number {
    return this.#rules.length
  }

  /** Validates and arms a rule; a bad one is a 400 naming each bad field and what it allows. */
  add(input: unknown): FaultRule {
    const problems = ruleProblems(input)
    const rule = input as FaultRuleInput
    if (rule?.id !== undefined && this.#rules.some((r) => r.id === rule.id)) {
      problems.push(`id: a rule with id "${rule.id}" is already armed`)
    }
    if (problems.length > 0) throw new S2Error('bad_json', `invalid fault rule: ${problems.join('; ')}`)
    let id = rule.id
    while (id === undefined || this.#rules.some((r) => r.id === id)) id = `fault-${this.#nextId++}`
    const held: HeldRule = { input: structuredClone(rule), id, matched: 0, fired: 0 }
    this.#rules.push(held)
    return this.#view(held)
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => this.#view(r))
  }

  get(id: string): FaultRule | undefined {
    const held = this.#rules.find((r) => r.id === id)
    return held && this.#view(held)
  }

  remove(id: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((r) => r.id !== id)
    return this.#rules.length < before
  }

  /** Removes every rule; returns how many. */
  clear(): number {
    const removed = this.#rules.length
    this.#rules = []
    return removed
  }

  /** Removes the rules whose match passes `test`; returns how many. */
  removeWhere(test: (match: FaultMatch) => boolean): number {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((rule) => !test(rule.input.match ?? {}))
    return before - this.#rules.length
  }

  /** The actions that fire for a request, in the order their rules were armed; each fire is counted. */
  select(facts: RequestFacts): SelectedFault[] {
    if (this.#rules.length === 0) return []
    const selected: SelectedFault[] = []
    for (const rule of this.#rules) {
      if (!this.#matches(rule.input, facts)) continue
      rule.matched++
      if (!this.#budgetAllows(rule)) continue
      rule.fired++
      selected.push({ ruleId: rule.id, action: rule.input.action })
    }
    return selected
  }

  #matches(rule: FaultRuleInput, facts: RequestFacts): boolean {
    const match = rule.match
    if (!applies(rule.action, facts)) return false
    if (match === undefined) return true
    if (!oneOf(match.operation, facts.operation) || !oneOf(match.transport, facts.transport)) return false
    if (match.namespace !== undefined && match.namespace !== facts.namespace) return false
    if (!nameMatches(match.basin, facts.basin) || !nameMatches(match.stream, facts.stream)) return false
    if (match.headers) {
      for (const [name, value] of Object.entries(match.headers)) if (facts.headers.get(name) !== value) return false
    }
    return true
  }

  #budgetAllows(rule: HeldRule): boolean {
    const { after = 0, every, times, probability } = rule.input
    const n = rule.matched - after
    if (n < 1) return false
    if (every !== undefined && n % every !== 0) return false
    if (times !== undefined && rule.fired >= times) return false
    // Drawn last, so the sequence of draws depends only on the requests that reach it.
    if (probability !== undefined && this.#random.next() >= probability) return false
    return true
  }

  #view(rule: HeldRule): FaultRule {
    return { ...structuredClone(rule.input), id: rule.id, match: structuredClone(rule.input.match ?? {}), matched: rule.matched, fired: rule.fired }
  }

  /** A delay drawn from a fixed value or a [min, max] range with the seeded generator. */
  delay(ms: number | readonly [number, number]): number {
    return typeof ms === 'number' ? ms : ms[0] + this.#random.next() * (ms[1] - ms[0])
  }
}
