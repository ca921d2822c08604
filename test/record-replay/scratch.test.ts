import { AppendInput, AppendRecord, S2 } from '@s2-dev/streamstore'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { formatVerifyReport, startCassette, verifyCassette } from 's2-emulator/record-replay'

it('scratch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassette-'))
  const path = join(dir, 'c.json')
  const upstream = await startS2Emulator({ port: 0 })
  const rec = await startCassette({ path, mode: 'record', upstream: upstream.url, env: {} })
  const work = async (url: string) => {
    const s2 = new S2({ accessToken: 'tok', endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
    await s2.basins.create({ basin: 'scratch-basin-1' })
    const b = s2.basin('scratch-basin-1')
    await b.streams.create({ stream: 's' })
    const st = b.stream('s')
    const ack = await st.append(AppendInput.create([AppendRecord.string({ body: 'a' }), AppendRecord.bytes({ body: new Uint8Array([1, 2, 255]) })]))
    const session = await st.appendSession()
    const t1 = await session.submit(AppendInput.create([AppendRecord.string({ body: 'x' })]))
    const t2 = await session.submit(AppendInput.create([AppendRecord.string({ body: 'y' })]))
    const a1 = await t1.ack(); const a2 = await t2.ack()
    await session.close()
    const rs = await st.readSession({ start: { from: { seqNum: 0 } }, stop: { limits: { count: 4 } } })
    const bodies: string[] = []
    for await (const r of rs) bodies.push(String(r.body))
    await st.close()
    return { ack: ack.end.seqNum, a1: a1.end.seqNum, a2: a2.end.seqNum, bodies }
  }
  const first = await work(rec.url)
  const report = await rec.stop()
  console.log(report, readFileSync(path, 'utf8'))
  await upstream.stop()
  const rep = await startCassette({ path, mode: 'replay', env: {} })
  const second = await work(rep.url)
  const r2 = await rep.stop()
  console.log(r2)
  expect(second).toEqual(first)
  const v = await verifyCassette({ cassette: path })
  console.log(formatVerifyReport(v))
  expect(v.ok).toBe(true)
})
