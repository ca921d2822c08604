import { describe, expect, it } from 'vitest'
import { MinuteSeries } from './series.ts'

const T0 = 1_800_000_000 - (1_800_000_000 % 86400) // a UTC day boundary, in seconds

describe('minute series', () => {
  const series = new MinuteSeries()
  series.add(T0 * 1000, 'a')
  series.add((T0 + 59) * 1000 + 999, 'a', 2)
  series.add((T0 + 60) * 1000, 'b')
  series.add((T0 + 3600) * 1000, 'a', 4)

  it('adds events into buckets of a minute, an hour or a day, leaving out empty ones', () => {
    expect(series.buckets(T0, T0 + 7200, 'minute')).toEqual([
      { name: 'a', values: [[T0, 3], [T0 + 3600, 4]] },
      { name: 'b', values: [[T0 + 60, 1]] },
    ])
    expect(series.buckets(T0, T0 + 7200, 'hour')).toEqual([
      { name: 'a', values: [[T0, 3], [T0 + 3600, 4]] },
      { name: 'b', values: [[T0, 1]] },
    ])
    expect(series.buckets(T0 + 1, T0 + 7200, 'day')).toEqual([
      { name: 'a', values: [[T0, 7]] },
      { name: 'b', values: [[T0, 1]] },
    ])
  })

  it('takes buckets that start from the range start (rounded down) to its end', () => {
    expect(series.buckets(T0 + 61, T0 + 3599, 'minute')).toEqual([{ name: 'b', values: [[T0 + 60, 1]] }])
    expect(series.buckets(T0 + 30, T0 + 30, 'minute')).toEqual([{ name: 'a', values: [[T0, 3]] }])
  })

  it('returns exactly the named series, in order, even empty', () => {
    expect(series.buckets(T0, T0 + 59, 'minute', ['c', 'a'])).toEqual([
      { name: 'c', values: [] },
      { name: 'a', values: [[T0, 3]] },
    ])
  })
})
