import type { Hono } from 'hono'
import type { FaultRegistry } from '../faults/index.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import type { Engine } from '../engine/index.ts'
import { Journal } from '../journal/journal.ts'
import { clockRoutes } from './clock-routes.ts'
import { faultRoutes } from './faults-routes.ts'
import { journalRoutes } from './journal-routes.ts'
import { snapshotRoutes } from './snapshot-routes.ts'
import { snapshotFileRoutes } from './snapshot-file-routes.ts'
import { seedRoutes } from './seed-routes.ts'
import { stateRoutes } from './state-routes.ts'
import { adminOpenApi } from './openapi.ts'

export interface AdminDeps {
  readonly faults: FaultRegistry
  readonly engine: Engine
  /** The request journal; its routes are served even while it is off (they answer with no entries). */
  readonly journal?: Journal
}

/**
 * The admin API under `/_emulator`: registered apart from the S2 routes, so faults never touch it.
 * Returns each method and path it serves, for 405 answers.
 */
export function adminRoutes(app: Hono<AppEnv>, deps: AdminDeps): [string, string][] {
  app.get('/_emulator/openapi.json', () => json(200, adminOpenApi))
  faultRoutes(app, deps.faults)
  stateRoutes(app, deps.engine, deps.faults, deps.journal)
  journalRoutes(app, deps.journal ?? new Journal(0, deps.engine.clock))
  // Before snapshotRoutes: /_emulator/snapshots/import must win over /_emulator/snapshots/:name in the 405 table.
  snapshotFileRoutes(app, deps.engine)
  snapshotRoutes(app, deps.engine)
  clockRoutes(app, deps.engine.clock)
  seedRoutes(app, deps.engine)
  return app.routes
    .filter((r) => r.path.startsWith('/_emulator/') && r.method !== 'ALL')
    .map((r) => [r.method, r.path])
}

export { adminOpenApi }
