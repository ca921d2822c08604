import { describe, expect, it } from 'vitest'
import { ManualClock } from './manual-clock.ts'

const T0 = Date.UTC(2026, 0, 1)

describe('ManualClock', () => {
  it('stands still until advanced or set', () => {
    const clock = new ManualClock(T0)
    expect(clock.now()).toBe(T0)
    expect(clock.now()).toBe(T0)
    clock.advance(1500)
    expect(clock.now()).toBe(T0 + 1500)
    clock.set(T0 + 10_000)
    expect(clock.now()).toBe(T0 + 10_000)
  })

  it('fires due timers in due order, each seeing now() equal to its due time', () => {
    const clock = new ManualClock(T0)
    const seen: [string, number][] = []
    clock.setTimer(300, () => seen.push(['c', clock.now()]))
    clock.setTimer(100, () => seen.push(['a', clock.now()]))
    clock.setTimer(200, () => seen.push(['b', clock.now()]))
    clock.setTimer(1000, () => seen.push(['late', clock.now()]))
    clock.advance(300)
    expect(seen).toEqual([
      ['a', T0 + 100],
      ['b', T0 + 200],
      ['c', T0 + 300],
    ])
    expect(clock.now()).toBe(T0 + 300)
    expect(clock.pendingTimers).toBe(1)
    expect(clock.nextTimerAt()).toBe(T0 + 1000)
  })

  it('fires timers due at the same instant in the order they were scheduled', () => {
    const clock = new ManualClock(T0)
    const seen: number[] = []
    for (let i = 0; i < 5; i++) clock.setTimer(50, () => seen.push(i))
    clock.advance(50)
    expect(seen).toEqual([0, 1, 2, 3, 4])
  })

  it('fires timers that callbacks schedule when they fall due before the target, and no others', () => {
    const clock = new ManualClock(T0)
    const seen: number[] = []
    const tick = (): void => {
      seen.push(clock.now() - T0)
      clock.setTimer(1000, tick)
    }
    clock.setTimer(1000, tick)
    clock.advance(3500)
    expect(seen).toEqual([1000, 2000, 3000])
    expect(clock.now()).toBe(T0 + 3500)
    expect(clock.nextTimerAt()).toBe(T0 + 4000)
  })

  it('fires a zero-delay timer scheduled by a callback within the same advance', () => {
    const clock = new ManualClock(T0)
    const seen: string[] = []
    clock.setTimer(10, () => {
      seen.push(`outer@${clock.now() - T0}`)
      clock.setTimer(0, () => seen.push(`inner@${clock.now() - T0}`))
    })
    clock.advance(10)
    expect(seen).toEqual(['outer@10', 'inner@10'])
  })

  it('never fires a cancelled timer, and cancelling twice is harmless', () => {
    const clock = new ManualClock(T0)
    let fired = 0
    const timer = clock.setTimer(10, () => fired++)
    timer.cancel()
    timer.cancel()
    clock.advance(100)
    expect(fired).toBe(0)
    expect(clock.pendingTimers).toBe(0)
  })

  it('lets a callback cancel a later timer due in the same advance', () => {
    const clock = new ManualClock(T0)
    const seen: string[] = []
    const later = clock.setTimer(20, () => seen.push('later'))
    clock.setTimer(10, () => {
      seen.push('first')
      later.cancel()
    })
    clock.advance(30)
    expect(seen).toEqual(['first'])
  })

  it('treats negative and non-finite delays as zero, firing on advance(0)', () => {
    const clock = new ManualClock(T0)
    const seen: string[] = []
    clock.setTimer(-50, () => seen.push(`negative@${clock.now() - T0}`))
    clock.setTimer(Number.NaN, () => seen.push(`nan@${clock.now() - T0}`))
    expect(seen).toEqual([])
    clock.advance(0)
    expect(seen).toEqual(['negative@0', 'nan@0'])
  })

  it('moves forward with set() like advance, and backward without firing anything', () => {
    const clock = new ManualClock(T0)
    const seen: number[] = []
    clock.setTimer(100, () => seen.push(clock.now() - T0))
    clock.set(T0 + 50)
    expect(seen).toEqual([])
    clock.set(T0 - 1000)
    expect(clock.now()).toBe(T0 - 1000)
    expect(seen).toEqual([])
    clock.set(T0 + 100)
    expect(seen).toEqual([100])
  })

  it('rejects moving by a negative or non-finite amount', () => {
    const clock = new ManualClock(T0)
    expect(() => clock.advance(-1)).toThrow(RangeError)
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => clock.set(Number.NaN)).toThrow(RangeError)
    expect(clock.now()).toBe(T0)
  })

  it('reports a timer that keeps rescheduling itself for the same instant instead of hanging', () => {
    const clock = new ManualClock(T0)
    const spin = (): void => void clock.setTimer(0, spin)
    clock.setTimer(0, spin)
    expect(() => clock.advance(0)).toThrow(/rescheduling/)
  })
})
