import { S2, type S2ClientOptions } from '@s2-dev/streamstore'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect as netConnect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { promisify } from 'node:util'
import { afterEach } from 'vitest'

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 's2-cassette-'))
    dirs.push(dir)
    return dir
  }
}

/** An SDK client for `url` (account and basin endpoint), no retries unless asked. */
export function sdkAt(url: string, options: Partial<S2ClientOptions> = {}): S2 {
  return new S2({ accessToken: 'test-token', endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 }, ...options })
}

export interface SelfSigned {
  readonly key: string
  readonly cert: string
}

/** A self-signed certificate for 127.0.0.1 and localhost, made now with openssl (never committed). */
export async function selfSignedCert(): Promise<SelfSigned> {
  const dir = mkdtempSync(join(tmpdir(), 's2-tls-'))
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ])
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface TlsTerminator {
  /** `https://127.0.0.1:<port>` */
  readonly url: string
  /** The ALPN protocol each accepted connection negotiated (`h2`, `http/1.1`, or `none`). */
  readonly protocols: string[]
  close(): Promise<void>
}

/**
 * A TLS terminator on 127.0.0.1 in front of a cleartext emulator, as s2.dev serves: it offers h2
 * and http/1.1 by ALPN and pipes the decrypted bytes to the emulator, whose one port tells HTTP/2
 * from HTTP/1.1 by the connection preface.
 */
export async function startTlsTerminator(upstream: string, cert: SelfSigned): Promise<TlsTerminator> {
  const target = new URL(upstream)
  const protocols: string[] = []
  const sockets = new Set<{ destroy(): void }>()
  const server = createTlsServer({ key: cert.key, cert: cert.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    protocols.push(socket.alpnProtocol || 'none')
    const plain = netConnect(Number(target.port), target.hostname)
    sockets.add(socket)
    sockets.add(plain)
    const close = (): void => {
      socket.destroy()
      plain.destroy()
    }
    socket.on('error', close)
    plain.on('error', close)
    socket.on('close', close)
    plain.on('close', close)
    socket.pipe(plain).pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    protocols,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
