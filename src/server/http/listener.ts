import { getRequestListener } from '@hono/node-server'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { S2EmulatorError } from '../errors/index.ts'

export interface Listener {
  readonly host: string
  readonly port: number
  /** Stops accepting, drops open connections (ending their sessions) and resolves once the port is free. */
  close(): Promise<void>
}

/** Serves `fetch` over HTTP/1.1 on host:port (0 picks a free port). */
export async function listen(
  fetch: (request: Request, env: never) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listener> {
  const server: Server = createServer(getRequestListener((request, env) => fetch(request, env as never)))
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening)
      if (error.code === 'EADDRINUSE') {
        reject(
          new S2EmulatorError(
            'S2EMU_PORT_IN_USE',
            `port ${port} on ${host} is already in use: stop what holds it, or pass port 0 to pick a free one`,
            { cause: error },
          ),
        )
      } else {
        reject(new S2EmulatorError('S2EMU_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, { cause: error }))
      }
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
  const address = server.address() as AddressInfo
  let closing: Promise<void> | null = null
  return {
    host,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
