import { startS2Emulator } from 's2-emulator'
import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'

const emulator = await startS2Emulator({ port: 0 }) // a free port
const s2 = new S2({
  accessToken: 'ignored',
  endpoints: { account: emulator.url, basin: emulator.url },
})

await s2.basins.create({ basin: 'my-basin-01' })
const basin = s2.basin('my-basin-01')
await basin.streams.create({ stream: 'orders' })
const orders = basin.stream('orders')
await orders.append(AppendInput.create([AppendRecord.string({ body: 'hello' })]))
const batch = await orders.read({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 10 } } })
console.log(batch.records.map((r) => r.body)) // [ 'hello' ]

await orders.close()
await emulator.stop()
