/** Sets the node baseline's fixed replies (see servers/baseline.ts). */
import { replyKey } from '../servers/baseline.ts'
import type { HttpClient } from './http1.ts'

export { replyKey }

/** From now on the node server answers requests of this shape (`replyKey(method, path, kind)`) with `body`. */
export async function setReply(baseline: HttpClient, key: string, body: Buffer, type = 'application/json'): Promise<void> {
  const res = await baseline.request('PUT', `/_bench/reply?key=${encodeURIComponent(key)}&type=${encodeURIComponent(type)}`, { body })
  if (res.status !== 204) throw new Error(`baseline reply: ${res.status}`)
}
