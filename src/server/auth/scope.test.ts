import { describe, expect, it } from 'vitest'
import { narrowListing } from './access.ts'
import { effectiveOps, matches, within, type ResourceSet } from './scope.ts'

const exact = (name: string): ResourceSet => ({ kind: 'exact', name })
const prefix = (p: string): ResourceSet => ({ kind: 'prefix', prefix: p })
const none: ResourceSet = { kind: 'none' }

describe('resource sets', () => {
  it('match an exact name, a prefix (the empty one matches everything), or nothing', () => {
    expect([matches(exact('a-1'), 'a-1'), matches(exact('a-1'), 'a-12'), matches(prefix('a-'), 'a-12'), matches(prefix(''), 'x'), matches(none, 'x')]).toEqual([
      true,
      false,
      true,
      true,
      false,
    ])
  })

  it('are within another only when every name they match is matched by it', () => {
    expect(within(none, none)).toBe(true)
    expect(within(exact('a-1'), prefix('a-'))).toBe(true)
    expect(within(prefix('a-b'), prefix('a-'))).toBe(true)
    expect(within(prefix('a'), prefix('a-'))).toBe(false)
    expect(within(prefix('a-'), exact('a-1'))).toBe(false)
    expect(within(exact('a-1'), exact('a-1'))).toBe(true)
    expect(within(exact('a-1'), none)).toBe(false)
  })

  it('narrow a listing to the longer prefix, the exact name, or nothing', () => {
    expect(narrowListing(prefix('team-a-'), 'team-', '')).toEqual({ prefix: 'team-a-', startAfter: '', only: null })
    expect(narrowListing(prefix('team-'), 'team-a', 'x')).toEqual({ prefix: 'team-a', startAfter: 'x', only: null })
    expect(narrowListing(prefix('team-a'), 'team-b', '')).toBeNull()
    expect(narrowListing(exact('team-a-1'), 'team-', '')).toEqual({ prefix: 'team-a-1', startAfter: '', only: 'team-a-1' })
    expect(narrowListing(exact('team-a-1'), 'other', '')).toBeNull()
    expect(narrowListing(none, '', '')).toBeNull()
  })
})

describe('effective operations', () => {
  it('are the explicit ops and those of the permitted groups', () => {
    const ops = effectiveOps({
      basins: none,
      streams: none,
      accessTokens: none,
      opGroups: { account: { read: false, write: false }, basin: { read: true, write: false }, stream: { read: false, write: false } },
      ops: ['append'],
    })
    expect([...ops].sort()).toEqual(['append', 'basin-metrics', 'get-basin-config', 'list-streams'])
  })
})
