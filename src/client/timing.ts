import type { TimingInput } from '../server/timing/profile.ts'
import type { TimingState } from '../server/timing/state.ts'
import { adminCall, type AdminTarget } from './http.ts'

/** The timing of an emulator or of one namespace (over the admin API). */
export interface TimingClient {
  /** The profile in effect, its seed, its delays per storage class, and the appends it holds. */
  get(): Promise<TimingState>
  /**
   * Sets the profile: `'instant'`, `'lite'`, `'cloud'` or a spec (`{ profile: 'lite',
   * flushIntervalMs: 10 }`, `{ jitterMs: 3, seed: 42 }`). Appends held under the old one become
   * stable at once. The emulator's applies to every namespace that has set none.
   */
  set(timing: TimingInput): Promise<TimingState>
  /** Back to the default: for the emulator `instant`; for a namespace, the emulator's timing. */
  clear(): Promise<TimingState>
}

export function timingClient(target: AdminTarget): TimingClient {
  return {
    get: () => adminCall<TimingState>(target, 'GET', '/timing'),
    set: (timing) => adminCall<TimingState>(target, 'PUT', '/timing', typeof timing === 'string' ? { profile: timing } : timing),
    clear: () => adminCall<TimingState>(target, 'DELETE', '/timing'),
  }
}
