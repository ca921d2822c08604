/** S2 requests as raw HTTP: names, paths, headers, and setup of basins and streams. */
import type { HttpClient } from './http1.ts'

let counter = 0
/** A fresh valid basin name. */
export function basinName(label: string): string {
  counter++
  return `${label}-${process.pid.toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 7)}`.slice(0, 48)
}

export const recordsPath = (stream: string): string => `/v1/streams/${encodeURIComponent(stream)}/records`

export function basinHeaders(basin: string, token?: string): Record<string, string> {
  const headers: Record<string, string> = { 's2-basin': basin }
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`
  return headers
}

export async function createBasin(client: HttpClient, basin: string, token?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`
  const res = await client.request('POST', '/v1/basins', { headers, body: JSON.stringify({ basin }) })
  if (res.status !== 201 && res.status !== 200) throw new Error(`create basin ${basin}: ${res.status} ${res.body.toString()}`)
}

export async function createStream(client: HttpClient, basin: string, stream: string, token?: string): Promise<void> {
  const res = await client.request('POST', '/v1/streams', {
    headers: { ...basinHeaders(basin, token), 'content-type': 'application/json' },
    body: JSON.stringify({ stream }),
  })
  if (res.status !== 201 && res.status !== 200) throw new Error(`create stream ${stream}: ${res.status} ${res.body.toString()}`)
}

/** A new basin with one stream in it. */
export async function freshStream(client: HttpClient, label: string, token?: string): Promise<{ basin: string; stream: string }> {
  const basin = basinName(label)
  await createBasin(client, basin, token)
  await createStream(client, basin, 's', token)
  return { basin, stream: 's' }
}

/** Appends `body` (protobuf AppendInput) `times` times; checks each answer is 200. */
export async function protoAppendTimes(client: HttpClient, basin: string, stream: string, body: Buffer, times: number, concurrency = 2): Promise<void> {
  let left = times
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--
      const res = await client.request('POST', recordsPath(stream), {
        headers: { ...basinHeaders(basin), 'content-type': 'application/protobuf', accept: 'application/protobuf' },
        body,
      })
      if (res.status !== 200) throw new Error(`append: ${res.status} ${res.body.toString().slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}
