import { describe, expect, it } from 'vitest'
import type { S2Namespace, TimingInput } from 's2-emulator'
import { eventually } from '../support/control-plane.ts'
import { useEmulator } from '../support/emulator.ts'
import { PubSub } from '../support/pubsub.ts'
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
    const basin = 'pubsub' // the same names in every namespace: a seed draws the same delays for them
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
      await ns.clock.advance('1s')
      await published
      // A marker after it: the subscription's first message says whether it saw the first one.
      const marker = pubsub.publish('marker')
      await eventually(async () => (await tailAndHeld()) === 2, 'the marker to arrive')
      await ns.clock.advance('1s')
      await marker
      return (await subscription.next()) === 'event' ? 'saw' : 'missed'
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
})
