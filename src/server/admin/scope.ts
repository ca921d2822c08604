import type { Hono } from 'hono'
import type { AppContext, AppEnv } from '../http/route.ts'
import type { ControlScope } from '../namespaces/controls.ts'

/**
 * Where a group of admin routes is mounted and which controls it acts on: `/_emulator` for the
 * whole emulator, `/_emulator/namespaces/:namespace` for one namespace. Each route module is
 * written once and mounted at both.
 */
export interface Mount {
  readonly app: Hono<AppEnv>
  readonly prefix: string
  readonly scopeOf: (c: AppContext) => ControlScope
}
