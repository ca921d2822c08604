/**
 * Helpers for the timing tests (test/timing/): a namespace with a timing profile on a frozen
 * clock, with a basin and a stream, and ways to wait for what the emulator holds.
 */
import { S2 } from '@s2-dev/streamstore'
import type { S2Emulator, S2EmulatorClient, S2Namespace, TimingInput } from 's2-emulator'
import { eventually } from './control-plane.ts'
import { raw, type RawRequest, type RawResponse } from './emulator.ts'
import { recordsPath, type WireAck, type WirePosition } from './append-helpers.ts'

/** A namespace on a frozen clock, with a basin and a stream, and requests that send its token. */
export interface TimedStream {
  readonly ns: S2Namespace
  readonly basin: string
  readonly stream: string
  readonly s2: S2
  readonly raw: (method: string, path: string, init?: RawRequest) => Promise<RawResponse>
  /** A unary JSON append of string bodies (extra fields such as `match_seq_num` merged in). */
  append(bodies: readonly string[], extra?: Record<string, unknown>, stream?: string): Promise<RawResponse>
  /** GET …/records/tail of the stream. */
  tail(stream?: string): Promise<WirePosition>
  /** Appends held, not yet stable. */
  held(): Promise<number>
  /** Waits until `n` appends are held. */
  untilHeld(n: number): Promise<void>
  /** Waits until `n` answers wait out a latency (acks, reads, deliveries). */
  untilWaiting(n: number): Promise<void>
  /** Moves the namespace's clock on by `ms`. */
  advance(ms: number): Promise<void>
}

/** Creates a namespace with `timing`, freezes its clock at `at`, and makes a basin and a stream in it. */
export async function timedStream(
  emulator: S2EmulatorClient & Pick<S2Emulator, 'url'>,
  timing: TimingInput | undefined,
  at: number,
  streamConfig: Record<string, unknown> = {},
): Promise<TimedStream> {
  const ns = await emulator.createNamespace(timing === undefined ? { label: 'timing' } : { label: 'timing', timing })
  await ns.clock.freeze(at)
  const basin = 'timing-basin'
  const stream = 'events'
  const asNs = (method: string, path: string, init: RawRequest = {}) =>
    raw(emulator.url, method, path, { ...init, headers: { authorization: `Bearer ${ns.token}`, ...init.headers } })
  const created = await asNs('POST', '/v1/basins', { body: { basin } })
  if (created.status !== 201) throw new Error(`creating basin: ${created.status} ${created.text}`)
  const made = await asNs('POST', '/v1/streams', { headers: { 's2-basin': basin }, body: { stream, config: streamConfig } })
  if (made.status !== 201) throw new Error(`creating stream: ${made.status} ${made.text}`)
  const held = async () => (await ns.timing.get()).pending
  return {
    ns,
    basin,
    stream,
    s2: new S2({ accessToken: ns.token, endpoints: { account: emulator.url, basin: emulator.url }, retry: { maxAttempts: 1 } }),
    raw: asNs,
    append: (bodies, extra = {}, name = stream) =>
      asNs('POST', recordsPath(name), { headers: { 's2-basin': basin }, body: { records: bodies.map((body) => ({ body })), ...extra } }),
    tail: async (name = stream) => {
      const res = await asNs('GET', `${recordsPath(name)}/tail`, { headers: { 's2-basin': basin } })
      if (res.status !== 200) throw new Error(`check tail: ${res.status} ${res.text}`)
      return (res.json as { tail: WirePosition }).tail
    },
    held,
    untilHeld: (n) => eventually(async () => (await held()) === n, `${n} append(s) held`),
    untilWaiting: (n) => eventually(async () => (await ns.timing.get()).waiting === n, `${n} answer(s) waiting`),
    advance: async (ms) => {
      await ns.clock.advance(ms)
    },
  }
}

/** Whether a promise has settled yet (checked after a round trip to the emulator, so its answer had time to come). */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  const state = { promise, settled: false }
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

/** The ack of a 200 answer. */
export function ackOf(res: RawResponse): WireAck {
  if (res.status !== 200) throw new Error(`expected an ack, got ${res.status} ${res.text}`)
  return res.json as WireAck
}

/**
 * Moves a namespace's frozen clock on, a second at a time, until `promise` settles: every delay
 * the timing drew (including those drawn after a move) runs out.
 */
export async function advancingUntil<T>(ns: S2Namespace, promise: Promise<T>): Promise<T> {
  let settled = false
  const done = promise.finally(() => {
    settled = true
  })
  while (!settled) {
    await ns.clock.advance('1s')
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5))]).catch(() => {})
  }
  return promise
}
