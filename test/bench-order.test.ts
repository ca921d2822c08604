import { describe, expect, it } from 'vitest'
import { shuffler } from '../bench/lib/order.ts'

describe('the bench’s shuffled order of interleaved calls', () => {
  const targets = ['raw', 'rawNode', 'sdk', 'sdkNode', 'peer'] as const

  it('returns each target once per iteration and leaves the list given alone', () => {
    const shuffle = shuffler(1)
    const given = [...targets]
    for (let i = 0; i < 100; i++) expect([...shuffle(given)].sort()).toEqual([...targets].sort())
    expect(given).toEqual([...targets])
  })

  it('repeats the same orders for the same seed, and others for another seed', () => {
    const orders = (seed: number): string[] => {
      const shuffle = shuffler(seed)
      return Array.from({ length: 20 }, () => shuffle(targets).join(','))
    }
    expect(orders(0x5eed)).toEqual(orders(0x5eed))
    expect(orders(0x5eed)).not.toEqual(orders(0x5eee))
  })

  it('puts every target right after each of the others about as often (a fifth of the iterations)', () => {
    const shuffle = shuffler(0x5eed)
    const follows = new Map<string, number>()
    const first = new Map<string, number>()
    const iterations = 5000
    for (let i = 0; i < iterations; i++) {
      const order = shuffle(targets)
      first.set(order[0] as string, (first.get(order[0] as string) ?? 0) + 1)
      for (let k = 1; k < order.length; k++) {
        const pair = `${order[k - 1]} > ${order[k]}`
        follows.set(pair, (follows.get(pair) ?? 0) + 1)
      }
    }
    // 20 ordered pairs, each adjacent in 4 of the 20 ways of placing it: 1,000 of 5,000 expected.
    expect(follows.size).toBe(20)
    for (const count of follows.values()) expect(count).toBeGreaterThan(900)
    for (const count of follows.values()) expect(count).toBeLessThan(1100)
    expect(first.size).toBe(5)
    for (const count of first.values()) expect(Math.abs(count - iterations / 5)).toBeLessThan(100)
  })
})
