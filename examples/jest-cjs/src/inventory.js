const { AppendInput, AppendRecord, S2, S2Environment } = require('@s2-dev/streamstore')

/** Code under test: it finds S2 the way applications do, from the S2_* environment variables. */
async function recordStock(basin, sku, quantity) {
  const s2 = new S2({ accessToken: '', ...S2Environment.parse() })
  const stock = s2.basin(basin).stream('stock')
  try {
    const ack = await stock.append(AppendInput.create([AppendRecord.string({ body: JSON.stringify({ sku, quantity }) })]))
    return ack.end.seqNum
  } finally {
    await stock.close()
  }
}

module.exports = { recordStock }
