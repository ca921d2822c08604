/** Fan-out: 1, 10 and 100 followers (S2S read sessions) on one stream; latency from an append to each delivery. */
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2'
import { constants } from 'node:http2'
import type { Ctx } from '../lib/context.ts'
import { closeSession, follow, h2connect } from '../lib/h2.ts'
import { HttpClient } from '../lib/http1.ts'
import { basinHeaders, freshStream, recordsPath } from '../lib/s2.ts'
import { startServer } from '../lib/servers.ts'
import { summarize } from '../lib/stats.ts'

const SUITE = 'fanout'
const RECORD = '{"records":[{"body":"hello, world"}]}'

interface FanOutSamples {
  /** Append sent to delivery, per follower per append. */
  fromSend: number[]
  /** Append acknowledged (the 200 fully received) to delivery; negative when a follower got it first. */
  fromAck: number[]
  /** Append sent to ack. */
  ack: number[]
}

async function runFanOut(
  client: HttpClient,
  h2url: string,
  basin: string,
  stream: string,
  followers: number,
  appends: number,
): Promise<FanOutSamples> {
  const sessions: ClientHttp2Session[] = []
  for (let i = 0; i < Math.ceil(followers / 100); i++) sessions.push(await h2connect(h2url))
  const streams: ClientHttp2Stream[] = []
  let delivered: (number | null)[] = []
  let waiting: (() => void) | null = null
  let count = 0
  let ready = 0
  let onReady: (() => void) | null = null
  for (let i = 0; i < followers; i++) {
    const index = i
    const { stream: s } = follow(
      sessions[Math.floor(i / 100)] as ClientHttp2Session,
      { ':path': recordsPath(stream), 's2-basin': basin },
      () => {
        if (delivered[index] !== null) return
        delivered[index] = performance.now()
        if (++count === followers) waiting?.()
      },
      () => {
        if (++ready === followers) onReady?.()
      },
    )
    streams.push(s)
  }
  // every follower is in follow mode once its first heartbeat arrived
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${ready} of ${followers} followers started`)), 10_000)
    onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    if (ready >= followers) onReady()
  })
  const samples: FanOutSamples = { fromSend: [], fromAck: [], ack: [] }
  const init = { headers: { ...basinHeaders(basin), 'content-type': 'application/json' }, body: RECORD }
  try {
    for (let j = -5; j < appends; j++) {
      delivered = new Array<number | null>(followers).fill(null)
      count = 0
      const all = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`append ${j}: ${count} of ${followers} deliveries`)), 10_000)
        waiting = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      all.catch(() => {})
      const sent = performance.now()
      const res = await client.request('POST', recordsPath(stream), init)
      const acked = performance.now()
      if (res.status !== 200) throw new Error(`fan-out append: ${res.status}`)
      await all
      if (j < 0) continue
      samples.ack.push(acked - sent)
      for (const at of delivered) {
        samples.fromSend.push((at as number) - sent)
        samples.fromAck.push((at as number) - acked)
      }
    }
  } finally {
    for (const s of streams) s.close(constants.NGHTTP2_CANCEL)
    await Promise.all(sessions.map(closeSession))
  }
  return samples
}

export async function fanout(ctx: Ctx): Promise<void> {
  const counts = ctx.pick([1, 10, 100], [1, 10, 100], [1, 10])
  const appends = ctx.pick(200, 20, 5)
  ctx.workload(
    SUITE,
    `N followers = S2S read sessions from the tail (no bounds: follow) over h2c (100 per connection), all in the bench process; ${appends} appends of one 12-byte JSON record in sequence (raw HTTP/1.1, keep-alive), each after every follower got the previous one; p50/p99 over all deliveries. node = an http2 server writing a fixed ReadBatch frame to every open follower on each POST; peer: none.`,
  )
  const [emulator, baseline] = await Promise.all([startServer({ kind: 'emulator' }), startServer({ kind: 'baseline' })])
  const e = new HttpClient(emulator.url)
  const b = new HttpClient(baseline.url)
  try {
    for (const n of counts) {
      const { basin, stream } = await freshStream(e, 'fan')
      const emu = await runFanOut(e, emulator.h2url, basin, stream, n, appends)
      const node = await runFanOut(b, baseline.h2url, basin, stream, n, appends)
      const noPeer = { skipped: 'kinesalite has no push delivery (SubscribeToShard is not implemented); its readers poll GetRecords' }
      ctx.add({
        suite: SUITE,
        measure: `${n} follower${n === 1 ? '' : 's'}: append sent -> delivery`,
        unit: 'ms',
        better: 'lower',
        workload: 'from the POST to the ReadBatch frame at each follower',
        emulator: { ...summarize(emu.fromSend), extra: { ackMedian: summarize(emu.ack).median } },
        baseline: { ...summarize(node.fromSend), extra: { ackMedian: summarize(node.ack).median } },
        peer: noPeer,
      })
      ctx.add({
        suite: SUITE,
        measure: `${n} follower${n === 1 ? '' : 's'}: append ack -> delivery`,
        unit: 'ms',
        better: 'lower',
        workload: 'from the append response (ack) to the ReadBatch frame at each follower; negative: the follower had it before the ack',
        emulator: summarize(emu.fromAck),
        baseline: summarize(node.fromAck),
        peer: noPeer,
      })
      ctx.log(`fanout: ${n} followers done`)
    }
  } finally {
    e.close()
    b.close()
    await Promise.all([emulator.stop(), baseline.stop()])
  }
}
