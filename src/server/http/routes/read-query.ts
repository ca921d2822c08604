import { errors } from '../../errors/index.ts'
import type { ReadRequest, ReadStart } from '../../engine/index.ts'
import { Query } from '../request/query.ts'

/** The query of a read: where to start, the limits and the wait, in s2-lite's order of checks. */
export function parseReadQuery(url: string): { request: ReadRequest; validate: () => void } {
  const query = new Query(url)
  const seqNum = query.uint('seq_num')
  const timestamp = query.uint('timestamp')
  const tailOffset = query.uint('tail_offset')
  const clamp = query.bool('clamp') ?? false
  const count = query.uint('count')
  const bytes = query.uint('bytes')
  const until = query.uint('until')
  const wait = query.uint('wait', 0xffffffffn)

  const given = [seqNum, timestamp, tailOffset].filter((v) => v !== undefined).length
  let start: ReadStart = { kind: 'tailOffset', value: 0 }
  if (seqNum !== undefined) start = { kind: 'seqNum', value: seqNum }
  else if (timestamp !== undefined) start = { kind: 'timestamp', value: timestamp }
  else if (tailOffset !== undefined) start = { kind: 'tailOffset', value: tailOffset }

  return {
    request: { start, clamp, count, bytes, until, waitMs: wait === undefined ? undefined : wait * 1000 },
    /** The handler's own checks, which s2-lite makes after every header is read. */
    validate: () => {
      if (given > 1) throw errors.invalid('only one of seq_num, timestamp, or tail_offset can be provided')
      if (timestamp !== undefined && until !== undefined && timestamp >= until) {
        throw errors.invalid('start `timestamp` exceeds or equal to `until`')
      }
    },
  }
}
