import { expect, it } from 'vitest'
import { describeFailure, describeSummary, runFuzz } from './run.ts'

/**
 * The fuzz suite at a small size (`npm run fuzz` runs 100,000 requests): malformed and edge-case
 * requests over every transport, each answer checked (no 5xx but the documented 501s, no hang,
 * S2-shaped errors) and the whole state compared before and after every rejected request. A
 * fixed seed, so a failure here is the same failure on every machine; the printed request replays it.
 */
const SEED = 20261202
const COUNT = 300

it(`answers ${COUNT} fuzzed requests with S2-shaped errors, no 5xx, no hang, and no state change on rejection`, async () => {
  const summary = await runFuzz({ seed: SEED, count: COUNT, digestEvery: 1, deadlineMs: 10_000 })
  const report = [...summary.failures.map((f) => describeFailure(SEED, f)), describeSummary(summary)].join('\n\n')
  expect(summary.failures.length, report).toBe(0)
  expect(summary.health, report).toEqual([])
  expect(summary.requests).toBe(COUNT)
  // Every kind of request was sent, and both sides of the checks were exercised.
  for (const [category, n] of Object.entries(summary.byCategory)) expect(n, `${category} requests`).toBeGreaterThan(0)
  expect(Object.keys(summary.byTransport).sort()).toEqual(['h2', 'http1'])
  expect(summary.digestChecks).toBeGreaterThan(COUNT / 2)
  expect(Object.keys(summary.statuses).some((s) => s.startsWith('2'))).toBe(true)
}, 120_000)
