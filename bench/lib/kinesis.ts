/** The peer: kinesalite (Kinesis, in memory), driven through its own JSON API over the same client. */
import type { HttpClient } from './http1.ts'

/** No transitional states (a stream is ACTIVE at once), and no shard limit in the way. */
export const KINESALITE_OPTIONS = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1_000_000 }

/** kinesalite checks that a SigV4-shaped Authorization header is there, not the signature. */
export function kinesisHeaders(target: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `Kinesis_20131202.${target}`,
    authorization: 'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
    'x-amz-date': '20260101T000000Z',
  }
}

/** One Kinesis call; throws unless it answers 200. */
export async function kinesis<T = Record<string, unknown>>(client: HttpClient, target: string, body: unknown): Promise<T> {
  const res = await client.request('POST', '/', { headers: kinesisHeaders(target), body: typeof body === 'string' ? body : JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`kinesalite ${target}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`)
  const text = res.body.toString('utf8')
  return (text === '' ? {} : JSON.parse(text)) as T
}

export const SHARD = 'shardId-000000000000'

/** Creates a one-shard stream and waits until it is ACTIVE. */
export async function createKinesisStream(client: HttpClient, name: string): Promise<void> {
  await kinesis(client, 'CreateStream', { StreamName: name, ShardCount: 1 })
  for (;;) {
    const d = await kinesis<{ StreamDescriptionSummary: { StreamStatus: string } }>(client, 'DescribeStreamSummary', { StreamName: name })
    if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** A PutRecords body of `count` records of `size` bytes (base64, as Kinesis takes data). */
export function putRecordsBody(stream: string, count: number, size: number): string {
  const record = JSON.stringify({ Data: Buffer.alloc(size, 0x61).toString('base64'), PartitionKey: 'k' })
  return `{"StreamName":${JSON.stringify(stream)},"Records":[${Array.from({ length: count }, () => record).join(',')}]}`
}

export async function putRecords(client: HttpClient, body: string, count: number): Promise<void> {
  const res = await kinesis<{ FailedRecordCount?: number }>(client, 'PutRecords', body)
  if ((res.FailedRecordCount ?? 0) !== 0) throw new Error(`kinesalite PutRecords: ${res.FailedRecordCount} of ${count} failed`)
}
