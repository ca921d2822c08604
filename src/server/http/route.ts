import type { HttpBindings } from '@hono/node-server'
import type { Context, Hono } from 'hono'
import type { Access } from '../auth/access.ts'
import type { Cloud } from '../cloud/cloud.ts'
import { authorizeRoute } from '../cloud/authorize.ts'
import type { Engine } from '../engine/index.ts'
import { FaultPlan, type FaultScopes, type Transport } from '../faults/index.ts'
import { capturedHeaders } from '../journal/capture.ts'
import type { Journal, JournalDraft } from '../journal/journal.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { Operation } from '../operations.ts'
import { connectionOf } from './connection.ts'
import { runSteps } from './fault-steps.ts'
import { mediaKind } from './request/media.ts'
import { rawSegment } from './request/path.ts'
import { throttleResponse } from './throttle.ts'

export type AppEnv = {
  Bindings: HttpBindings
  Variables: {
    /** The name of the namespace the request acts in: `default` while isolation is off. */
    namespace: string
    /** The S2 operation the route serves; unset for health, metrics, admin and unknown paths. */
    operation: Operation
    /** The faults chosen for this request (empty when none fired). */
    faults: FaultPlan
    /** The request's journal entry on its way; unset while the journal is off. */
    journal: JournalDraft
    /** Cloud profile only: what the request's access token may do. Unset in the lite profile. */
    access: Access
  }
}

export type AppContext = Context<AppEnv>
export type App = Hono<AppEnv>

/** What route handlers need from the emulator. */
export interface RouteDeps {
  readonly engine: Engine
  readonly metrics: Metrics
  /** The emulator's fault rules and each namespace's. */
  readonly faults: FaultScopes
  /** The cloud profile's state (tokens, usage, locations); undefined in the lite profile. */
  readonly cloud?: Cloud | undefined
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteSpec {
  readonly method: Method
  /** Hono path pattern. */
  readonly path: string
  readonly operation: Operation
  readonly handler: (c: AppContext) => Response | Promise<Response>
}

const lenientSegment = (path: string, index: number): string | undefined => {
  const segment = rawSegment(path, index)
  if (segment === undefined || !segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** How a request travels: a unary call, an SSE read, or an S2S session. */
function transportOf(operation: Operation, headers: Headers): Transport {
  if (operation !== 'read' && operation !== 'append') return 'unary'
  if (mediaKind(headers.get('content-type')) === 's2s') return 's2s'
  if (operation === 'read' && mediaKind(headers.get('accept')) === 'event-stream') return 'sse'
  return 'unary'
}

/**
 * Registers routes, tagging each request with its operation (for metrics) and running the fault
 * rules that fire for it: steps before it is handled, after it (lost acks, late answers) and on
 * its body (throttling). Sessions get the plan and act on it frame by frame. With the journal on,
 * each request gets a draft entry that the app logs once the response is final.
 */
export function registerRoutes(app: App, routes: readonly RouteSpec[], faults: FaultScopes, journal?: Journal): void {
  for (const route of routes) {
    // In the cloud profile the token must permit the operation; in the lite profile this is one check.
    const handler = (c: AppContext): Response | Promise<Response> => {
      const access = c.get('access')
      if (access !== undefined) authorizeRoute(access, route.operation)
      return route.handler(c)
    }
    const basinInPath = route.path.startsWith('/v1/basins/')
    const streamInPath = route.path.startsWith('/v1/streams/')
    const basinInHeader = route.path.startsWith('/v1/streams')
    app.on(route.method, route.path, async (c) => {
      c.set('operation', route.operation)
      const journaled = journal?.enabled === true ? journal : undefined
      const namespace = c.get('namespace')
      const armed = faults.armed(namespace)
      if (!armed && journaled === undefined) {
        c.set('faults', FaultPlan.none)
        return handler(c)
      }
      const headers = c.req.raw.headers
      const transport = transportOf(route.operation, headers)
      const basin = basinInPath ? lenientSegment(c.req.path, 3) : basinInHeader ? (headers.get('s2-basin') ?? undefined) : undefined
      const stream = streamInPath ? lenientSegment(c.req.path, 3) : undefined
      const plan = armed ? faults.plan({ namespace, operation: route.operation, basin, stream, transport, headers }) : FaultPlan.none
      c.set('faults', plan)
      let draft: JournalDraft | undefined
      if (journaled) {
        const url = c.req.url
        const query = url.indexOf('?')
        draft = journaled.begin({
          namespace,
          operation: route.operation,
          method: c.req.method,
          path: c.req.path,
          query: query === -1 ? '' : url.slice(query + 1),
          basin,
          stream,
          transport,
          faults: plan.ruleIds,
          authorization: headers.has('authorization'),
          encryptionKey: headers.has('s2-encryption-key'),
          // Served over node: its raw headers, read only if the entry is listed.
          headers: c.env?.incoming?.rawHeaders ?? capturedHeaders(headers),
        })
        c.set('journal', draft)
      }
      if (plan.empty) return handler(c)

      const connection = connectionOf(c.env)
      const signal = c.req.raw.signal
      const before = plan.beforeHandling(transport !== 'unary')
      const early = await runSteps(before, connection, signal)
      if (early) {
        draft?.faulted(before, signal.aborted)
        return early
      }
      let response = await handler(c)
      if (transport === 'unary') {
        const committed = route.operation === 'append' && response.status === 200
        const after = plan.afterHandling(committed)
        const late = await runSteps(after, connection, signal)
        if (late) {
          draft?.faulted(after, signal.aborted)
          return late
        }
      }
      const limit = plan.throttle
      if (limit !== null) response = throttleResponse(response, limit)
      return response
    })
  }
}
