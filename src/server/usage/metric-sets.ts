import type { JsonValue } from '../errors/index.ts'
import { INTERVAL_SECONDS, alignDown, type Interval, type Points } from './series.ts'
import type { StreamHistory } from './storage-history.ts'
import type { NamespaceUsage } from './usage.ts'
import type { TimeRange } from './time-range.ts'

/** The metric sets of the service's metrics API, at each level, and the intervals each accepts (first: the default). */
export const ACCOUNT_SETS = { 'active-basins': ['minute', 'hour', 'day'], 'account-ops': ['minute', 'hour', 'day'] } as const
export const BASIN_SETS = {
  storage: ['hour'],
  'append-ops': ['minute', 'hour', 'day'],
  'read-ops': ['minute', 'hour', 'day'],
  'read-throughput': ['minute', 'hour', 'day'],
  'append-throughput': ['minute', 'hour', 'day'],
  'basin-ops': ['minute', 'hour', 'day'],
} as const
export const STREAM_SETS = { storage: ['minute'] } as const

export type AccountSet = keyof typeof ACCOUNT_SETS
export type BasinSet = keyof typeof BASIN_SETS

type Unit = 'bytes' | 'operations'

const accumulations = (points: Points[], unit: Unit, interval: Interval): JsonValue[] =>
  points.map((p) => ({ accumulation: { name: p.name, unit, interval, values: p.values } }))

/**
 * A gauge of stored bytes: one point per interval from `start` (rounded down) to `end`, each the
 * storage when its interval closes (its last millisecond), or now for the interval still running.
 */
function storageGauge(histories: readonly StreamHistory[], range: TimeRange, nowMs: number): JsonValue {
  const step = INTERVAL_SECONDS[range.interval]
  const values: [number, number][] = []
  for (let t = alignDown(range.start, step); t <= range.end; t += step) {
    const at = Math.min((t + step) * 1000 - 1, nowMs)
    let bytes = 0
    for (const history of histories) bytes += history.storedAt(at)
    values.push([t, bytes])
  }
  return { gauge: { name: 'storage', unit: 'bytes', values } }
}

export function accountMetrics(usage: NamespaceUsage, set: AccountSet, range: TimeRange): JsonValue[] {
  if (set === 'account-ops') return accumulations(usage.accountOps.buckets(range.start, range.end, range.interval), 'operations', range.interval)
  const from = range.start * 1000
  const to = range.end * 1000 + 999
  const active = usage.storage.basins().filter((basin) => usage.storage.streams(basin).some((h) => h.existedDuring(from, to)))
  return [{ label: { name: 'active-basins', values: active.sort() } }]
}

export function basinMetrics(usage: NamespaceUsage, basin: string, set: BasinSet, range: TimeRange, nowMs: number): JsonValue[] {
  const { start, end, interval } = range
  const b = usage.existingBasin(basin)
  switch (set) {
    case 'storage':
      return [storageGauge(usage.storage.streams(basin), range, nowMs)]
    case 'append-ops':
      return accumulations(b ? b.appendOps.buckets(start, end, interval, ['standard', 'express']) : empty(['standard', 'express']), 'operations', interval)
    case 'read-ops':
      return accumulations(b ? b.readOps.buckets(start, end, interval, ['unary', 'streaming']) : empty(['unary', 'streaming']), 'operations', interval)
    case 'read-throughput':
      return accumulations(b ? b.readBytes.buckets(start, end, interval, ['read-throughput']) : empty(['read-throughput']), 'bytes', interval)
    case 'append-throughput':
      return accumulations(b ? b.appendBytes.buckets(start, end, interval, ['append-throughput']) : empty(['append-throughput']), 'bytes', interval)
    case 'basin-ops':
      return accumulations(b ? b.ops.buckets(start, end, interval) : [], 'operations', interval)
  }
}

export function streamMetrics(usage: NamespaceUsage, basin: string, stream: string, range: TimeRange, nowMs: number): JsonValue[] {
  const histories = usage.storage.streams(basin).filter((h) => h.stream.name === stream)
  return [storageGauge(histories, range, nowMs)]
}

const empty = (names: readonly string[]): Points[] => names.map((name) => ({ name, values: [] }))
