import type { InitResult, InitSpec } from '../server/seed/init-file.ts'
import { adminCall, type AdminTarget } from './http.ts'

/**
 * Applies an init spec (s2-lite's init file format) to a running emulator: each basin is ensured
 * (its config replaced), then each of its streams. A bad spec throws, naming every bad field.
 */
export function applyInit(target: AdminTarget, spec: InitSpec): Promise<InitResult> {
  return adminCall(target, 'POST', '/init', spec)
}
