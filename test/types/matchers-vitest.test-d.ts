/**
 * The matchers' types in vitest 5 (this repository's): checked by `tsc` in `npm test`; never run.
 * src/matchers/vitest.ts (the `s2-emulator/matchers/vitest` entry) is part of the program, so its
 * augmentation applies here as it does in a project that imports it. Vitest 4 and jest 29/30 are
 * checked by scripts/check-matcher-types.ts against the packed package.
 */
import type { S2Stream } from '@s2-dev/streamstore'
import { expect, expectTypeOf } from 'vitest'
import type { S2Namespace } from '../../src/index.ts'
import { s2Record, type S2RecordMatcher } from '../../src/matchers/index.ts'

declare const stream: S2Stream
declare const ns: S2Namespace

export async function typed(): Promise<void> {
  await expect(stream).toHaveRecords(['a', Uint8Array.from([1]), { body: 'b', headers: { type: 'x' }, seqNum: 1 }, expect.s2Record({ command: 'fence' })])
  await expect({ basin: 'b', stream: 's' }).toContainRecords([{ timestamp: { from: new Date(0) } }, s2Record('x')])
  await expect(stream).toContainRecord({ body: expect.stringContaining('x') })
  await expect(stream).toHaveTail(3)
  await expect(stream).toBeEmptyStream()
  await expect(ns).toHaveReceived({ operation: ['append', 'read'], records: ['a'], headers: { 'x-id': expect.any(String) } }, { atLeast: 1 })
  await expect(ns).toHaveFiredFault('rule-1', 2)
  await expect(ns).toHaveFiredAllFaults()

  expectTypeOf(expect(stream).toHaveRecords([])).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect(stream).not.toHaveTail(1)).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect(ns).not.toHaveReceived({})).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect.s2Record('a')).toEqualTypeOf<S2RecordMatcher>()
  expectTypeOf(expect.not.s2Record({ body: 'a' })).toEqualTypeOf<S2RecordMatcher>()
  expect([]).toEqual([expect.s2Record('a'), expect.not.s2Record('b')])

  // @ts-expect-error a misspelt matcher is a type error
  await expect(stream).toHaveRecord(['a'])
  // @ts-expect-error so is a misspelt one under .not
  await expect(stream).not.toHaveTails(1)
  // @ts-expect-error toHaveTail takes a sequence number
  await expect(stream).toHaveTail('3')
  // @ts-expect-error an operation that does not exist
  await expect(ns).toHaveReceived({ operation: 'apend' })
  // @ts-expect-error an unknown field of a record pattern
  await expect(stream).toHaveRecords([{ bodyy: 'a' }])
  // @ts-expect-error toHaveRecords takes a list
  await expect(stream).toHaveRecords('a')
}
