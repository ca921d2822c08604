import { json } from '../http/respond.ts'
import type { App } from '../http/route.ts'
import type { Controls } from '../namespaces/controls.ts'
import type { Account } from '../store/index.ts'
import type { Cloud } from '../cloud/cloud.ts'
import { accessTokenAdminRoutes } from './access-token-routes.ts'
import { clockRoutes } from './clock-routes.ts'
import { faultRoutes } from './faults-routes.ts'
import { adminGuard } from './guard.ts'
import { journalRoutes } from './journal-routes.ts'
import { namespaceRoutes } from './namespace-routes.ts'
import { adminOpenApi } from './openapi.ts'
import type { Mount } from './scope.ts'
import { seedRoutes } from './seed-routes.ts'
import { snapshotFileRoutes } from './snapshot-file-routes.ts'
import { snapshotRoutes } from './snapshot-routes.ts'
import { stateRoutes } from './state-routes.ts'
import { timingRoutes } from './timing-routes.ts'
import { streamRoutes } from './stream-routes.ts'

export interface AdminOptions {
  readonly controls: Controls
  /** The only directory snapshot files may be read from and written to by path; null: by download/upload only. */
  readonly snapshotDir: string | null
  /** A token every admin request must carry; null for none. */
  readonly adminToken: string | null
  /** An empty account for snapshots read from files (restoring binds it to its namespace). */
  readonly newAccount: () => Account
  /** The cloud profile's state (its access tokens are listed and revoked here); undefined in the lite profile. */
  readonly cloud?: Cloud | undefined
}

/** The header a namespace handle made from a token sends, so it can act before the token's first request. */
export const NAMESPACE_TOKEN_HEADER = 's2-namespace-token'

/**
 * The admin API under `/_emulator`: the emulator's controls, and the same controls for each
 * namespace under `/_emulator/namespaces/{name}`. Registered apart from the S2 routes, so faults
 * never touch it. Returns each method and path it serves, for 405 answers.
 */
export function adminRoutes(app: App, options: AdminOptions): [string, string][] {
  const { controls } = options
  app.use('/_emulator/*', adminGuard(options))
  app.get('/_emulator/openapi.json', () => json(200, adminOpenApi))
  namespaceRoutes(app, controls)
  const mounts: Mount[] = [
    { app, prefix: '/_emulator', scopeOf: () => controls.global },
    {
      app,
      prefix: '/_emulator/namespaces/:namespace',
      scopeOf: (c) => controls.scope(c.req.param('namespace') as string, c.req.header(NAMESPACE_TOKEN_HEADER)),
    },
  ]
  for (const mount of mounts) {
    faultRoutes(mount)
    stateRoutes(mount)
    journalRoutes(mount)
    // Before snapshotRoutes: .../snapshots/import must win over .../snapshots/:name in the 405 table.
    snapshotFileRoutes(mount, options.snapshotDir, options.newAccount)
    snapshotRoutes(mount)
    clockRoutes(mount)
    seedRoutes(mount)
    accessTokenAdminRoutes(mount, options.cloud)
    timingRoutes(mount)
    streamRoutes(mount)
  }
  return app.routes
    .filter((r) => r.path.startsWith('/_emulator/') && r.method !== 'ALL')
    .map((r) => [r.method, r.path])
}

export { adminOpenApi }
