import type { Hono } from 'hono'
import type { Clock } from '../clock/clock.ts'
import { ControllableClock } from '../clock/controllable-clock.ts'
import { parseDuration } from '../duration.ts'
import { S2Error } from '../errors/index.ts'
import { json } from '../http/respond.ts'
import type { AppEnv } from '../http/route.ts'
import { adminBody } from './body.ts'

function controllable(clock: Clock): ControllableClock {
  if (clock instanceof ControllableClock) return clock
  const message = 'this emulator runs on a clock object given by its host, which the admin API cannot move'
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

/**
 * `/_emulator/clock`: read the clock; freeze it (virtual time), resume it, set it, or advance it.
 * Arrival timestamps, retention, delete-on-empty, purges, waits and heartbeats all follow it.
 */
export function clockRoutes(app: Hono<AppEnv>, clock: Clock): void {
  const state = () => {
    const mode = clock instanceof ControllableClock ? clock.mode : 'host'
    const now = clock.now()
    return json(200, { mode, now, iso: new Date(now).toISOString() })
  }
  app.get('/_emulator/clock', state)
  app.post('/_emulator/clock/freeze', async (c) => {
    const body = await adminBody(c.req.raw)
    controllable(clock).freeze(body.at === undefined ? undefined : time(body.at, 'at'))
    return state()
  })
  app.post('/_emulator/clock/resume', () => {
    controllable(clock).resume()
    return state()
  })
  app.put('/_emulator/clock', async (c) => {
    const body = await adminBody(c.req.raw)
    controllable(clock).set(time(body.now, 'now'))
    return state()
  })
  app.post('/_emulator/clock/advance', async (c) => {
    const body = await adminBody(c.req.raw)
    const by = body.by
    if (typeof by !== 'string' && typeof by !== 'number') throw new S2Error('bad_json', 'by: required: a duration like "7d", "90s" or milliseconds')
    const ms = parseDuration(by)
    if (typeof ms !== 'number') throw new S2Error('bad_json', `by: ${ms.error}`)
    if (clock.now() + ms > MAX_TIME) throw new S2Error('bad_json', `by: would move the clock past ${new Date(MAX_TIME).toISOString()}`)
    controllable(clock).advance(ms)
    return state()
  })
}
