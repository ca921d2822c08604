import type { Clock } from '../clock/clock.ts'
import { ControllableClock } from '../clock/controllable-clock.ts'
import { parseDuration } from '../duration.ts'
import { S2Error } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import type { ControlScope } from '../namespaces/controls.ts'
import { adminBody } from './body.ts'
import type { Mount } from './scope.ts'

function controllable(clock: Clock): ControllableClock {
  if (clock instanceof ControllableClock) return clock
  const message = 'this emulator runs on a clock object given by its host, which the admin API cannot move (a namespace\'s clock can be moved)'
  throw new S2Error('clock_not_controllable', message, 409, { code: 'clock_not_controllable', message })
}

/** The latest time a Date can hold; record timestamps are u64 milliseconds, so none is before the epoch. */
const MAX_TIME = 8.64e15

/** A time as ms since the epoch or an ISO 8601 string, from the epoch to the latest Date. */
function time(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN
  if (!Number.isFinite(ms)) throw new S2Error('bad_json', `${field}: must be milliseconds since the epoch or an ISO 8601 time`)
  if (ms < 0 || ms > MAX_TIME) throw new S2Error('bad_json', `${field}: must be from 1970-01-01T00:00:00Z to ${new Date(MAX_TIME).toISOString()}`)
  return ms
}

/** The clock's state: its mode, its time, and for a namespace whether it still follows the emulator's clock. */
function state({ clock, namespace }: ControlScope): Response {
  const mode = clock instanceof ControllableClock ? clock.mode : 'host'
  const now = clock.now()
  const follows = namespace === null ? undefined : clock instanceof ControllableClock && clock.followsBase
  return json(200, { mode, now, iso: new Date(now).toISOString(), ...(follows === undefined ? {} : { follows }) })
}

/**
 * `.../clock`: read the clock; freeze it (virtual time), resume it, set it, or advance it.
 * Arrival timestamps, retention, delete-on-empty, purges, waits and heartbeats all follow it. A
 * namespace's clock follows the emulator's until the namespace moves its own.
 */
export function clockRoutes({ app, prefix, scopeOf }: Mount): void {
  const base = `${prefix}/clock`
  app.get(base, (c) => state(scopeOf(c)))
  app.post(`${base}/freeze`, async (c) => {
    const scope = scopeOf(c)
    const body = await adminBody(c.req.raw)
    controllable(scope.clock).freeze(body.at === undefined ? undefined : time(body.at, 'at'))
    return state(scope)
  })
  app.post(`${base}/resume`, (c) => {
    const scope = scopeOf(c)
    controllable(scope.clock).resume()
    return state(scope)
  })
  app.put(base, async (c) => {
    const scope = scopeOf(c)
    const body = await adminBody(c.req.raw)
    controllable(scope.clock).set(time(body.now, 'now'))
    return state(scope)
  })
  app.post(`${base}/advance`, async (c) => {
    const scope = scopeOf(c)
    const body = await adminBody(c.req.raw)
    const by = body.by
    if (typeof by !== 'string' && typeof by !== 'number') throw new S2Error('bad_json', 'by: required: a duration like "7d", "90s" or milliseconds')
    const ms = parseDuration(by)
    if (typeof ms !== 'number') throw new S2Error('bad_json', `by: ${ms.error}`)
    if (scope.clock.now() + ms > MAX_TIME) throw new S2Error('bad_json', `by: would move the clock past ${new Date(MAX_TIME).toISOString()}`)
    controllable(scope.clock).advance(ms)
    return state(scope)
  })
}
