import { describe, expect, it } from 'vitest'
import { checkBasinPrefix, stableBasinName, uniqueBasinName } from './basin-name.ts'

// S2's rule for basin names.
const BASIN_NAME = /^[a-z0-9][a-z0-9-]{6,46}[a-z0-9]$/

describe('uniqueBasinName', () => {
  it('joins the prefix, a slug of the test name and 12 random hex digits', () => {
    expect(uniqueBasinName('test', 'Appends Orders & reads them back!')).toMatch(/^test-appends-orders-reads-them-back-[0-9a-f]{12}$/)
  })

  it('stays a valid basin name for long, empty and symbol-only test names', () => {
    for (const label of ['x'.repeat(200), '', '---', 'Ünïcödé ✓', 'trailing-at-the-cut-'.repeat(3)]) {
      const name = uniqueBasinName('test', label)
      expect(name, label).toMatch(BASIN_NAME)
    }
    expect(uniqueBasinName('', '')).toMatch(/^basin-[0-9a-f]{12}$/)
  })

  it('never gives the same name twice', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueBasinName('test', 'same test')))
    expect(names.size).toBe(1000)
  })
})

describe('checkBasinPrefix', () => {
  it('accepts lowercase letters, digits and inner hyphens, up to 20', () => {
    expect(checkBasinPrefix('ci-run-42')).toBe('ci-run-42')
  })

  it.each(['Test', '-test', 'test-', 'te_st', 'x'.repeat(21)])('rejects %j with S2EMU_BAD_OPTIONS', (prefix) => {
    expect(() => checkBasinPrefix(prefix)).toThrow(expect.objectContaining({ code: 'S2EMU_BAD_OPTIONS' }))
  })
})

describe('stableBasinName', () => {
  it('gives the same name for the same key, and another for another key', () => {
    const name = stableBasinName('test', 'appends orders', 'orders.test.ts\nappends orders')
    expect(name).toMatch(/^test-appends-orders-[0-9a-f]{12}$/)
    expect(stableBasinName('test', 'appends orders', 'orders.test.ts\nappends orders')).toBe(name)
    expect(stableBasinName('test', 'appends orders', 'other.test.ts\nappends orders')).not.toBe(name)
    expect(stableBasinName('test', 'x'.repeat(200), 'k')).toMatch(BASIN_NAME)
  })
})
