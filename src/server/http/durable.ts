import type { MiddlewareHandler } from 'hono'
import type { Durability } from '../engine/index.ts'

/**
 * With a durable log (`persistDir`), the answer to a request that changed the state waits until
 * the change is on disk: an acknowledged append (or basin, or reset) survives a crash, as in
 * s2-lite. Sessions wait per ack instead (s2s-append.ts). A failed log answers 500 `storage`.
 */
export function durableAnswers(log: Durability): MiddlewareHandler {
  return async (_c, next) => {
    const before = log.lastChange
    await next()
    const after = log.lastChange
    if (after === before) return
    const written = log.durable(after)
    if (written !== null) await written
  }
}
