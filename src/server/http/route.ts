import type { HttpBindings } from '@hono/node-server'
import type { Context, Hono } from 'hono'
import type { Engine } from '../engine/index.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { Operation } from './operations.ts'

export type AppEnv = {
  Bindings: HttpBindings
  Variables: {
    /** The account the request acts in: `""` while isolation is off. */
    namespace: string
    /** The S2 operation the route serves; unset for health, metrics and unknown paths. */
    operation: Operation
  }
}

export type AppContext = Context<AppEnv>
export type App = Hono<AppEnv>

/** What route handlers need from the emulator. */
export interface RouteDeps {
  readonly engine: Engine
  readonly metrics: Metrics
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteSpec {
  readonly method: Method
  /** Hono path pattern. */
  readonly path: string
  readonly operation: Operation
  readonly handler: (c: AppContext) => Response | Promise<Response>
}

/** Registers routes, tagging each request with its operation for metrics. */
export function registerRoutes(app: App, routes: readonly RouteSpec[]): void {
  for (const route of routes) {
    app.on(route.method, route.path, (c) => {
      c.set('operation', route.operation)
      return route.handler(c)
    })
  }
}
