import type { InspectOptions, StreamReference } from '../client/inspect.ts'
import type { JournalClient } from '../client/journal.ts'
import type { FaultsClient } from '../client/faults.ts'
import type { StreamRecordsPage } from '../server/namespaces/stream-records.ts'

/**
 * The namespace `{ basin, stream }` references resolve in, and `toHaveReceived` and the fault
 * matchers read when given one. A namespace handle (`S2Namespace`) or the emulator's controls
 * (`S2Emulator`, `S2EmulatorClient`: the default namespace, and every namespace's journal).
 */
export interface S2MatcherScope {
  /** A namespace handle's name (absent on the emulator's controls). */
  readonly name?: string
  readonly journal: JournalClient
  readonly faults: FaultsClient
  inspectStream(ref: StreamReference, options?: InspectOptions): Promise<StreamRecordsPage>
}

interface Registry {
  /** Per test: vitest's test object (`context.task`, the matcher's `this.task`). */
  readonly byTest: WeakMap<object, S2MatcherScope>
  /** For runners with one test at a time (jest), or set by hand. */
  current: S2MatcherScope | null
}

// On globalThis: the ESM and the CommonJS build of this package, or two copies of it, share it.
const KEY = Symbol.for('s2-emulator.matchers.namespaces')
const registry: Registry = ((globalThis as Record<symbol, unknown>)[KEY] as Registry | undefined) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = { byTest: new WeakMap(), current: null } satisfies Registry)

/**
 * Tells the matchers which namespace the current test uses, so `expect({ basin, stream })` reads
 * there. The `s2Emulator` fixture of `s2-emulator/vitest` and the jest environment of
 * `s2-emulator/jest` call it for you. With `test` (vitest's `task`), it holds for that test only,
 * which is right for concurrent tests; without, for every test until changed (`null` unbinds).
 *
 * ```ts
 * beforeEach(async () => { ns = await emulator.createNamespace(); bindS2Namespace(ns) })
 * ```
 */
export function bindS2Namespace(namespace: S2MatcherScope | null, test?: object): void {
  if (test === undefined) registry.current = namespace
  else if (namespace === null) registry.byTest.delete(test)
  else registry.byTest.set(test, namespace)
}

const isScope = (value: unknown): value is S2MatcherScope =>
  typeof value === 'object' && value !== null && typeof (value as S2MatcherScope).inspectStream === 'function'

/**
 * The `s2Emulator` global of the jest environment of `s2-emulator/jest` (the running test's
 * namespace), when there is one; it throws outside a test.
 */
function environmentNamespace(): S2MatcherScope | null {
  try {
    const value = (globalThis as { s2Emulator?: unknown }).s2Emulator
    return isScope(value) ? value : null
  } catch {
    return null
  }
}

/**
 * The namespace bound for `test`, else for every test, else the jest environment's `s2Emulator`;
 * null if there is none.
 */
export function boundS2Namespace(test?: unknown): S2MatcherScope | null {
  const own = typeof test === 'object' && test !== null ? registry.byTest.get(test) : undefined
  return own ?? registry.current ?? environmentNamespace()
}
