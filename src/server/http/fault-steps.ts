import type { FaultError, Step } from '../faults/index.ts'
import type { Connection } from './connection.ts'

/** Waits `ms` (real time: faults model the network), or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function faultResponse(error: FaultError): Response {
  return new Response(JSON.stringify(error.body), {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
  })
}

/** A response for a request whose connection a fault dropped: it is never delivered. */
export const dropped = (): Response => new Response(null, { status: 503 })

/**
 * Carries out unary fault steps in order. Returns the response that replaces the real one
 * (an injected error, or nothing for a dropped connection), or null to carry on.
 */
export async function runSteps(steps: readonly Step[], connection: Connection, signal: AbortSignal): Promise<Response | null> {
  for (const step of steps) {
    switch (step.kind) {
      case 'sleep':
      case 'stall':
        await sleep(step.ms, signal)
        if (signal.aborted) return dropped()
        break
      case 'fail':
        return faultResponse(step.error)
      case 'drop':
        await (step.scope === 'connection' ? connection.drop() : connection.cancel())
        return dropped()
      case 'truncate':
        await connection.drop()
        return dropped()
    }
  }
  return null
}
