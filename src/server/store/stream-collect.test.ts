import { describe, expect, it } from 'vitest'
import { resolveStreamConfig } from './config.ts'
import { validateBatch } from './record.ts'
import { StreamState, type CollectLimits } from './stream.ts'

const T0 = Date.UTC(2026, 0, 1)
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const all = (endSeq: number): CollectLimits => ({ count: 1000, bytes: 1024 * 1024, until: Infinity, endSeq })

/** A stream whose records live 10 s: two appended at T0, one at T0 + 5 s. */
function stream(): StreamState {
  const config = resolveStreamConfig({ retention: { kind: 'age', ageSecs: 10 } }, {})
  const state = new StreamState('s', config, null, null, T0, 'b')
  const batch = (...bodies: string[]) =>
    validateBatch(
      bodies.map((body) => ({ timestamp: undefined, headers: [], body: bytes(body) })),
      undefined,
      undefined,
    )
  state.append(batch('a', 'b'), T0)
  state.append(batch('c'), T0 + 5000)
  return state
}

const bodies = (state: StreamState, from: number, limits: CollectLimits, now: number): string[] =>
  state.collect(from, limits, now).records.map((r) => new TextDecoder().decode(r.body))

describe('collecting what followers collected just before', () => {
  it('hands the same batch to the same question', () => {
    const state = stream()
    const first = state.collect(0, all(3), T0 + 6000)
    expect(state.collect(0, all(3), T0 + 6000)).toBe(first)
    expect(first.records.length).toBe(3)
  })

  it('collects again when the time, the range or a limit differs, as a first collection would', () => {
    const state = stream()
    expect(bodies(state, 0, all(3), T0 + 6000)).toEqual(['a', 'b', 'c'])
    // The first two expire at T0 + 10 s.
    expect(bodies(state, 0, all(3), T0 + 10_000)).toEqual(['c'])
    expect(bodies(state, 0, all(3), T0 + 6000)).toEqual(['a', 'b', 'c'])
    expect(bodies(state, 1, all(3), T0 + 6000)).toEqual(['b', 'c'])
    expect(bodies(state, 0, all(2), T0 + 6000)).toEqual(['a', 'b'])
    expect(bodies(state, 0, { ...all(3), count: 1 }, T0 + 6000)).toEqual(['a'])
    expect(bodies(state, 0, { ...all(3), until: T0 + 1 }, T0 + 6000)).toEqual(['a', 'b'])
    const collected = state.collect(0, { ...all(3), bytes: 10 }, T0 + 6000)
    expect(collected.records.length).toBe(1)
    expect(collected.stop).toBe('bytes')
  })

  it('sees records appended since within a wider range', () => {
    const state = stream()
    expect(bodies(state, 0, all(Infinity), T0 + 6000)).toEqual(['a', 'b', 'c'])
    state.append(validateBatch([{ timestamp: undefined, headers: [], body: bytes('d') }], undefined, undefined), T0 + 6000)
    expect(bodies(state, 0, all(Infinity), T0 + 6000)).toEqual(['a', 'b', 'c', 'd'])
  })
})
