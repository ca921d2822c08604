import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator, type S2Namespace } from 's2-emulator'

let emulator: S2Emulator
beforeAll(async () => {
  emulator = await startS2Emulator({ profile: 'cloud', isolation: 'token' }) // or: s2-emulator --profile cloud
})
afterAll(() => emulator.stop())

let ns: S2Namespace
let admin: S2 // the namespace's token is its root token: it may do everything in it
beforeEach(async () => {
  ns = await emulator.createNamespace()
  admin = new S2({ accessToken: ns.token, endpoints: { account: ns.url, basin: ns.url } })
})
afterEach(() => ns.drop())

it('gives a tenant a scoped token that expires on the emulator clock', async () => {
  await admin.basins.create({ basin: 'tenants-demo' })
  await ns.clock.freeze()
  const { accessToken } = await admin.accessTokens.issue({
    id: 'tenant-42',
    expiresAt: new Date((await ns.clock.get()).now + 3_600_000), // in an hour, on the namespace clock
    autoPrefixStreams: true, // the tenant names "orders"; the stream is "tenant-42/orders"
    scope: {
      basins: { exact: 'tenants-demo' },
      streams: { prefix: 'tenant-42/' },
      opGroups: { stream: { read: true, write: true } },
    },
  })
  const tenant = new S2({ accessToken, endpoints: { account: ns.url, basin: ns.url }, retry: { maxAttempts: 1 } })
  await tenant.basin('tenants-demo').streams.create({ stream: 'orders' })
  await tenant.basin('tenants-demo').stream('orders').append(AppendInput.create([AppendRecord.string({ body: 'hi' })]))
  expect((await admin.basin('tenants-demo').streams.list()).streams.map((s) => s.name)).toEqual(['tenant-42/orders'])

  await expect(tenant.basins.create({ basin: 'not-for-tenants' })).rejects.toMatchObject({ status: 403 })
  await ns.clock.advance('1h')
  await expect(tenant.basin('tenants-demo').stream('orders').checkTail()).rejects.toMatchObject({ status: 401 })
  await tenant.basin('tenants-demo').stream('orders').close()
})

it('reports what happened through the metrics API', async () => {
  await admin.basins.create({ basin: 'usage-demo' })
  await admin.basin('usage-demo').streams.create({ stream: 'events' })
  const events = admin.basin('usage-demo').stream('events')
  await events.append(AppendInput.create([AppendRecord.string({ body: 'hello' })])) // 8 + 5 metered bytes
  await events.close()

  const now = new Date()
  const storage = await admin.metrics.stream({ basin: 'usage-demo', stream: 'events', set: 'storage', start: now, end: now })
  expect(storage.values).toEqual([{ gauge: { name: 'storage', unit: 'bytes', values: [[expect.any(Date), 13]] } }])
  const minuteAgo = new Date(now.getTime() - 60_000)
  const appended = await admin.metrics.basin({ basin: 'usage-demo', set: 'append-throughput', start: minuteAgo, end: now })
  expect(appended.values).toEqual([
    { accumulation: { name: 'append-throughput', unit: 'bytes', interval: 'minute', values: [[expect.any(Date), 13]] } },
  ])
})
