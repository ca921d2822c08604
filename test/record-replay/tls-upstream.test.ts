import { join } from 'node:path'
import { expect, it } from 'vitest'
import { startS2Emulator } from 's2-emulator'
import { startCassette } from 's2-emulator/record-replay'
import { selfSignedCert, startTlsTerminator, useTempDirs } from '../support/cassettes.ts'
import { runWorkload } from '../support/sdk-workload.ts'

const tempDir = useTempDirs()

it('records from an https:// upstream (HTTP/2 and HTTP/1.1 over TLS, trusted through the ca option) and replays the same', async () => {
  const cert = await selfSignedCert()
  const upstream = await startS2Emulator({ port: 0 })
  const tls = await startTlsTerminator(upstream.url, cert)
  const path = join(tempDir(), 'tls.json')
  const recorder = await startCassette({ path, mode: 'record', upstream: tls.url, ca: cert.cert, env: {} })
  const recorded = await runWorkload(recorder.url, 'tls-run')
  const recording = await recorder.stop()
  await tls.close()
  await upstream.stop()

  expect(recording.recorded).toBeGreaterThan(20)
  // Sessions went upstream over HTTP/2 (ALPN h2), unary calls and SSE over HTTP/1.1.
  expect(new Set(tls.protocols)).toEqual(new Set(['h2', 'http/1.1']))
  expect(new Map(recorded).get('s2s: read session')).toHaveLength(6)

  const replayer = await startCassette({ path, mode: 'replay', env: {} })
  expect(await runWorkload(replayer.url, 'tls-run')).toEqual(recorded)
  expect((await replayer.stop()).misses).toEqual([])
})

it('refuses an upstream whose certificate it was not told to trust', async () => {
  const cert = await selfSignedCert()
  const upstream = await startS2Emulator({ port: 0 })
  const tls = await startTlsTerminator(upstream.url, cert)
  const path = join(tempDir(), 'untrusted.json')
  const recorder = await startCassette({ path, mode: 'record', upstream: tls.url, env: {} })
  try {
    const res = await fetch(`${recorder.url}/v1/basins`)
    expect(res.status).toBe(502)
    const body = (await res.json()) as { code: string; message: string }
    expect(body.code).toBe('cassette_upstream_error')
    expect(body.message).toMatch(/self-signed|certificate/i)
    expect((await recorder.stop()).recorded).toBe(0)
  } finally {
    await recorder.stop()
    await tls.close()
    await upstream.stop()
  }
})
