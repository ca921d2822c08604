import type { JournalEntry } from '../server/journal/journal.ts'
import { colours, hint, type MatcherContext, type MatcherResult } from './context.ts'
import { clipAlone, describeMismatches, inline, show } from './display.ts'
import { checkRequestPattern, distance, entryLabel, requestMismatches, shownMismatches, type S2RequestPattern } from './request-pattern.ts'
import { scopeTarget } from './subjects.ts'
import { plural } from './to-have-records.ts'
import { howMany, timesRange, within, type S2Times } from './times.ts'
import { tracked } from './track.ts'

/** Near misses listed when a verification fails, and matches listed by number. */
const NEAR_MISSES = 3
const LISTED = 10

/**
 * `expect(ns).toHaveReceived({ operation: 'append', records: ['order-1'] }, times?)`: the journal
 * holds requests matching the pattern, at least once (or as `times` says). On failure, lists the
 * closest requests and which of their fields did not match.
 */
export function toHaveReceived(this: MatcherContext, received: unknown, pattern: S2RequestPattern, times?: S2Times): Promise<MatcherResult> {
  return tracked(this.task, 'toHaveReceived', async () => {
    checkRequestPattern(pattern, 'toHaveReceived')
    const range = timesRange(times, 'toHaveReceived')
    const target = scopeTarget(received, this.task, 'toHaveReceived', true)
    const entries = await target.scope.journal.list(target.stream ?? {})
    const scored = entries.map((entry) => ({ entry, mismatches: requestMismatches(pattern, entry) }))
    const matching = scored.filter((s) => s.mismatches.length === 0).map((s) => s.entry)
    const pass = within(matching.length, range)
    const c = colours(this)
    const head = hint(this, 'toHaveReceived', 'request', target.stream ? 'stream' : 'namespace', times === undefined ? undefined : 'times')
    const list = (found: readonly JournalEntry[]): string =>
      found.slice(0, LISTED).map((e) => `  ${entryLabel(e)}`).join('\n') + (found.length > LISTED ? `\n  (and ${found.length - LISTED} more)` : '')
    const wanted = `  ${c.expected(inline(clipAlone(show(pattern))))}`
    return {
      pass,
      message: () => {
        if (pass) {
          return `${head}\n\nExpected ${target.label} not to have received ${times === undefined ? 'any request' : howMany(range, 'request')} matching\n${wanted}\nbut it received ${plural(matching.length, 'matching request')}${matching.length > 0 ? `:\n${list(matching)}` : '.'}`
        }
        const lines = [`Expected ${target.label} to have received ${howMany(range, 'request')} matching`, wanted]
        if (entries.length === 0) {
          lines.push(`Its journal is empty${target.stream ? ' for this stream' : ''} (nothing was sent, or the journal is off: journalSize 0).`)
        } else {
          lines.push(`Its journal holds ${plural(entries.length, 'request')}; ${matching.length} match${matching.length === 1 ? 'es' : ''}${matching.length > 0 ? ':' : '.'}`)
          if (matching.length > 0) lines.push(list(matching))
        }
        const misses = scored
          .filter((s) => s.mismatches.length > 0)
          .sort((a, b) => distance(a.mismatches) - distance(b.mismatches) || b.entry.seq - a.entry.seq)
          .slice(0, NEAR_MISSES)
        if (misses.length > 0 && matching.length < range.min) {
          lines.push('', 'Closest requests:')
          for (const miss of misses) {
            lines.push(`  ${entryLabel(miss.entry)}`)
            for (const line of describeMismatches(shownMismatches(miss.mismatches, miss.entry), c)) lines.push(`    ${line}`)
          }
        }
        return `${head}\n\n${lines.join('\n')}`
      },
    }
  })
}
