import { describe, expect, it } from 'vitest'
import type { S2Namespace, TimingInput } from 's2-emulator'
import { eventually } from '../support/control-plane.ts'
import { useEmulator } from '../support/emulator.ts'
import { PubSub } from '../support/pubsub.ts'
import { advancingUntil } from '../support/timing.ts'
import { clientFor } from '../support/state.ts'

/**
 * The race of a pub/sub adapter built on S2 (test/support/pubsub.ts): subscribe by opening a read
 * session from the tail, then publish. Whether the subscription sees the message depends on time
 * alone: on whether the append is stable before the session resolves "the tail". Each namespace
 * runs its own timing on its own frozen clock, so every outcome here is decided by the profile
 * and its seed, never by how fast the machine is.
 */

const START = Date.parse('2030-01-01T00:00:00.001Z')

type Outcome = 'saw' | 'missed'

describe('a subscribe-then-publish race', () => {
  const t = useEmulator({ isolation: 'token' })

  /** Runs the adapter's race in a fresh namespace with this timing; says whether the subscriber saw the message. */
  async function race(timing: TimingInput): Promise<Outcome> {
    const ns = await t.emulator.createNamespace({ label: 'race', timing })
    try {
      await ns.clock.freeze(START)
      return await raceIn(ns)
    } finally {
      await ns.drop()
    }
  }

  async function raceIn(ns: S2Namespace): Promise<Outcome> {
    const basin = 'pubsub-adapter' // the same names in every namespace: a seed draws the same delays for them
    const stream = 'topic'
    const s2 = clientFor(ns.url, ns.token)
    await s2.basins.create({ basin })
    await s2.basin(basin).streams.create({ stream })
    const tailAndHeld = async (): Promise<number> =>
      (await s2.basin(basin).stream(stream).checkTail()).tail.seqNum + (await ns.timing.get()).pending
    const pubsub = new PubSub({ url: ns.url, token: ns.token, basin, stream })
    try {
      await pubsub.warm()
      const subscription = await pubsub.subscribe()
      const published = pubsub.publish('event')
      // Frozen time: whatever happens until the clock moves happens at the same instant.
      await eventually(async () => (await ns.journal.list({ operation: 'read' })).some((e) => e.session?.end === 'open'), 'the read session to open')
      await eventually(async () => (await tailAndHeld()) === 1, 'the message to arrive')
      await advancingUntil(ns, published)
      // A marker after it: the subscription's first message says whether it saw the first one.
      const marker = pubsub.publish('marker')
      await eventually(async () => (await tailAndHeld()) === 2, 'the marker to arrive')
      await advancingUntil(ns, marker)
      return (await advancingUntil(ns, subscription.next())) === 'event' ? 'saw' : 'missed'
    } finally {
      await pubsub.close()
    }
  }

  it('is lost under instant timing: the append is committed before the session resolves the tail', async () => {
    expect(await race('instant')).toBe('missed')
  })

  it("is won under lite timing: s2-lite's flush makes the message readable only after the session opened", async () => {
    expect(await race('lite')).toBe('saw')
  })

  it('under seeded jitter is lost for some seeds and won for others, and each seed gives the same outcome again', { timeout: 60_000 }, async () => {
    // Every delay gets 0 to 2 ms more, drawn per request: the append is stable at once for some
    // seeds (the race is lost, as under instant) and later for others.
    const jitter = (seed: number): TimingInput => ({ jitterMs: 2, seed })
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8]
    const outcomes = new Map<number, Outcome>()
    for (const seed of seeds) outcomes.set(seed, await race(jitter(seed)))
    const lost = seeds.filter((s) => outcomes.get(s) === 'missed')
    const won = seeds.filter((s) => outcomes.get(s) === 'saw')
    expect(lost.length, `outcomes by seed: ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0)
    expect(won.length, `outcomes by seed: ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0)
    for (const seed of [...lost.slice(0, 2), ...won.slice(0, 2)]) expect(await race(jitter(seed)), `seed ${seed}`).toBe(outcomes.get(seed))
  })
})
