import { errors } from '../errors/index.ts'
import type { StreamState } from '../store/index.ts'
import type { ReadPlan } from './read-params.ts'

/**
 * Where a read starts (s2-lite `read_start_seq_num`, §6.2): beyond the tail is 416 unless clamped;
 * exactly at the tail is 416 when the read may not follow, clamped or not.
 */
export function resolveReadStart(stream: StreamState, plan: ReadPlan, now: number): number {
  const tail = stream.tail()
  let seq: number
  switch (plan.start.kind) {
    case 'seqNum':
      if (plan.start.value > tail.seqNum) {
        if (!plan.clamp) throw errors.rangeNotSatisfiable(tail)
        seq = tail.seqNum
      } else seq = plan.start.value
      break
    case 'timestamp':
      if (plan.start.value > tail.timestamp) {
        if (!plan.clamp) throw errors.rangeNotSatisfiable(tail)
        seq = tail.seqNum
      } else seq = stream.seekTimestamp(plan.start.value, now)
      break
    case 'tailOffset':
      seq = Math.max(tail.seqNum - plan.start.value, 0)
      break
  }
  if (seq >= tail.seqNum && !plan.mayFollow) throw errors.rangeNotSatisfiable(tail)
  return seq
}
