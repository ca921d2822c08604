import {
  AppendInput,
  AppendRecord,
  S2,
  type AppendAck,
  type AppendRetryPolicy,
  type ReadInput,
  type ReadRecord,
  type ReadSession,
  type S2ClientOptions,
  type S2Stream,
  type SessionTransports,
} from '@s2-dev/streamstore'
import { afterEach } from 'vitest'

/** Every session transport the SDK has: S2S over h2c (the Node default), and fetch (SSE reads, unary appends). */
export const TRANSPORTS: readonly SessionTransports[] = ['s2s', 'fetch']

/** Client options a test may vary; the endpoints and token are always the emulator's. */
export type ClientOptions = Omit<S2ClientOptions, 'accessToken' | 'endpoints'>

/** A separate SDK client for the emulator at `url` (no retries unless asked). */
export function makeClient(url: string, options: ClientOptions = {}): S2 {
  return new S2({
    accessToken: 'test-token',
    endpoints: { account: url, basin: url },
    retry: { maxAttempts: 1 },
    ...options,
  })
}

/** Client options that retry quickly: `maxAttempts` attempts, 10–20 ms base backoff. */
export function quickRetries(appendRetryPolicy: AppendRetryPolicy = 'all', maxAttempts = 3): ClientOptions {
  return { retry: { maxAttempts, minBaseDelayMillis: 10, maxBaseDelayMillis: 20, appendRetryPolicy } }
}

/**
 * Opens stream handles for a test and closes every one of them after it, pass or fail, so no
 * session or pooled h2 connection outlives the test.
 */
export function useStreamHandles(): (s2: S2, basin: string, stream: string, transport: SessionTransports) => S2Stream {
  const open: S2Stream[] = []
  afterEach(async () => {
    const handles = open.splice(0)
    await Promise.all(handles.map((h) => h.close()))
  })
  return (s2, basin, stream, transport) => {
    const handle = s2.basin(basin).stream(stream, { forceTransport: transport })
    open.push(handle)
    return handle
  }
}

/** The outcome of a promise, for asserting on rejections without unhandled-rejection noise. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  )
}

/** The error a settled promise failed with; fails the test if it succeeded. */
export function rejection<T>(outcome: Settled<T>): unknown {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  return outcome.error
}

/** `n` string records `${prefix}${i}`. */
export function stringRecords(prefix: string, n: number, from = 0): AppendRecord[] {
  return Array.from({ length: n }, (_, i) => AppendRecord.string({ body: `${prefix}${from + i}` }))
}

/** Appends `batches` batches of `size` records `${prefix}${i}` with unary appends; returns the tail. */
export async function appendUnary(stream: S2Stream, prefix: string, batches: number, size: number): Promise<number> {
  let ack: AppendAck | undefined
  for (let b = 0; b < batches; b++) ack = await stream.append(AppendInput.create(stringRecords(prefix, size, b * size)))
  return ack?.end.seqNum ?? 0
}

/** Every record of a read session that ends by itself (limits or wait), as strings. */
export async function readAll(stream: S2Stream, input: ReadInput): Promise<ReadRecord[]> {
  const session = await stream.readSession(input)
  const records: ReadRecord[] = []
  for await (const record of session) records.push(record)
  return records
}

/** Every record of a read session that ends by itself, as bytes. */
export async function readAllBytes(stream: S2Stream, input: ReadInput): Promise<ReadRecord<'bytes'>[]> {
  const session = await stream.readSession(input, { as: 'bytes' })
  const records: ReadRecord<'bytes'>[] = []
  for await (const record of session) records.push(record)
  return records
}

/** Reads `n` records from an open session, then cancels it (the `break` ends the session). */
export async function take<F extends 'string' | 'bytes'>(session: ReadSession<F>, n: number): Promise<ReadRecord<F>[]> {
  const records: ReadRecord<F>[] = []
  if (n === 0) return records
  for await (const record of session) {
    records.push(record)
    if (records.length >= n) break
  }
  return records
}

/**
 * Opens a read session and drains it, returning the records and the error it failed with, whether
 * the error came from opening it (fetch) or from iterating it (S2S).
 */
export async function readOutcome(
  stream: S2Stream,
  input: ReadInput,
): Promise<{ records: ReadRecord[]; error: unknown }> {
  const records: ReadRecord[] = []
  try {
    const session = await stream.readSession(input)
    for await (const record of session) records.push(record)
    return { records, error: undefined }
  } catch (error) {
    return { records, error }
  }
}

export const bytesOf = (value: Uint8Array): number[] => Array.from(value)

/** Every record body of a stream, read with `s2` in unary reads. */
export async function storedBodies(s2: S2, basin: string, stream: string): Promise<string[]> {
  const handle = s2.basin(basin).stream(stream)
  // Reading at the tail is a 416, so an empty stream is told by its tail.
  if ((await handle.checkTail()).tail.seqNum === 0) return []
  const batch = await handle.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 1000 } } })
  return batch.records.map((r) => r.body)
}
