// The assertions every runner's type check makes (scripts/check-matcher-types.ts prepends each
// runner's imports to this file). Only types matter: it is compiled, never run.
import type { S2Stream } from '@s2-dev/streamstore'
import type { S2Namespace } from 's2-emulator'
import { s2Record, type S2RecordMatcher } from 's2-emulator/matchers'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(_: Equal<A, B>): void => {}

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
  await expect(stream).not.toHaveRecords(['a'])
  await expect(ns).not.toHaveFiredAllFaults()

  same<ReturnType<typeof expect.s2Record>, S2RecordMatcher>(true)
  same<ReturnType<typeof expect.not.s2Record>, S2RecordMatcher>(true)
  expect([]).toEqual([expect.s2Record('a'), expect.not.s2Record('b')])

  // @ts-expect-error a misspelt matcher is a type error
  await expect(stream).toHaveRecord(['a'])
  // @ts-expect-error so is a misspelt one under .not
  await expect(stream).not.toHaveTails(1)
  // @ts-expect-error toHaveTail takes a sequence number
  await expect(stream).toHaveTail('3')
  // @ts-expect-error an operation that does not exist
  await expect(ns).toHaveReceived({ operation: 'apend' })
}
