import { inspect } from 'node:util'

/**
 * What a matcher gets as `this` from vitest and jest alike (`MatcherState` in both): whether it
 * is negated, and the runner's printers and diff. Vitest adds the running test (`task`).
 */
export interface MatcherContext {
  readonly isNot: boolean
  readonly promise?: string
  readonly utils?: Partial<MatcherUtils>
  /** Vitest: the running test. */
  readonly task?: unknown
}

export interface MatcherUtils {
  matcherHint(name: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string; secondArgument?: string }): string
  printExpected(value: unknown): string
  printReceived(value: unknown): string
  diff(expected: unknown, received: unknown, options?: { expand?: boolean }): string | null | undefined
  EXPECTED_COLOR(text: string): string
  RECEIVED_COLOR(text: string): string
}

/** The result vitest and jest expect of a matcher. */
export interface MatcherResult {
  readonly pass: boolean
  readonly message: () => string
  readonly actual?: unknown
  readonly expected?: unknown
}

const plain = (value: unknown): string => inspect(value, { depth: 6, breakLength: 100, maxStringLength: 400 })

/** The runner's utilities where it gives them, plain ones where it does not (a matcher called by hand). */
export function utilsOf(context: MatcherContext): MatcherUtils {
  const u = context.utils ?? {}
  return {
    matcherHint: u.matcherHint?.bind(u) ?? ((name, received = 'received', expected = 'expected', o = {}) =>
      `expect(${received})${o.promise ? `.${o.promise}` : ''}${o.isNot ? '.not' : ''}.${name}(${expected})`),
    printExpected: u.printExpected?.bind(u) ?? plain,
    printReceived: u.printReceived?.bind(u) ?? plain,
    diff: u.diff?.bind(u) ?? ((e, r) => `- Expected\n+ Received\n\n- ${plain(e)}\n+ ${plain(r)}`),
    EXPECTED_COLOR: u.EXPECTED_COLOR ?? ((text) => text),
    RECEIVED_COLOR: u.RECEIVED_COLOR ?? ((text) => text),
  }
}

/** The runner's colours for expected and received values. */
export function colours(context: MatcherContext): { expected(text: string): string; received(text: string): string } {
  const u = utilsOf(context)
  return { expected: (text) => u.EXPECTED_COLOR(text), received: (text) => u.RECEIVED_COLOR(text) }
}

/** `expect(received).name(expected)` as the runner prints it, negated when it is. */
export function hint(context: MatcherContext, name: string, expected = 'expected', received = 'received', secondArgument?: string): string {
  return utilsOf(context).matcherHint(name, received, expected, {
    isNot: context.isNot,
    ...(context.promise ? { promise: context.promise } : {}),
    ...(secondArgument ? { secondArgument } : {}),
  })
}
