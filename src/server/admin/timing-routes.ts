import { S2Error, type JsonValue } from '../errors/index.ts'
import { randomSeed } from '../faults/random.ts'
import { json } from '../http/respond.ts'
import { resolveTiming, timingProblems, type TimingProfile, type TimingSpec, type TimingState } from '../timing/index.ts'
import { adminBody } from './body.ts'
import type { Mount } from './scope.ts'

/** A timing spec from an admin body (400 naming every problem); its seed is drawn if it names none. */
export function timingFromBody(value: unknown, field = 'timing'): TimingProfile {
  const problems = timingProblems(value)
  if (problems.length > 0) throw new S2Error('bad_json', `invalid ${field}: ${problems.join('; ')}`)
  return resolveTiming(value as TimingSpec, randomSeed())
}

const view = (state: TimingState): JsonValue => state as unknown as JsonValue

/**
 * `.../timing`: how long S2's work takes in this scope. GET reports the profile in effect, its
 * seed and the appends it holds; PUT sets a profile (a spec object); DELETE goes back to the
 * default (the emulator: `instant`; a namespace: the emulator's timing).
 */
export function timingRoutes({ app, prefix, scopeOf }: Mount): void {
  const base = `${prefix}/timing`
  app.get(base, (c) => json(200, view(scopeOf(c).timing())))
  app.put(base, async (c) => {
    const scope = scopeOf(c)
    const profile = timingFromBody(await adminBody(c.req.raw), 'timing spec')
    return json(200, view(scope.setTiming(profile)))
  })
  app.delete(base, (c) => json(200, view(scopeOf(c).setTiming(null))))
}
