import { describe, expect, it } from 'vitest'
import { TimingDraws } from './draws.ts'
import { CLOUD_DELAYS, parseTimingFlag, resolveTiming, timingProblems } from './profile.ts'

describe('resolveTiming', () => {
  it('gives lite its 5 ms flush and no other delay, and is never instant', () => {
    const lite = resolveTiming('lite', 9)
    expect(lite).toMatchObject({ profile: 'lite', flushIntervalMs: 5, jitterMs: 0, seed: 9, instant: false })
    expect(lite.delays.express).toEqual({ commitMs: [0, 0], ackMs: [0, 0], readMs: [0, 0], deliverMs: [0, 0] })
  })

  it("gives cloud the documented delays of each storage class, and a spec's seed over the default", () => {
    const cloud = resolveTiming({ profile: 'cloud', seed: 3 }, 9)
    expect(cloud.delays).toEqual(CLOUD_DELAYS)
    expect(cloud.delays.express.commitMs[1]).toBe(40)
    expect(cloud.delays.standard.commitMs[1]).toBe(400)
    expect(cloud.seed).toBe(3)
  })

  it('widens every delay by the jitter, over the profile or the delays given', () => {
    const spec = resolveTiming({ profile: 'cloud', readMs: 2, jitterMs: 5 }, 1)
    expect(spec.delays.express).toEqual({ commitMs: [10, 45], ackMs: [0, 5], readMs: [2, 7], deliverMs: [0, 15] })
    expect(resolveTiming({ jitterMs: 1 }, 1).instant).toBe(false)
    expect(resolveTiming({}, 1).instant).toBe(true)
    expect(resolveTiming({ commitMs: 0, readMs: [0, 0] }, 1).instant).toBe(true)
  })
})

describe('timingProblems', () => {
  it('lists every problem of a spec', () => {
    expect(timingProblems({ profile: 'x', commitMs: [1], seed: -1, extra: true })).toHaveLength(4)
    expect(timingProblems('lite')).toEqual([])
    expect(timingProblems(null)).toEqual(['timing must be a profile name or a spec object'])
  })
})

describe('parseTimingFlag', () => {
  it('reads a profile and settings, and refuses what it cannot read', () => {
    expect(parseTimingFlag('lite,flush=10,jitter=2,seed=4')).toEqual({ profile: 'lite', flushIntervalMs: 10, jitterMs: 2, seed: 4 })
    expect(parseTimingFlag('ack=1-3')).toEqual({ ackMs: [1, 3] })
    expect(() => parseTimingFlag('flush=5')).toThrow("flushIntervalMs applies only to profile 'lite'")
    expect(() => parseTimingFlag('lite,speed=2')).toThrow("'speed=2' is not a timing setting")
  })
})

describe('TimingDraws', () => {
  it('draws whole ms in range, one sequence per key, the same for the same seed', () => {
    const a = new TimingDraws(1)
    const b = new TimingDraws(1)
    const seqA = Array.from({ length: 50 }, () => a.draw([2, 6], 'commit:x/y'))
    // Draws of another key in between change nothing for this one.
    const seqB = Array.from({ length: 50 }, () => (b.draw([0, 100], 'commit:other'), b.draw([2, 6], 'commit:x/y')))
    expect(seqB).toEqual(seqA)
    expect(seqA.every((n) => Number.isInteger(n) && n >= 2 && n <= 6)).toBe(true)
    expect(new Set(seqA).size).toBe(5)
    expect(new TimingDraws(2).draw([0, 1_000_000], 'k')).not.toBe(new TimingDraws(1).draw([0, 1_000_000], 'k'))
    expect(a.draw([4, 4], 'commit:x/y')).toBe(4)
  })
})
