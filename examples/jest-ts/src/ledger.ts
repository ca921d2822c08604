import { AppendInput, AppendRecord, S2, S2Environment } from '@s2-dev/streamstore'

/** Code under test: reads its S2 settings from the environment, as an application would. */
export async function recordEntry(basin: string, entry: string): Promise<number> {
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  const stream = s2.basin(basin).stream('ledger')
  try {
    const ack = await stream.append(AppendInput.create([AppendRecord.string({ body: entry })]))
    return ack.end.seqNum
  } finally {
    await stream.close()
  }
}
