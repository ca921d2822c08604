import { S2Error } from '../../errors/index.ts'
import type { StreamAddress } from '../../engine/index.ts'
import { streamNameProblem } from '../../store/index.ts'
import { basinHeader } from '../request/headers.ts'
import { pathSegment } from '../request/path.ts'
import type { AppContext } from '../route.ts'

/** The basin from `S2-Basin`, checked first as in s2-lite (and against the token's scope, in the cloud profile). */
export function requestBasin(c: AppContext): string {
  const basin = basinHeader(c.req.raw.headers)
  c.get('access')?.basin(basin)
  return basin
}

/**
 * The stream named in the path (`/v1/streams/{stream}...`), percent-decoded; in the cloud profile,
 * as stored (with the token's auto prefix) and within the token's scope.
 */
export function pathStream(c: AppContext): string {
  const name = pathSegment(c.req.path, 3)
  const problem = streamNameProblem(name)
  if (problem) throw new S2Error('bad_path', `Invalid URL: ${problem}`)
  const access = c.get('access')
  return access === undefined ? name : access.stream(name)
}

/** Namespace, basin (header) and stream (path) of a stream-scoped call, in s2-lite's order. */
export function streamAddress(c: AppContext): StreamAddress {
  const basin = requestBasin(c)
  return { namespace: c.get('namespace'), basin, stream: pathStream(c) }
}
