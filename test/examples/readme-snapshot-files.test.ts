import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { expect, it } from 'vitest'
import { startS2Emulator, type S2Emulator } from 's2-emulator'

const client = (emulator: S2Emulator) =>
  new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url } })

it('saves a fixture to a file once and starts other emulators from it', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'fixtures-')), 'orders.s2snap')

  const builder = await startS2Emulator()
  const s2 = client(builder)
  await s2.basins.create({ basin: 'fixture-orders' })
  await s2.basin('fixture-orders').streams.create({ stream: 'orders' })
  await s2.basin('fixture-orders').stream('orders').append(AppendInput.create([AppendRecord.string({ body: 'order-1' })]))
  await builder.snapshots.take('orders')
  await builder.snapshots.export('orders', file) // written atomically, gzip-compressed, versioned
  await builder.stop()

  const emulator = await startS2Emulator({ snapshotFile: file }) // or --snapshot FILE on the CLI
  try {
    const tail = await client(emulator).basin('fixture-orders').stream('orders').checkTail()
    expect(tail.tail.seqNum).toBe(1)
    // A running emulator can load one too, and keep it aside until restored.
    await emulator.snapshots.import('again', file)
    expect((await emulator.snapshots.get('again')).records).toBe(1)
  } finally {
    await emulator.stop()
  }
})
